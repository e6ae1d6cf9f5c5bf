"""Resident ballots on neighbourhood pages (see commonground.core.sections): ballots on an estate in an area that
shares an LSOA with the neighbourhood, with their phase and next date."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from commonground.ballots.models import Ballot
from commonground.neighbourhoods import services as neighbourhoods


def ballots_in(neighbourhood) -> list[Ballot]:
    found = Ballot.objects.exclude(area=None).select_related("area__area_type").order_by("-opens_at")
    return [b for b in found if neighbourhoods.overlaps(neighbourhood, b.area)]


def _next(ballot: Ballot, phase) -> tuple[str, object]:
    if phase == Ballot.Phase.SETUP:
        return "voting opens", timezone.localtime(ballot.opens_at).date()
    if phase == Ballot.Phase.OPEN:
        return "voting closes", timezone.localtime(ballot.closes_at).date()
    return "", None


def neighbourhood_decisions(neighbourhood) -> list[dict]:
    rows = []
    for ballot in ballots_in(neighbourhood):
        phase = ballot.phase()
        url = reverse("ballots:detail", args=[ballot.pk])
        rows.append({"kind": "Resident ballot", "title": ballot.title, "url": url, "state": phase.label,
                     "due": _next(ballot, phase)[1], "source": "ballots"})  # fmt: skip
    return rows


def neighbourhood_deadlines(neighbourhood) -> list[dict]:
    rows = []
    for ballot in ballots_in(neighbourhood):
        what, when = _next(ballot, ballot.phase())
        if when is not None:
            rows.append({"title": f"{ballot.title}: {what}", "url": reverse("ballots:detail", args=[ballot.pk]),
                         "due": when, "statutory": False, "source": "ballots"})  # fmt: skip
    return rows
