"""Delivery records: made by the apps that fund things, updated by the council's officers, read by anyone.

Every change is audited in the same transaction, naming people by account id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet

from commonground.accounts.scopes import Scope
from commonground.audit.service import record as audit
from commonground.delivery.models import Milestone, Photo, Record, Update
from commonground.places.models import Area

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
CONTENT_TYPES = {Photo.Kind.JPEG: "image/jpeg", Photo.Kind.PNG: "image/png", Photo.Kind.WEBP: "image/webp"}
PILLOW_FORMATS = {Photo.Kind.JPEG: "JPEG", Photo.Kind.PNG: "PNG", Photo.Kind.WEBP: "WEBP"}


class DeliveryError(ValueError):
    """A change that cannot be made; the message says why, `field` which form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def ensure(
    actor,
    reference: str,
    *,
    source: str,
    title: str,
    amount_pence: int,
    summary: str = "",
    origin_url: str = "",
    recipient_name: str = "",
    council: Area | None = None,
    neighbourhood=None,
    ward_code: str = "",
    objective_ref: int | None = None,
    funded_on: dt.date | None = None,
    planned_end: dt.date | None = None,
) -> Record:
    """The delivery record of a funded thing, made the first time it is asked for (the same one after)."""
    if source not in Record.Source.values:
        raise DeliveryError(f"source must be one of {', '.join(Record.Source.values)}, not {source!r}")
    if amount_pence < 0:
        raise DeliveryError("a funded thing's budget cannot be negative")
    found = Record.objects.select_for_update().filter(reference=reference).first()
    if found is not None:
        return found
    fields = dict(
        source=source, title=title[:200], summary=summary, origin_url=origin_url[:300],
        recipient_name=recipient_name[:200], amount_pence=amount_pence, council=council,
        neighbourhood=neighbourhood, ward_code=ward_code, objective_ref=objective_ref, planned_end=planned_end,
    )  # fmt: skip
    if funded_on is not None:
        fields["funded_on"] = funded_on
    try:
        with transaction.atomic():
            made = Record.objects.create(reference=reference, **fields)
    except IntegrityError:  # made by a concurrent request just now
        return Record.objects.get(reference=reference)
    audit(
        actor, "delivery.create", made, after={"reference": reference, "source": source, "amount_pence": amount_pence}
    )
    return made


def scope_of(item: Record) -> Scope | None:
    """Where a record lives, for permission checks: its council and neighbourhood (None: site-wide only)."""
    councils = [item.council.code] if item.council_id else []
    neighbourhoods = [item.neighbourhood.slug] if item.neighbourhood_id else []
    if not councils and not neighbourhoods:
        return None
    if item.neighbourhood_id and not councils:
        councils = list(item.neighbourhood.councils.values_list("code", flat=True))
    return Scope.of(councils, neighbourhoods)


@transaction.atomic
def post_update(
    actor,
    item: Record,
    *,
    text: str,
    status: str,
    progress: int,
    spent_pence: int,
    posted_on: dt.date | None = None,
    photo=None,
    alt_text: str = "",
) -> Update:
    """A dated update that moves the record's status, progress and spend; with at most one photo, checked
    and stored without its metadata. Nothing is stored if any part is refused."""
    text = text.strip()
    if not text:
        raise DeliveryError("Say what has happened", "text")
    if status not in Record.Status.values:
        raise DeliveryError(f"Choose a status, not {status!r}", "status")
    if not 0 <= progress <= 100:
        raise DeliveryError(f"Progress is a percentage from 0 to 100, not {progress}", "progress")
    if spent_pence < 0:
        raise DeliveryError("Spend cannot be negative", "spent")
    prepared = None
    if photo is not None:
        if not alt_text.strip():
            raise DeliveryError("Describe what the photo shows, for people who cannot see it", "alt_text")
        prepared = prepare_photo(photo)
    item = Record.objects.select_for_update().get(pk=item.pk)
    before = {"status": item.status, "progress": item.progress, "spent_pence": item.spent_pence}
    update = Update.objects.create(
        record=item, text=text, status=status, progress=progress, spent_pence=spent_pence,
        author=_user(actor), **({"posted_on": posted_on} if posted_on else {}),
    )  # fmt: skip
    item.status, item.progress, item.spent_pence = status, progress, spent_pence
    item.save(update_fields=["status", "progress", "spent_pence", "updated_at"])
    after = {"status": status, "progress": progress, "spent_pence": spent_pence, "update": update.pk}
    stored = None
    if prepared is not None:
        kind, data, width, height = prepared
        stored = Photo(update=update, kind=kind, alt_text=alt_text.strip()[:250], width=width, height=height,
                       size=len(data), sha256=hashlib.sha256(data).hexdigest())  # fmt: skip
        after.update(photo_sha256=stored.sha256, photo_bytes=stored.size)
    audit(actor, "delivery.update", item, before=before, after=after)
    if stored is not None:  # the file last, so nothing after it can fail and leave it without its row
        stored.file.save("photo", ContentFile(prepared[1]), save=False)
        try:
            stored.save()
        except Exception:
            stored.file.delete(save=False)
            raise
    return update


