"""Developer contributions: the national files imported all or nothing by the council's officers, every
mistake named; S106 spend-by clocks and reminders; the neighbourhood portion of CIL in a zone; pots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonground.audit.models import AuditRecord
from commonground.contributions import services
from commonground.contributions.models import Agreement, CilZone, Contribution, Reminder, Transaction
from commonground.engine import contributions as standard
from commonground.pots.models import Pot
from tests.conftest import run_cli
from tests.money import DEMO_COUNCIL, council

pytestmark = pytest.mark.django_db
FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures"
NAMES = {"agreements": standard.AGREEMENT, "contributions": standard.CONTRIBUTION, "transactions": standard.TRANSACTION}
D = dt.date
T_HEAD = b"reference,developer-agreement-contribution,contribution-funding-status,amount,start-date\n"


def files(**replace: bytes) -> dict:
    return {
        key: (f"{name}.csv", replace.get(key, (FIXTURES / f"{name}.csv").read_bytes())) for key, name in NAMES.items()
    }


def uploads(**replace: bytes) -> dict:
    return {
        key: SimpleUploadedFile(name, data, content_type="text/csv") for key, (name, data) in files(**replace).items()
    }


@pytest.fixture
def imported(officer):
    return services.import_files(officer, council(), **files())


def test_officer_imports_the_files_and_anyone_reads_them(officer_client, client):
    response = officer_client.post(reverse("contributions:import", args=[DEMO_COUNCIL]), uploads())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (Agreement.objects.count(), Contribution.objects.count(), Transaction.objects.count()) == (4, 5, 7)
    page = client.get(reverse("contributions:council", args=[DEMO_COUNCIL])).content.decode()
    assert "Brookfield Mill redevelopment" in page and "2025-26" in page and "£450,000" in page
    detail = client.get(reverse("contributions:agreement", args=[DEMO_COUNCIL, "DA-2021-001"])).content.decode()
    assert "On first occupation" in detail and "£80,000" in detail  # received 120,000, spent 40,000
    entry = AuditRecord.objects.get(action="contributions.import")
    assert entry.after["agreements_added"] == 4 and len(entry.after["files"]) == 3
    assert all(len(h) == 64 for h in entry.after["files"].values())
    api = client.get(f"/api/contributions/{DEMO_COUNCIL}/agreements").json()
    assert api[0]["contributions"][0]["transactions"][0]["status"] == "received"


def test_importing_again_updates_rows_rather_than_repeating_them(officer, imported):
    changed = (
        (FIXTURES / "developer-agreement.csv").read_bytes().replace(b"Brookfield Mill redevelopment", b"Mill Yard")
    )
    again = services.import_files(officer, council(), **files(agreements=changed))
    assert again.counts["agreements_updated"] == 4 and "agreements_added" not in again.counts
    assert Agreement.objects.get(reference="DA-2021-001").name == "Mill Yard"
    assert Agreement.objects.count() == 4


def test_a_later_file_may_refer_to_rows_imported_before(officer, imported):
    extra = T_HEAD + b"DAT-100,DAC-003,spent,5000,2026-06-01\n"
    empty_agreements = b"reference,developer-agreement-type\n"
    empty_contributions = b"reference,developer-agreement,contribution-purpose,amount\n"
    services.import_files(officer, council(), **files(agreements=empty_agreements, contributions=empty_contributions,
                                                      transactions=extra))  # fmt: skip
    assert Transaction.objects.get(reference="DAT-100").contribution.reference == "DAC-003"


def test_one_bad_row_stores_nothing_and_every_mistake_is_listed(officer_client):
    bad = (FIXTURES / "developer-agreement-transaction.csv").read_bytes()
    bad = bad.replace(b"DAT-004,DAC-003,received,85000.00", b"DAT-004,DAC-999,received,85k")
    response = officer_client.post(reverse("contributions:import", args=[DEMO_COUNCIL]), uploads(transactions=bad))
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert (
        "developer-agreement-transaction.csv, line 5, field developer-agreement-contribution: &#x27;DAC-999&#x27;"
        in html
    )
    assert "line 5, field amount: &#x27;85k&#x27; is not an amount" in html
    assert not Agreement.objects.exists() and not AuditRecord.objects.filter(action="contributions.import").exists()


def test_a_file_that_is_not_utf8_is_named(officer):
    with pytest.raises(services.ContributionsError, match=r"developer-agreement.csv: byte \d+ is not UTF-8 text"):
        services.import_files(officer, council(), **files(agreements="reference,name\nA,Café\n".encode("latin-1")))


def test_only_the_councils_officers_import_and_see_deadlines(outsider_client, client):
    for name in ("contributions:import", "contributions:deadlines", "contributions:zone-create"):
        assert outsider_client.get(reverse(name, args=[DEMO_COUNCIL])).status_code == 403
        assert client.get(reverse(name, args=[DEMO_COUNCIL])).status_code == 302
    assert client.get(reverse("contributions:council", args=["Z99"])).status_code == 404


def test_spend_by_clocks_and_reminders(officer, officer_client, imported):
    rows = services.clocks(council(), D(2026, 12, 10))
    assert [(r["contribution"].reference, r["clock"].unspent_pence, r["clock"].state) for r in rows] == [
        ("DAC-001", 80_000_00, "due-within-6-months"), ("DAC-003", 85_000_00, "on-track")]  # fmt: skip
    assert rows[0]["clock"].next_reminder == D(2026, 12, 31)
    assert Reminder.objects.filter(contribution__reference="DAC-001").count() == 5
    due = services.due_reminders(D(2026, 12, 10))
    assert [r.what for r in due] == ["12 months before the spend-by date", "6 months before the spend-by date"]
    assert services.mark_sent(officer, due) == 2 and services.mark_sent(officer, due) == 0
    assert services.due_reminders(D(2026, 12, 10)) == []
    page = officer_client.get(reverse("contributions:deadlines", args=[DEMO_COUNCIL])).content.decode()
    assert "DAC-001" in page and "may require it to be repaid to the developer" in page


def test_spent_money_needs_no_reminder(officer, imported):
    spent = T_HEAD + b"DAT-200,DAC-001,spent,80000,2026-01-01\n"
    services.import_files(officer, council(), **files(transactions=spent))
    assert services.due_reminders(D(2026, 12, 10)) == []


def test_remind_command(imported):
    from typer.testing import CliRunner

    from commonground.cli import app

    bad = CliRunner().invoke(app, ["contributions", "remind", "--today", "2027-13-01"])
    assert bad.exit_code == 1 and "--today must be a date like 2027-01-31" in bad.output
    due = CliRunner().invoke(app, ["contributions", "remind", "--today", "2026-12-10", "--mark-sent"])
    assert "X09000001 DAC-001 (open-space): 6 months before the spend-by date" in due.output
    assert "2 reminders due" in due.output
    assert "0 reminders due" in CliRunner().invoke(app, ["contributions", "remind", "--today", "2026-12-10"]).output


@pytest.fixture
def zone(officer, brookfield, imported):
    return services.create_zone(officer, council(), name="Brookfield", wards=["X05000002"], neighbourhood=brookfield)


def test_neighbourhood_portion_without_a_parish(client, zone):
    """No parish in the demo borough (reg 59F): 15% of the £450,000 received in 2025-26, with no cap."""
    found = services.portion(zone)
    assert [(y.label, y.passed_pence) for y in found.years] == [("2025-26", 67_500_00)]
    page = client.get(reverse("contributions:zone", args=[zone.pk])).content.decode()
    assert "Reg 59F" in page and "£67,500" in page
    assert client.get(f"/api/contributions/zones/{zone.pk}").json()["years"][0]["portion_pence"] == 67_500_00


def test_with_a_parish_of_500_dwellings_the_cap_applies(officer, imported):
    zone = services.create_zone(officer, council(), name="Brookfield parish", wards=["X05000002"], local_council=True,
                                local_council_name="Brookfield Parish Council", dwellings=500)  # fmt: skip
    year = services.portion(zone).year(2025)
    assert (year.cap_pence, year.passed_pence) == (50_000_00, 50_000_00)
    assert [(p.due, p.passed_pence) for p in year.payments] == [
        (D(2025, 10, 28), 37_500_00),
        (D(2026, 4, 28), 12_500_00),
    ]


def test_a_plan_made_before_the_receipts_gives_25_percent(officer, imported):
    zone = services.create_zone(officer, council(), name="Planned", wards=["X05000002"], plan_made_on=D(2025, 9, 1))
    year = services.portion(zone).year(2025)
    assert year.passed_pence == 37_500_00 + 50_000_00  # June receipt at 15%, November receipt at 25%


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"wards": "Brookfield"}, "wards", "BROOKFIELD is not a ward"),
        ({"wards": "X05000099"}, "wards", "Not a loaded ward: X05000099"),
        ({"local_council": "yes", "dwellings": ""}, "dwellings", "Enter the number of council tax dwellings"),
        (
            {"local_council": "yes", "dwellings": "500", "local_rate_percent": "20"},
            "local_rate_percent",
            "only for areas without a parish",
        ),
        ({"local_rate_percent": "10"}, "local_rate_percent", "greater than or equal to 15"),
        ({"index_factor": "0"}, "index_factor", "greater than or equal to 0.0001"),
        ({"dwellings": "many"}, "dwellings", "whole number"),
    ],
)
def test_zone_form_errors_name_the_field(officer_client, imported, change, field, message):
    form = {"name": "Zone", "wards": "X05000002", "neighbourhood": "", "local_council": "no",
            "local_council_name": "", "dwellings": "", "plan_made_on": "", "index_factor": "1", "cap_year": "receipt",
            "local_rate_percent": ""}  # fmt: skip
    response = officer_client.post(reverse("contributions:zone-create", args=[DEMO_COUNCIL]), {**form, **change})
    html = response.content.decode()
    assert response.status_code == 200 and message in html and f'href="#id_{field}' in html
    assert not CilZone.objects.exists()


def test_pot_from_a_zones_year_once(officer_client, zone):
    url = reverse("contributions:zone-pot", args=[zone.pk])
    made = officer_client.post(url, {"year": "2025"})
    pot = Pot.objects.get()
    assert made.url == pot.get_absolute_url() and pot.amount_pence == 67_500_00 and pot.source == "neighbourhood_cil"
    assert pot.neighbourhood == zone.neighbourhood and "reg 59F" in pot.may_pay_for
    again = officer_client.post(url, {"year": "2025"}, follow=True)
    assert "A pot was already made from this money" in again.content.decode() and Pot.objects.count() == 1
    none = officer_client.post(url, {"year": "2019"}, follow=True)
    assert "There is no neighbourhood portion for 2019-20" in none.content.decode()
    assert officer_client.post(url, {"year": "soon"}, follow=True).status_code == 200


def test_pot_from_section_106_money(officer_client, imported):
    response = officer_client.post(reverse("contributions:contribution-pot", args=[DEMO_COUNCIL, "DAC-001"]))
    pot = Pot.objects.get()
    assert response.url == pot.get_absolute_url()
    assert (pot.amount_pence, pot.spend_by, pot.source) == (80_000_00, D(2027, 3, 31), "s106")
    assert "Open space" in pot.may_pay_for
    cil = officer_client.post(reverse("contributions:contribution-pot", args=[DEMO_COUNCIL, "DAC-004"]), follow=True)
    assert "Only Section 106 money" in cil.content.decode()


def test_cli_import_names_every_mistake_then_imports(demo, tmp_path):
    from typer.testing import CliRunner

    from commonground.cli import app

    def run(**replace: bytes):
        for name, data in files(**replace).values():
            (tmp_path / name).write_bytes(data)
        args = ["contributions", "import", "--council", DEMO_COUNCIL] + [
            arg for key, name in NAMES.items() for arg in (f"--{key}", str(tmp_path / f"{name}.csv"))]  # fmt: skip
        return CliRunner().invoke(app, args, prog_name="commonground")

    bad = (FIXTURES / "developer-agreement-contribution.csv").read_bytes().replace(b"85000.00", b"85000.001")
    failed = run(contributions=bad)
    assert failed.exit_code == 1 and not Agreement.objects.exists()
    assert "developer-agreement-contribution.csv, line 4, field amount: '85000.001'" in failed.output
    done = run()
    assert done.exit_code == 0, done.output
    assert "agreements added: 4" in done.output and Transaction.objects.count() == 7
    listed = CliRunner().invoke(app, ["contributions", "deadlines", "--council", DEMO_COUNCIL, "--today", "2026-12-10",
                                      "--format", "json"])  # fmt: skip
    assert '"DAC-001"' in listed.output and '"due-within-6-months"' in listed.output


def test_cli_on_a_database_not_set_up_says_so(tmp_path):
    result = run_cli("contributions", "remind", env={"COMMONGROUND_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and "run `commonground migrate` first" in result.stdout + result.stderr


def test_reminders_go_to_the_councils_officers_through_the_outbox(officer, outsider, imported):
    from commonground.notify.models import Notice

    queued = Notice.objects.filter(template="contributions.spend_by").order_by("due_at")
    assert {n.recipient_email for n in queued} == {"officer@example.org"}  # not the other council's officer
    assert {n.related_label for n in queued} == {"DAC-001 (open-space)", "DAC-003 (education)"}
    first = queued.filter(related_label__startswith="DAC-001").first()
    assert "Section 106 money to spend by 31 March 2027" in first.subject and "agreement's own" in first.body
    assert services.schedule_notices() == 0  # each made once
    spent = T_HEAD + b"DAT-300,DAC-001,spent,80000,2026-11-01\n"
    services.import_files(officer, council(), **files(transactions=spent))
    left = Notice.objects.filter(template="contributions.spend_by", status="queued")
    assert {n.related_label for n in left} == {"DAC-003 (education)"}  # spent money: its reminders cancelled
    assert services.daily(D(2027, 2, 28)) == 0
    assert not services.due_reminders(D(2027, 2, 28))
