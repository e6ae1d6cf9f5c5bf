"""Community Wealth Fund pages, ledger and 360Giving output, on the demo borough."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.fund import services
from commonground.fund.models import Award, Disbursement, Fund
from tests.conftest import SHARED, run_cli

STANDARD = SHARED / "standards" / "360giving"


def validate_360giving(data: dict) -> None:
    """Validate against the official package schema, resolving its $ref to the local grant schema."""
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    package = json.loads((STANDARD / "360-giving-package-schema.json").read_text())
    grant = json.loads((STANDARD / "360-giving-schema.json").read_text())
    registry = Registry().with_resources(
        [
            (uri, DRAFT202012.create_resource(grant))
            for uri in (grant["$id"], package["properties"]["grants"]["items"]["$ref"])
        ]  # fmt: skip
    )
    # The schemas name their dialect with an http:// URI; they are draft 2020-12, so the validator is stated here.
    validator = Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=str)
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]


FORM = {"name": "Demo Wealth Fund", "total": "1,000,000", "start_date": "2027-04-01", "years": "12",
        "eligibility": "left-behind", "policy": "per-capita", "profile": "even", "floor": "", "cap": ""}  # fmt: skip


@pytest.fixture
def admin_client(client, make_user, demo):
    client.force_login(make_user("fund@example.org", roles=(Role.RESIDENT, Role.FUND_ADMINISTRATOR)))
    return client


@pytest.fixture
def committed(admin_client):
    assert admin_client.post(reverse("fund:create"), FORM).status_code == 302
    assert admin_client.post(reverse("fund:commit", args=["demo-wealth-fund"])).status_code == 302
    return Fund.objects.get(slug="demo-wealth-fund")


@pytest.mark.django_db
def test_only_fund_administrators_create_and_see_drafts(client, make_user, demo):
    assert client.get(reverse("fund:create")).status_code == 302
    client.force_login(make_user("res@example.org", roles=(Role.RESIDENT,)))
    assert client.get(reverse("fund:create")).status_code == 403
    assert client.post(reverse("fund:create"), FORM).status_code == 403
    assert Fund.objects.count() == 0


@pytest.mark.django_db
def test_create_preview_commit(admin_client):
    created = admin_client.post(reverse("fund:create"), FORM)
    assert created.url == "/funds/demo-wealth-fund/preview/"
    preview = admin_client.get(created.url).content.decode()
    shapes = admin_client.get("/funds/demo-wealth-fund/preview.geojson").json()
    assert {f["properties"]["code"] for f in shapes["features"]} == {"X05000002", "X05000012"}
    assert '<dd class="govuk-summary-list__value" id="preview-count">2</dd>' in preview
    assert "£1,000,000" in preview and "Brookfield" in preview and "Larkrise" in preview
    assert "left-behind wards" in preview
    assert admin_client.get("/funds/demo-wealth-fund/").url == "/funds/demo-wealth-fund/preview/"
    admin_client.post(reverse("fund:commit", args=["demo-wealth-fund"]))
    fund = Fund.objects.get()
    assert fund.status == "committed" and len(fund.data_version) == 64
    awards = {a.ward_code: a for a in fund.awards.all()}
    assert set(awards) == {"X05000002", "X05000012"}
    assert sum(a.amount_pence for a in awards.values()) == 100_000_000
    assert all(sum(a.schedule_pounds) * 100 == a.amount_pence for a in awards.values())
    assert all(a.left_behind for a in awards.values())
    assert list(AuditRecord.objects.filter(action__startswith="fund.").values_list("action", flat=True)) == [
        "fund.create", "fund.commit"]  # fmt: skip
    again = admin_client.post(reverse("fund:commit", args=["demo-wealth-fund"]), follow=True)
    assert "already committed" in again.content.decode()
    assert Award.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"total": "a lot"}, "total", "Enter the total as a number of pounds"),
        ({"total": "100.50"}, "total", "Enter the total in whole pounds"),
        ({"start_date": "1 April"}, "start_date", "Enter the start date as year-month-day"),
        ({"eligibility": "custom", "custom_codes": "E05001645, NOPE"}, "custom_codes", "not ward codes: NOPE"),
        ({"floor": "500", "cap": "100"}, "cap", "at least the smallest award"),
        ({"years": "99"}, "years", "less than or equal to 50"),
    ],
)
def test_bad_fund_form_names_the_field(admin_client, change, field, message):
    response = admin_client.post(reverse("fund:create"), {**FORM, **change})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and f'id="id_{field}-error"' in html and message in html
    assert Fund.objects.count() == 0


@pytest.mark.django_db
def test_transparency_page_downloads_and_replay(client, committed, tmp_path):
    page = client.get("/funds/demo-wealth-fund/").content.decode()
    assert "Why these places, and how much" in page
    assert "commonground fund allocate --total 1000000 --years 12 --policy per-capita" in page
    assert 'id="left-behind-share">100%' in page
    assert "Larkrise" not in client.get("/funds/demo-wealth-fund/", {"q": "brook"}).content.decode().split(
        'id="awards"')[1]  # fmt: skip
    rows = list(csv.reader(io.StringIO(client.get("/funds/demo-wealth-fund/awards.csv").content.decode())))
    assert rows[0][:5] == ["Identifier", "Title", "Description", "Currency", "Amount Awarded"]
    assert {r[15] for r in rows[1:]} == {"X05000002", "X05000012"} and {r[16] for r in rows[1:]} == {"WD"}
    eligible = tmp_path / "eligible.csv"
    eligible.write_bytes(client.get("/funds/demo-wealth-fund/eligible.csv").content)
    replay = run_cli("fund", "allocate", "--total", "1000000", "--years", "12", "--policy", "per-capita",
                     "--eligible", str(eligible), "--format", "json")  # fmt: skip
    assert replay.returncode == 0, replay.stderr
    replayed = {a["ward_code"]: a["amount"] * 100 for a in json.loads(replay.stdout)["awards"]}
    assert replayed == {a.ward_code: a.amount_pence for a in committed.awards.all()}
    assert json.loads(replay.stdout)["data_version"] == committed.data_version


@pytest.mark.reference("standards")
@pytest.mark.django_db
def test_360giving_package_is_schema_valid_with_payments(client, committed, make_user):
    award = committed.awards.get(ward_code="X05000002")
    actor = make_user("payer@example.org", roles=(Role.FUND_ADMINISTRATOR,))
    services.record_disbursement(award.id, "payment", 12_345_67, dt.date(2027, 5, 1), "first year", actor)
    services.record_disbursement(award.id, "return", 100_00, dt.date(2027, 9, 1), "unspent", actor)
    data = client.get("/funds/demo-wealth-fund/360giving.json").json()
    validate_360giving(data)
    grant = next(g for g in data["grants"] if g["beneficiaryLocation"][0]["geoCode"] == "X05000002")
    assert grant["id"] == "360G-commonground-demo-wealth-fund-X05000002"
    assert grant["amountDisbursed"] == pytest.approx(12_245.67)
    assert [t["value"] for t in grant["disbursementTransaction"]] == [12_345.67, -100.0]
    assert grant["plannedDates"][0] == {"startDate": "2027-04-01", "endDate": "2039-03-31", "duration": 144}


@pytest.mark.reference("standards")
@pytest.mark.django_db
def test_export_command_writes_a_valid_package(committed, tmp_path):
    from typer.testing import CliRunner

    from commonground.cli import app

    out, csv_out = tmp_path / "grants.json", tmp_path / "grants.csv"
    result = CliRunner().invoke(app, ["fund", "export-360giving", "--out", str(out), "--csv", str(csv_out),
                                      "--prefix", "360G-demo"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    validate_360giving(data)
    assert {g["id"] for g in data["grants"]} == {"360G-demo-demo-wealth-fund-X05000002",
                                                 "360G-demo-demo-wealth-fund-X05000012"}  # fmt: skip
    assert csv_out.read_text().startswith("Identifier,Title,Description,Currency,Amount Awarded")


@pytest.mark.django_db
def test_ledger_refuses_overpayment_and_over_return(admin_client, committed):
    award = committed.awards.get(ward_code="X05000012")
    url = reverse("fund:record", args=["demo-wealth-fund", "X05000012"])
    over = admin_client.post(url, {"kind": "payment", "amount": str(award.amount_pounds + 1), "paid_on": "2027-05-01"})
    assert "more than the £" in over.content.decode() and Disbursement.objects.count() == 0
    ok = admin_client.post(url, {"kind": "payment", "amount": "1000.50", "paid_on": "2027-05-01", "note": "year 1"})
    assert ok.status_code == 302
    too_much_back = admin_client.post(url, {"kind": "return", "amount": "2000", "paid_on": "2027-06-01"})
    assert "cannot be more than the £1,000.50 paid so far" in too_much_back.content.decode()
    page = admin_client.get(reverse("fund:award", args=["demo-wealth-fund", "X05000012"])).content.decode()
    assert '<dd class="govuk-summary-list__value cg-number" id="award-paid">£1,000.50</dd>' in page
    assert AuditRecord.objects.filter(action="fund.payment").count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_never_exceed_the_award(make_user, demo):
    """Twelve simultaneous requests each try to pay a tenth of the award: exactly ten succeed."""
    admin = make_user("fund@example.org", roles=(Role.RESIDENT, Role.FUND_ADMINISTRATOR))
    client = Client()
    client.force_login(admin)
    client.post(reverse("fund:create"), FORM)
    client.post(reverse("fund:commit", args=["demo-wealth-fund"]))
    award = Award.objects.get(ward_code="X05000002")
    tenth = award.amount_pence // 10
    url = reverse("fund:record", args=["demo-wealth-fund", "X05000002"])
    statuses: list[int] = []
    barrier = threading.Barrier(12)

    def pay() -> None:
        c = Client()
        c.force_login(admin)
        barrier.wait()
        statuses.append(c.post(url, {"kind": "payment", "amount": f"{tenth / 100:.2f}", "paid_on": "2027-05-01"})
                        .status_code)  # fmt: skip
        connection.close()

    threads = [threading.Thread(target=pay) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200] + [302] * 10
    assert services.paid_pence(award) == 10 * tenth <= award.amount_pence


def test_committed_awards_get_public_delivery_records(committed, client):
    from commonground.delivery.models import Record

    record = Record.objects.get(reference="cwf:demo-wealth-fund:X05000002")
    award = committed.awards.get(ward_code="X05000002")
    assert (record.source, record.amount_pence, record.council.code) == ("cwf", award.amount_pence, "X09000001")
    assert Record.objects.filter(source="cwf").count() == committed.awards.count()
    assert "Demo Wealth Fund: Brookfield" in client.get("/delivery/").content.decode()
