"""Delivery records: one per funded thing, updated by the council's officers with photos checked by their
content and stored without EXIF, a public timeline, the neighbourhood page and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonground.audit.models import AuditRecord
from commonground.delivery import services
from commonground.delivery.models import Photo, Record, Update
from commonground.delivery.services import DeliveryError
from tests.money import council, image

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def record(officer, brookfield):
    return services.ensure(officer, "pb:test:1", source="pb", title="Community garden", amount_pence=20_000_00,
                           council=council(), neighbourhood=brookfield, ward_code="X05000002", objective_ref=1,
                           funded_on=D(2027, 1, 10))  # fmt: skip


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_ensure_makes_one_record_per_funded_thing(officer, record):
    again = services.ensure(officer, "pb:test:1", source="pot", title="Other", amount_pence=1)
    assert again.pk == record.pk and again.title == "Community garden"
    assert AuditRecord.objects.filter(action="delivery.create").count() == 1


def test_a_photo_loses_its_gps_location(officer, record, settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    original = image("JPEG", gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the camera wrote where it was
    services.post_update(officer, record, text="Beds dug", status="in_progress", progress=30, spent_pence=4_000_00,
                         photo=upload(original), alt_text="Raised beds")  # fmt: skip
    photo = Photo.objects.get()
    stored = photo.file.read()
    kept = Image.open(io.BytesIO(stored))
    assert kept.format == "JPEG" and (kept.width, kept.height) == (64, 48)
    assert not kept.getexif().get_ifd(0x8825) and 0x010F not in kept.getexif()
    assert b"PhoneMaker" not in stored
    record.refresh_from_db()
    assert (record.status, record.progress, record.spent_pence) == ("in_progress", 30, 4_000_00)
    entry = AuditRecord.objects.get(action="delivery.update")
    assert entry.after["photo_sha256"] == photo.sha256 and entry.before["status"] == "not_started"


@pytest.mark.parametrize(("kind", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_kept_as_they_are(officer, record, settings, tmp_path, kind, content_type):
    settings.MEDIA_ROOT = tmp_path
    services.post_update(officer, record, text="Done", status="complete", progress=100, spent_pence=0,
                         photo=upload(image(kind), "x.bin", "application/octet-stream"), alt_text="It")  # fmt: skip
    assert Photo.objects.get().kind == kind.lower()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\x00" * 100, "must be a JPEG, PNG or WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "must be a JPEG, PNG or WebP"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "could not be read"),
        (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "must be 5 MB or smaller"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_stored(officer, record, settings, tmp_path, data, message):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(DeliveryError, match=message):
        services.post_update(officer, record, text="x", status="in_progress", progress=1, spent_pence=0,
                             photo=upload(data), alt_text="x")  # fmt: skip
    assert not Update.objects.exists() and not Photo.objects.exists()
    assert not list(tmp_path.rglob("*.*"))
    record.refresh_from_db()
    assert record.status == "not_started"


def test_a_png_pretending_to_be_a_jpeg_is_read_by_its_content(officer, record, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.post_update(officer, record, text="x", status="in_progress", progress=1, spent_pence=0,
                         photo=upload(image("PNG"), "fake.jpg", "image/jpeg"), alt_text="x")  # fmt: skip
    assert Photo.objects.get().kind == "png"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": " "}, "Say what has happened"),
        ({"progress": 101}, "Progress is a percentage from 0 to 100"),
        ({"status": "done"}, "Choose a status"),
        ({"spent_pence": -1}, "Spend cannot be negative"),
    ],
)
def test_update_rules(officer, record, fields, message):
    base = {"text": "x", "status": "in_progress", "progress": 5, "spent_pence": 0}
    with pytest.raises(DeliveryError, match=message):
        services.post_update(officer, record, **{**base, **fields})


def test_update_page_by_the_councils_officer_with_a_photo(officer_client, outsider_client, client, record, settings,
                                                          tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    url = reverse("delivery:update", args=[record.pk])
    assert client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 403
    form = {"status": "in_progress", "progress": "40", "spent": "5,000", "text": "Planting day"}
    missing_alt = officer_client.post(url, {**form, "photo": upload(image())})
    html = missing_alt.content.decode()
    assert "govuk-error-summary" in html and "Describe what the photo shows" in html and 'href="#id_alt_text"' in html
    bad = officer_client.post(url, {**form, "photo": upload(b"not an image"), "alt_text": "x"})
    assert "must be a JPEG, PNG or WebP" in bad.content.decode() and 'href="#id_photo"' in bad.content.decode()
    ok = officer_client.post(url, {**form, "photo": upload(image()), "alt_text": "Volunteers planting"})
    assert ok.status_code == 302
    page = client.get(reverse("delivery:detail", args=[record.pk])).content.decode()
    photo = Photo.objects.get()
    assert 'alt="Volunteers planting"' in page and reverse("delivery:photo", args=[photo.pk]) in page
    assert "Planting day" in page and "£5,000" in page and "£15,000 left" in page
    served = client.get(reverse("delivery:photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == photo.file.open("rb").read()
    assert client.get(reverse("delivery:photo", args=[photo.pk + 1])).status_code == 404


def test_bad_form_input_names_the_field(officer_client, record):
    url = reverse("delivery:update", args=[record.pk])
    response = officer_client.post(url, {"status": "in_progress", "progress": "lots", "spent": "£1,2,3x", "text": ""})
    html = response.content.decode()
    for field in ("progress", "spent", "text"):
        assert f'href="#id_{field}"' in html
    assert "Enter progress as a whole number" in html and "Enter the amount spent as a number of pounds" in html


def test_milestones_and_timeline(officer, officer_client, record):
    m = services.add_milestone(officer, record, "Beds built", D(2027, 3, 1))
    services.post_update(officer, record, text="Started", status="in_progress", progress=10, spent_pence=0,
                         posted_on=D(2027, 2, 1))  # fmt: skip
    services.complete_milestone(officer, m, D(2027, 3, 2))
    with pytest.raises(DeliveryError, match="already done"):
        services.complete_milestone(officer, m, D(2027, 3, 3))
    assert [e["kind"] for e in services.timeline(record)] == ["milestone", "update", "funded"]
    second = services.add_milestone(officer, record, "Opening day", None)
    assert officer_client.post(reverse("delivery:milestone-done", args=[record.pk, second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.done_on is not None
    again = officer_client.post(reverse("delivery:milestone-done", args=[record.pk, second.pk]), follow=True)
    assert "already done" in again.content.decode()
    empty = officer_client.post(reverse("delivery:milestone", args=[record.pk]), {"title": "", "due_on": ""})
    assert "Name the milestone" in empty.content.decode()


def test_neighbourhood_page_plan_hook_and_api(client, record, brookfield):
    hub = client.get(reverse("neighbourhoods:detail", args=[brookfield.slug])).content.decode()
    assert "Funded: Community garden (not started, 0% done)" in hub
    from commonground.core import sections

    assert sections.neighbourhood_delivery(brookfield) == [
        {"objective": 1, "title": "Community garden", "url": f"/delivery/{record.pk}/", "amount_pence": 20_000_00,
         "status": "Not started", "source": "delivery"}]  # fmt: skip
    listed = client.get("/api/delivery", {"neighbourhood": brookfield.slug}).json()
    assert [r["reference"] for r in listed] == ["pb:test:1"]
    detail = client.get(f"/api/delivery/{record.pk}").json()
    assert detail["ward_code"] == "X05000002" and detail["milestones"] == []
    assert client.get("/api/delivery/999999").status_code == 404
    assert client.get("/api/delivery/0").status_code == 404
    assert client.get(reverse("delivery:list"), {"source": "pb"}).status_code == 200
    assert Record.objects.count() == 1
