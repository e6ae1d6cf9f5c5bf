"""Pots: made by the council's officers, a ledger that never goes below zero (also under concurrent
requests), spend-by dates enforced, money set aside for a decision shared among its winners, 360Giving."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from commonground.audit.models import AuditRecord
from commonground.delivery.models import Record
from commonground.pots import services
from commonground.pots.models import Allocation, Entry, Pot
from commonground.pots.services import PotError
from tests.fund.test_fund import validate_360giving
from tests.money import DEMO_COUNCIL, council

pytestmark = pytest.mark.django_db
FORM = {"name": "Brookfield People's Fund", "source": "neighbourhood_cil", "amount": "100,000",
        "council_code": DEMO_COUNCIL, "neighbourhood": "", "may_pay_for": "Projects residents choose", "spend_by": "",
        "funder_name": ""}  # fmt: skip
D = dt.date


@pytest.fixture
def pot(officer):
    return services.create_pot(officer, name="Brookfield pot", source="council", amount_pence=100_000_00,
                               council=council())  # fmt: skip


def test_officer_makes_a_pot_and_anyone_reads_it(officer_client, client):
    made = officer_client.post(reverse("pots:create"), FORM)
    assert made.status_code == 302 and made.url == "/pots/brookfield-peoples-fund/"
    pot = Pot.objects.get()
    assert (pot.amount_pence, pot.funder_name, pot.council.code) == (100_000_00, "Demo Borough", DEMO_COUNCIL)
    page = client.get(made.url).content.decode()
    assert "£100,000" in page and "Projects residents choose" in page
    entry = AuditRecord.objects.get(action="pots.create")
    assert entry.actor_label.startswith("account ") and "officer@" not in json.dumps(entry.after)
    assert client.get("/api/pots/brookfield-peoples-fund").json()["left_pence"] == 100_000_00


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "lots"}, "amount", "Enter the amount as a number of pounds"),
        ({"amount": "0"}, "amount", "The amount must be more than £0"),
        ({"amount": "1e30"}, "amount", "must be £1,000,000,000,000 or less"),
        ({"amount": "2000000000000"}, "amount", "must be £1,000,000,000,000 or less"),
        ({"council_code": "E09999999"}, "council_code", "E09999999 is not a council"),
        ({"council_code": "X05000002"}, "council_code", "is not a council"),
        ({"source": "lottery"}, "source", "Select a valid choice"),
        ({"spend_by": "2027-13-45"}, "spend_by", "year-month-day"),
    ],
)
def test_bad_pot_form_names_the_field(officer_client, change, field, message):
    response = officer_client.post(reverse("pots:create"), {**FORM, **change})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert message in html and f'href="#id_{field}' in html
    assert not Pot.objects.exists()


def test_only_officers_of_the_pots_council_act_on_it(outsider_client, client, pot):
    assert client.get(reverse("pots:create")).status_code == 302  # sign in first
    assert outsider_client.post(reverse("pots:create"), FORM).status_code == 403
    assert outsider_client.get(reverse("pots:allocate", args=[pot.slug])).status_code == 403
    assert not Pot.objects.exclude(pk=pot.pk).exists()


def test_the_ledger_never_goes_below_zero(officer, pot):
    services.set_aside(officer, pot.pk, "pb:test", "A PB round", 60_000_00)
    assert services.balance(pot).available == 40_000_00
    with pytest.raises(PotError, match="has £40,000 left, less than the £50,000 asked for"):
        services.allocate(officer, pot.pk, title="Garden", recipient_name="Friends of the Park", amount_pence=50_000_00)
    a = services.allocate(officer, pot.pk, title="Garden", recipient_name="Friends of the Park", amount_pence=30_000_00,
                          ward_code="x05000002")  # fmt: skip
    assert a.ward_code == "X05000002" and a.reference == f"pot:{pot.slug}:{a.pk}"
    services.record_money(officer, a.pk, "pay", 10_000_00, D(2027, 1, 5))
    with pytest.raises(PotError, match="more than the £20,000 still to pay"):
        services.record_money(officer, a.pk, "pay", 20_000_01, D(2027, 1, 6))
    with pytest.raises(PotError, match="cannot be more than the £10,000 paid so far"):
        services.record_money(officer, a.pk, "return", 10_000_01, D(2027, 1, 6))
    services.record_money(officer, a.pk, "return", 4_000_00, D(2027, 2, 1))
    with pytest.raises(PotError, match="Only the £20,000 not yet paid"):
        services.record_money(officer, a.pk, "release", 20_000_01, D(2027, 2, 1))
    services.record_money(officer, a.pk, "release", 5_000_00, D(2027, 2, 1))
    assert services.allocation_balance(a) == (21_000_00, 6_000_00)
    b = services.balance(pot)
    assert (b.reserved, b.allocated, b.paid, b.available) == (60_000_00, 21_000_00, 6_000_00, 19_000_00)
    assert Record.objects.get(reference=a.reference).amount_pence == 30_000_00  # it got a delivery record
    actions = list(AuditRecord.objects.filter(action__startswith="pots.").values_list("action", flat=True))
    assert actions == ["pots.create", "pots.set_aside", "pots.allocate", "pots.pay", "pots.return", "pots.release"]


def test_spend_by_date_refuses_late_allocations_and_payments(officer):
    pot = services.create_pot(officer, name="S106 play", source="s106", amount_pence=5_000_00, council=council(),
                              spend_by=D(2027, 3, 31))  # fmt: skip
    a = services.allocate(
        officer, pot.pk, title="Swings", recipient_name="Parks", amount_pence=1_000_00, on=D(2027, 3, 1)
    )
    with pytest.raises(PotError, match="had to be paid by 31 March 2027"):
        services.record_money(officer, a.pk, "pay", 100, D(2027, 4, 1))
    with pytest.raises(PotError, match="had to be allocated by 31 March 2027"):
        services.allocate(officer, pot.pk, title="Slide", recipient_name="Parks", amount_pence=100, on=D(2027, 4, 1))


def test_money_set_aside_is_shared_among_winners_across_pots(officer):
    first = services.create_pot(
        officer, name="CIL pot", source="neighbourhood_cil", amount_pence=30_000_00, council=council()
    )
    second = services.create_pot(
        officer, name="Council pot", source="council", amount_pence=50_000_00, council=council()
    )
    services.set_aside(officer, first.pk, "pb:round", "Round", 30_000_00)
    services.set_aside(officer, second.pk, "pb:round", "Round", 20_000_00)
    with pytest.raises(PotError, match="has £30,000 left to set aside, less than the £40,000"):
        services.set_aside(officer, second.pk, "pb:round", "Round", 60_000_00)
    items = [{"reference": f"pb:round:{i}", "title": f"Project {i}", "recipient_name": "Group", "amount_pence": pence}
             for i, pence in enumerate([25_000_00, 15_000_00], start=1)]  # fmt: skip
    made = services.allocate_set_aside(officer, "pb:round", items, on=D(2027, 1, 10))
    assert [(a.pot.name, a.reference, services.allocation_balance(a)[0]) for a in made] == [
        ("CIL pot", "pb:round:1", 25_000_00), ("CIL pot", "pb:round:2", 5_000_00),
        ("Council pot", "pb:round:2", 10_000_00)]  # fmt: skip
    assert services.balance(first).available == 0
    assert services.balance(second).available == 40_000_00  # the 10,000 not needed went back
    assert [r for r, held in services.set_aside_for("pb:round") if held] == []
    assert Record.objects.filter(reference="pb:round:2").count() == 1  # one record for the split project


def test_allocate_view_and_money_view(officer_client, pot):
    url = reverse("pots:allocate", args=[pot.slug])
    bad = officer_client.post(url, {"title": "", "recipient_name": "Group", "amount": "5000", "ward_code": "Brookfield",
                                    "decided_on": "2027-01-10"})  # fmt: skip
    html = bad.content.decode()
    assert "Say what the money is for" in html and "BROOKFIELD is not a ward" in html
    ok = officer_client.post(url, {"title": "Benches", "recipient_name": "Friends", "amount": "5,000.50",
                                   "ward_code": "X05000002", "decided_on": "2027-01-10"})  # fmt: skip
    assert ok.status_code == 302
    a = Allocation.objects.get()
    over = officer_client.post(reverse("pots:money", args=[pot.slug, a.pk]),
                               {"kind": "pay", "amount": "6000", "on": "2027-01-11"})  # fmt: skip
    assert "more than the £5,000.50 still to pay" in over.content.decode()
    paid = officer_client.post(reverse("pots:money", args=[pot.slug, a.pk]),
                               {"kind": "pay", "amount": "5000.50", "on": "2027-01-11"})  # fmt: skip
    assert paid.status_code == 302 and services.allocation_balance(a) == (5_000_50, 5_000_50)


@pytest.mark.reference("standards")
def test_allocations_publish_as_valid_360giving_with_ward_codes(client, officer, pot):
    a = services.allocate(officer, pot.pk, title="Youth club nights", recipient_name="Brookfield Youth",
                          amount_pence=12_000_00, ward_code="X05000002", on=D(2027, 1, 10))  # fmt: skip
    services.record_money(officer, a.pk, "pay", 6_000_00, D(2027, 2, 1))
    services.allocate(officer, pot.pk, title="Borough-wide", recipient_name="Council", amount_pence=1_00)
    data = json.loads(client.get(reverse("pots:360giving", args=[pot.slug])).content)
    validate_360giving(data)
    grant = next(g for g in data["grants"] if g["title"] == "Youth club nights")
    assert grant["beneficiaryLocation"] == [{"name": "Brookfield", "geoCode": "X05000002", "geoCodeType": "WD",
                                             "countryCode": "GB"}]  # fmt: skip
    assert grant["amountAwarded"] == 12_000 and grant["amountDisbursed"] == 6_000
    assert grant["fundingOrganization"][0]["name"] == "Demo Borough"
    assert "beneficiaryLocation" not in next(g for g in data["grants"] if g["title"] == "Borough-wide")
    assert client.get(reverse("pots:360giving-all")).status_code == 200


def test_nothing_to_publish_is_a_clear_404(client, pot):
    response = client.get(reverse("pots:360giving", args=[pot.slug]))
    assert response.status_code == 404 and "Nothing has been allocated yet" in response.content.decode()


def test_api_lists_pots_and_404s(client, pot):
    assert [p["slug"] for p in client.get("/api/pots").json()] == [pot.slug]
    assert client.get("/api/pots/nope").status_code == 404


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_overspend(make_user, demo):
    """Twelve simultaneous requests each try to allocate a tenth of the pot: exactly ten succeed."""
    from tests.money import scoped_officer

    officer = scoped_officer(make_user, "officer@example.org", DEMO_COUNCIL)
    pot = services.create_pot(officer, name="Race", source="council", amount_pence=100_000_00, council=council())
    url = reverse("pots:allocate", args=[pot.slug])
    statuses: list[int] = []
    barrier = threading.Barrier(12)

    def allocate(n: int) -> None:
        c = Client()
        c.force_login(officer)
        barrier.wait()
        response = c.post(url, {"title": f"Project {n}", "recipient_name": "Group", "amount": "10000",
                                "decided_on": "2027-01-10"})  # fmt: skip
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=allocate, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200] + [302] * 10
    assert services.balance(pot).available == 0
    assert Entry.objects.filter(kind="allocate").count() == 10