def sniff(head: bytes) -> str | None:
    """The image kind from its first bytes (not its name or the browser's word), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return Photo.Kind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Photo.Kind.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Photo.Kind.WEBP
    return None


def prepare_photo(upload) -> tuple[str, bytes, int, int]:
    """(kind, bytes to store, width, height) of an uploaded photo: at most 5 MB, JPEG, PNG or WebP by its
    content, decoded in full, turned upright and written again without EXIF or other metadata (so any GPS
    location is gone)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise DeliveryError(f"The photo is {size / 1024 / 1024:.1f} MB: it must be 5 MB or smaller", "photo")
    upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_PHOTO_BYTES:
        raise DeliveryError("The photo must be 5 MB or smaller", "photo")
    kind = sniff(data[:16])
    if kind is None:
        raise DeliveryError("The photo must be a JPEG, PNG or WebP image", "photo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise DeliveryError(
                    f"The photo is {probe.width} × {probe.height} pixels: at most 40 million pixels, please", "photo"
                )
            if probe.format != PILLOW_FORMATS[kind]:
                raise DeliveryError("The photo's content does not match its kind: upload a JPEG, PNG or WebP", "photo")
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except DeliveryError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DeliveryError("The photo could not be read: it may be damaged. Try another copy", "photo") from None
    out = io.BytesIO()
    if kind == Photo.Kind.JPEG:
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif kind == Photo.Kind.PNG:
        image.save(out, "PNG", optimize=True)  # no pnginfo: text and eXIf chunks are not written
    else:
        image.save(out, "WEBP", quality=85)  # no exif= argument: none is written
    return kind, out.getvalue(), image.width, image.height


@transaction.atomic
def add_milestone(actor, item: Record, title: str, due_on: dt.date | None) -> Milestone:
    title = title.strip()
    if not title:
        raise DeliveryError("Name the milestone", "title")
    milestone = Milestone.objects.create(record=item, title=title[:200], due_on=due_on)
    audit(actor, "delivery.milestone", item, after={"milestone": milestone.pk, "due_on": due_on})
    return milestone


@transaction.atomic
def complete_milestone(actor, milestone: Milestone, done_on: dt.date) -> Milestone:
    if milestone.done_on is not None:
        raise DeliveryError("That milestone is already done")
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    audit(actor, "delivery.milestone_done", milestone.record, after={"milestone": milestone.pk, "done_on": done_on})
    return milestone


def timeline(item: Record) -> list[dict]:
    """Everything that happened to a funded thing, latest first: funded, milestones met, updates."""
    events = [{"on": item.funded_on, "kind": "funded", "text": f"Funded: {item.title}", "update": None}]
    for m in item.milestones.all():
        if m.done_on:
            events.append({"on": m.done_on, "kind": "milestone", "text": f"Milestone met: {m.title}", "update": None})
    for u in item.updates.prefetch_related("photos"):
        events.append({"on": u.posted_on, "kind": "update", "text": u.text, "update": u})
    order = {"update": 0, "milestone": 1, "funded": 2}
    return sorted(events, key=lambda e: (e["on"], -order[e["kind"]]), reverse=True)


def records(*, neighbourhood=None, council: str = "", source: str = "", references=None) -> QuerySet[Record]:
    found = Record.objects.select_related("council", "neighbourhood")
    if neighbourhood is not None:
        found = found.filter(neighbourhood=neighbourhood)
    if council:
        found = found.filter(council__code=council.upper())
    if source:
        found = found.filter(source=source)
    if references is not None:
        found = found.filter(reference__in=list(references))
    return found


def discard(prefix: str) -> int:
    """Remove the records of funded things whose references start with `prefix` (demo data being reloaded)."""
    found = Record.objects.filter(reference__startswith=prefix)
    for photo in Photo.objects.filter(update__record__in=found):
        photo.file.delete(save=False)
    return found.delete()[0]


def summary(prefix: str) -> dict:
    """How many funded things with references starting `prefix` are complete, and when any last changed."""
    found = Record.objects.filter(reference__startswith=prefix)
    return {
        "complete": found.filter(status=Record.Status.COMPLETE).count(),
        "changed": str(found.aggregate(latest=Max("updated_at"))["latest"]),
    }


def by_reference(references) -> dict[str, Record]:
    """The records of these funded things, by reference (those with none are left out)."""
    return {r.reference: r for r in records(references=references)}
