"""The wellbeing framework: themes, measures and their sources, residents' signals; every change audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch

from commonground.audit.service import record
from commonground.outcomes.models import MeasureChange, MeasureSource, Signal, Theme, WellbeingMeasure
from commonground.places.models import Area


class FrameworkError(ValueError):
    """A change to the framework that breaks a rule; the message says which."""


# The framework ---------------------------------------------------------------------------------------------


# The framework of the current data version, reused in this process until the version changes.
_FRAMEWORK: dict = {}


def framework(include_retired: bool = False, version: str | None = None) -> list[Theme]:
    """Themes with their measures, sources and signals; with a version, reused in this process until it changes."""
    if version is not None and not include_retired:
        if _FRAMEWORK.get("version") != version:
            _FRAMEWORK.clear()
            _FRAMEWORK["version"] = version
        if "framework" not in _FRAMEWORK:
            _FRAMEWORK["framework"] = framework()
        return _FRAMEWORK["framework"]
    measures = WellbeingMeasure.objects.prefetch_related("sources")
    if not include_retired:
        measures = measures.filter(status=WellbeingMeasure.Status.ACTIVE)
    return list(Theme.objects.prefetch_related(Prefetch("measures", queryset=measures), "signals"))


def _snapshot(measure: WellbeingMeasure) -> dict:
    return {
        "theme": measure.theme.slug,
        "name": measure.name,
        "source": measure.source,
        "unit": measure.unit,
        "direction": measure.direction,
        "geography": measure.geography,
        "period": measure.period,
        "status": measure.status,
        "sources": [f"{s.dataset_slug}/{s.measure_slug}@{s.period}" for s in measure.sources.all()],
    }


def _log(measure: WellbeingMeasure, actor, action: str, before: dict, reason: str = "") -> None:
    after = _snapshot(measure)
    user = actor if getattr(actor, "is_authenticated", False) else None
    MeasureChange.objects.create(measure=measure, action=action, before=before, after=after, reason=reason, actor=user)
    record(actor, f"outcomes.measure_{action}", measure, before=before or None, after=after)


@transaction.atomic
def add_measure(
    actor,
    *,
    theme: Theme,
    slug: str,
    name: str,
    source: str,
    unit: str,
    direction: str,
    geography: str,
    period: str,
    sources: list[tuple[str, str, str]],
    reason: str = "",
) -> WellbeingMeasure:
    """A council adds a measure; `sources` are (dataset slug, measure slug, period label)."""
    if WellbeingMeasure.objects.filter(slug=slug).exists():
        raise FrameworkError(f"a measure with the short name {slug!r} already exists: choose another")
    measure = WellbeingMeasure.objects.create(
        theme=theme,
        slug=slug,
        name=name,
        source=source,
        unit=unit,
        direction=direction,
        geography=geography,
        period=period,
    )
    for dataset_slug, measure_slug, label in sources:
        MeasureSource.objects.create(
            measure=measure, dataset_slug=dataset_slug, measure_slug=measure_slug, period=label
        )
    _log(measure, actor, "added", {}, reason)
    return measure


@transaction.atomic
def retire_measure(actor, measure: WellbeingMeasure, reason: str) -> None:
    measure = WellbeingMeasure.objects.select_for_update().get(pk=measure.pk)
    if measure.status == WellbeingMeasure.Status.RETIRED:
        raise FrameworkError(f"“{measure.name}” is already retired")
    before = _snapshot(measure)
    measure.status = WellbeingMeasure.Status.RETIRED
    measure.save(update_fields=["status"])
    _log(measure, actor, "retired", before, reason)


@transaction.atomic
def reinstate_measure(actor, measure: WellbeingMeasure, reason: str) -> None:
    measure = WellbeingMeasure.objects.select_for_update().get(pk=measure.pk)
    before = _snapshot(measure)
    measure.status = WellbeingMeasure.Status.ACTIVE
    measure.save(update_fields=["status"])
    _log(measure, actor, "reinstated", before, reason)


@transaction.atomic
def retheme_measure(actor, measure: WellbeingMeasure, theme: Theme, reason: str) -> None:
    measure = WellbeingMeasure.objects.select_for_update().get(pk=measure.pk)
    if measure.theme_id == theme.pk:
        raise FrameworkError(f"“{measure.name}” is already under {theme.name}")
    before = _snapshot(measure)
    measure.theme = theme
    measure.save(update_fields=["theme"])
    _log(measure, actor, "rethemed", before, reason)


@transaction.atomic
def add_source(actor, measure: WellbeingMeasure, dataset_slug: str, measure_slug: str, period: str) -> None:
    """Link one more period's figures (e.g. a new survey) to a measure, for its trend."""
    before = _snapshot(measure)
    MeasureSource.objects.update_or_create(
        measure=measure, dataset_slug=dataset_slug, measure_slug=measure_slug, defaults={"period": period}
    )
    _log(measure, actor, "source_added", before)


@transaction.atomic
def record_signal(
    actor,
    *,
    theme: Theme,
    statement: str,
    chosen_by: str,
    method: str,
    chosen_on: dt.date,
    area: Area | None = None,
    measures=(),
) -> Signal:
    user = actor if getattr(actor, "is_authenticated", False) else None
    signal = Signal.objects.create(
        theme=theme,
        statement=statement,
        chosen_by=chosen_by,
        method=method,
        chosen_on=chosen_on,
        area=area,
        recorded_by=user,
    )
    signal.measures.set(measures)
    record(
        actor,
        "outcomes.signal",
        signal,
        after={"theme": theme.slug, "statement": statement, "chosen_by": chosen_by, "method": method},
    )
    return signal


def active_measures():
    """The measures in use, for other apps that link their work to outcomes (e.g. plan priorities)."""
    return WellbeingMeasure.objects.filter(status=WellbeingMeasure.Status.ACTIVE)
