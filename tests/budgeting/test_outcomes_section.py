"""PB figures reach the area dashboards and the State of the Neighbourhood report."""

from __future__ import annotations

from commonground.budgeting import demo as pb_demo
from commonground.budgeting import outcomes as pb_outcomes
from commonground.budgeting.models import Process
from commonground.core import sections
from commonground.places.models import Area


def test_pb_section_for_the_ward_its_authority_and_the_nation(demo):
    pb_demo.load()
    counted = Process.objects.get(slug="brookfield-decides-2026")
    ward = Area.objects.get(code="X05000002")
    by_slug = {s["slug"]: s for s in sections.collect(ward)}
    pb = by_slug["pb"]
    assert pb["status"] == "ok"
    assert {r["process"] for r in pb["rows"]} == {"Brookfield Decides 2026"}
    assert pb["tiles"][0]["value"] == counted.result.spent and pb["tiles"][1]["value"] == 240
    authority = {s["slug"]: s for s in sections.collect(ward.parent)}["pb"]
    assert {r["process"] for r in authority["rows"]} == {"Brookfield Decides 2026", "Larkrise Youth Budget"}
    other = {s["slug"]: s for s in sections.collect(Area.objects.get(code="X05000001"))}["pb"]
    assert other["status"] == "empty"
    before = pb_outcomes.version()
    from commonground.budgeting.money import delivery_records
    from commonground.delivery import services as delivery

    record = delivery_records(counted)[counted.result.winners[0]]
    delivery.post_update("test", record, text="Done", status="complete", progress=100, spent_pence=0)
    assert pb_outcomes.version() != before  # dashboards cached per data version see the change
    assert {s["slug"]: s for s in sections.collect(ward)}["panels"]["status"] == "empty"
