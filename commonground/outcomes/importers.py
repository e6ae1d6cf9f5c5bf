"""Local survey results into the generic area–dataset–value model, one dataset per survey wave.

File: CSV with a header row `area_code,measure,value` and optional `measure_name,unit,direction`.
Every row is checked first; one bad row stops the import and nothing is written (one transaction).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from commonground.audit.service import record
from commonground.core.imports import too_long
from commonground.engine import csvrows
from commonground.outcomes import services
from commonground.outcomes.models import MeasureSource, Theme, WellbeingMeasure
from commonground.places.models import Area, AreaValue, DataSet, Measure

REQUIRED = ("area_code", "measure", "value")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_ERRORS_SHOWN = 10
MOST_MEASURES = 1000  # measures are numbered in a small-integer column; a survey has a few dozen
SURVEY_NOTE = "Local survey results"  # marks datasets this importer may replace


class SurveyError(ValueError):
    """The file cannot be imported; the message names each bad row (line numbers count the header as 1)."""


@dataclass
class SurveyImport:
    dataset: str
    name: str
    source: str
    licence: str
    period: str
    area_type: str | None = None
    theme: str | None = None
    release_date: dt.date | None = None
    errors: list[str] = field(default_factory=list)


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SurveyError(f"cannot read {path}: {exc}") from exc
    try:
        header, rows = csvrows.read(io.StringIO(text, newline=""))
    except csvrows.CsvError as exc:
        raise SurveyError(f"{path.name}, {exc}") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SurveyError(f"{path.name}: the header has no {', '.join(missing)} column (needs {', '.join(REQUIRED)})")
    return header, rows


def import_survey(path: Path, spec: SurveyImport, actor) -> dict[str, int]:
    """Check every row, then replace the dataset `spec.dataset` with the file's figures."""
    if not SLUG.match(spec.dataset):
        raise SurveyError(f"--dataset {spec.dataset!r} must be a short name of lower-case letters, digits and dashes")
    long = too_long(DataSet, {"name": spec.name, "source": spec.source, "licence": spec.licence})
    long += too_long(MeasureSource, {"period": spec.period})
    if long:
        raise SurveyError(f"--{long[0]}")
    existing = DataSet.objects.filter(slug=spec.dataset).first()
    if existing is not None and not existing.description.startswith(SURVEY_NOTE):
        raise SurveyError(f"dataset {spec.dataset!r} is not a survey (it is {existing.name}): choose another --dataset")
    theme = None
    if spec.theme:
        theme = Theme.objects.filter(slug=spec.theme).first()
        if theme is None:
            known = ", ".join(Theme.objects.values_list("slug", flat=True))
            raise SurveyError(f"--theme {spec.theme!r} is not a theme (one of: {known})")
    _, rows = _read(path)
    if not rows:
        raise SurveyError(f"{path.name} has a header but no rows")
    codes = {r["area_code"].upper() for _, r in rows}
    areas: dict[str, int] = {}
    for code, type_code, pk in (
        Area.objects.filter(code__in=codes).order_by("-area_type_id").values_list("code", "area_type__code", "id")
    ):
        if spec.area_type is None or type_code == spec.area_type:
            areas[code] = pk  # earliest geography wins, as place pages do
    errors, seen, values, measures = [], set(), [], {}
    directions = {d.value for d in Measure.Direction}
    for line, row in rows:
        code, slug, raw = row["area_code"].upper(), row["measure"], row["value"]
        if code not in areas:
            where = f" of type {spec.area_type}" if spec.area_type else ""
            errors.append(f"line {line}: no area{where} has the code {row['area_code']!r}")
            continue
        if not SLUG.match(slug):
            errors.append(f"line {line}: measure {slug!r} must be lower-case letters, digits, dashes or underscores")
            continue
        try:
            value = float(raw)
        except ValueError:
            errors.append(f"line {line}: value {raw!r} is not a number")
            continue
        if not math.isfinite(value):
            errors.append(f"line {line}: value {raw!r} is not a finite number")
            continue
        if (code, slug) in seen:
            errors.append(f"line {line}: a second value for {code} and {slug} (one per area and measure)")
            continue
        direction = row.get("direction") or Measure.Direction.NEUTRAL
        if direction not in directions:
            errors.append(f"line {line}: direction {direction!r} must be one of {', '.join(sorted(directions))}")
            continue
        fields = {"name": row.get("measure_name") or slug.replace("_", " ").capitalize(), "unit": row.get("unit", "")}
        long = too_long(Measure, fields, {"name": "measure_name"})
        if long:
            errors.append(f"line {line}: {long[0]}")
            continue
        if slug not in measures and len(measures) == MOST_MEASURES:
            errors.append(f"line {line}: more than {MOST_MEASURES:,} measures in one survey")
            continue
        seen.add((code, slug))
        measures.setdefault(slug, {**fields, "direction": direction})
        values.append((areas[code], slug, value))
    if errors:
        shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
        more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise SurveyError(
            f"{path.name}: {len(errors)} bad row{'s' if len(errors) > 1 else ''}, nothing imported: {shown}{more}"
        )
    with transaction.atomic():
        DataSet.objects.filter(slug=spec.dataset).delete()
        dataset = DataSet.objects.create(
            slug=spec.dataset,
            name=spec.name,
            source=spec.source,
            licence=spec.licence,
            release_date=spec.release_date,
            loaded_at=timezone.now(),
            description=f"{SURVEY_NOTE}, period {spec.period}.",
        )
        made = {
            slug: Measure.objects.create(dataset=dataset, slug=slug, order=i, **fields)
            for i, (slug, fields) in enumerate(measures.items())
        }
        AreaValue.objects.bulk_create(
            [AreaValue(area_id=a, measure=made[s], value=v) for a, s, v in values], batch_size=5000
        )
        linked, created = 0, 0
        for slug, fields in measures.items():
            wellbeing = WellbeingMeasure.objects.filter(slug=slug.replace("_", "-")).first()
            if wellbeing is None and theme is not None:
                wellbeing = services.add_measure(
                    actor,
                    theme=theme,
                    slug=slug.replace("_", "-"),
                    name=fields["name"],
                    source=spec.source,
                    unit=fields["unit"],
                    direction=fields["direction"],
                    geography="ward",
                    period="Local survey",
                    sources=[],
                    reason=f"Imported from {path.name}",
                )
                created += 1
            if wellbeing is not None:
                services.add_source(actor, wellbeing, spec.dataset, slug, spec.period)
                linked += 1
        record(
            actor,
            "outcomes.import_survey",
            dataset,
            after={"file": path.name, "values": len(values), "period": spec.period},
        )
    return {"values": len(values), "measures": len(measures), "linked": linked, "created": created}
