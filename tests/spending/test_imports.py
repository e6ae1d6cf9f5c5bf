"""Importing spending as bodies publish it: Transparency Code fixture files (malformed rows named by line and
field, nothing half stored), payees who are people redacted and never in the audit, 360Giving, budgets."""

from __future__ import annotations

import json

import pytest

from commonground.audit.models import AuditRecord
from commonground.spending import services
from commonground.spending.models import Grant, Payment, ServiceBudget, SpendImport
from tests.conftest import run_cli
from tests.spending.conftest import BROOKFIELD, COUNCIL, GOOD_ROWS, LGA_HEADER, transparency_csv


def test_a_transparency_code_file_is_imported_whole_with_people_redacted(council, officer):
    batch = services.import_transparency(officer, council, "spend-2025-q1.csv", transparency_csv(GOOD_ROWS))
    assert (batch.rows, batch.total_pence, batch.redacted) == (5, 1745000, 2)
    payments = {p.transaction_number: p for p in Payment.objects.all()}
    assert payments["100002"].supplier == "REDACTED PERSONAL DATA" and payments["100002"].supplier_redacted
    assert payments["100002"].purpose == ""  # the purpose named her too
    assert payments["100004"].supplier == "REDACTED PERSONAL DATA"
    assert payments["100005"].amount_pence == -50000 and payments["100003"].financial_year == 2025
    assert not Payment.objects.filter(supplier__icontains="Smith").exists()
    assert not Payment.objects.filter(purpose__icontains="Smith").exists()
    audit = json.dumps(list(AuditRecord.objects.values("actor_label", "object_label", "before", "after")), default=str)
    assert "Smith" not in audit and "Acme" not in audit and '"redacted": 2' in audit
    with pytest.raises(services.SpendError, match="this file was imported already"):
        services.import_transparency(officer, council, "again.csv", transparency_csv(GOOD_ROWS))


def test_malformed_rows_are_named_and_nothing_is_stored(council, officer):
    rows = [
        *GOOD_ROWS[:2],
        ["Demo Borough Council", COUNCIL, "Highways", "", "Repairs", "31/09/2025", "100010", "900", "Fix Ltd", "", ""],
        [
            "Demo Borough Council",
            COUNCIL,
            "Highways",
            "",
            "Repairs",
            "01/10/2025",
            "100011",
            "nine hundred",
            "Fix Ltd",
            "",
            "",
        ],
        ["Demo Borough Council", COUNCIL, "Highways", "", "Repairs", "02/10/2025", "100012", "950", "", "", ""],
        ["Demo Borough Council", COUNCIL, "", "", "", "03/10/2025", "100013", "990", "Fix Ltd", "", ""],
    ]
    with pytest.raises(services.SpendError, match="4 rows cannot be read; nothing was imported") as raised:
        services.import_transparency(officer, council, "bad.csv", transparency_csv(rows))
    assert raised.value.errors == [
        "line 4, Date: '31/09/2025' is not a date (write it as dd/mm/yyyy or yyyy-mm-dd)",
        "line 5, Amount: 'nine hundred' is not an amount of money",
        "line 6, Supplier name: the supplier (beneficiary) is empty: write REDACTED PERSONAL DATA for a payment to "
        "an individual",
        "line 7, Expense area: neither the expense area nor the expense type is given",
    ]
    assert Payment.objects.count() == SpendImport.objects.count() == 0
    assert not AuditRecord.objects.filter(action__startswith="spending.import").exists()


def test_other_header_spellings_and_a_windows_file(council, officer):
    header = [
        "Organisation Name",
        "Payment Date",
        "Department",
        "Expense Description",
        "Supplier",
        "Net Amount",
        "Transaction Ref",
    ]
    data = transparency_csv([["Demo BC", "2025-06-30", "Leisure", "Pool chemicals", "Café Supplies", "£720.00", "9"]],
                            header).decode("utf-8-sig").encode("cp1252")  # fmt: skip
    batch = services.import_transparency(officer, council, "june.csv", data)
    payment = Payment.objects.get(batch=batch)
    assert (payment.expense_area, payment.supplier, payment.amount_pence) == ("Leisure", "Café Supplies", 72000)


def test_360giving_grants_into_the_area(council, officer):
    package = {"grants": [
        {"id": "360G-demo-1", "title": "Youth club", "description": "d", "currency": "GBP", "amountAwarded": 6000,
         "awardDate": "2025-06-01", "recipientOrganization": [{"id": "GB-CHC-1", "name": "Brookfield Youth"}],
         "fundingOrganization": [{"id": "GB-1", "name": "Demo Community Trust"}],
         "beneficiaryLocation": [{"geoCode": BROOKFIELD, "geoCodeType": "WD"}]},
        {"id": "360G-demo-2", "title": "Hardship grant", "description": "d", "currency": "GBP", "amountAwarded": 300,
         "awardDate": "2025-07-01", "recipientIndividual": {"id": "x", "name": "A Person"},
         "fundingOrganization": [{"id": "GB-1", "name": "Demo Community Trust"}],
         "beneficiaryLocation": [{"geoCode": "X01000006", "geoCodeType": "LSOA"}]},
        {"id": "360G-demo-3", "title": "Elsewhere", "description": "d", "currency": "GBP", "amountAwarded": 900,
         "awardDate": "2025-07-01", "recipientOrganization": [{"id": "GB-CHC-2", "name": "Far Away"}],
         "fundingOrganization": [{"id": "GB-1", "name": "Demo Community Trust"}],
         "beneficiaryLocation": [{"geoCode": "E05000001", "geoCodeType": "WD"}]},
    ]}  # fmt: skip
    batch = services.import_grants(officer, "grants.json", json.dumps(package).encode())
    assert (batch.rows, batch.skipped, batch.redacted, batch.total_pence) == (2, 1, 1, 630000)
    assert sorted(Grant.objects.values_list("recipient", flat=True)) == ["Brookfield Youth", "REDACTED PERSONAL DATA"]
    assert "A Person" not in json.dumps(list(AuditRecord.objects.values("after")), default=str)
    package["grants"][0]["amountAwarded"] = "six thousand"
    with pytest.raises(services.SpendError) as raised:
        services.import_grants(officer, "bad.json", json.dumps(package).encode())
    assert raised.value.errors == ["grant 1 (360G-demo-1), Amount Awarded: 'six thousand' is not an amount of money"]


@pytest.mark.reference("standards")
def test_the_360giving_fixture_is_valid_against_the_schema(council, officer):
    from tests.fund.test_fund import validate_360giving

    package = {"grants": [{"id": "360G-demo-1", "title": "Youth club", "description": "d", "currency": "GBP",
                           "amountAwarded": 6000, "awardDate": "2025-06-01",
                           "recipientOrganization": [{"id": "GB-CHC-1", "name": "Brookfield Youth"}],
                           "fundingOrganization": [{"id": "GB-1", "name": "Demo Community Trust"}],
                           "beneficiaryLocation": [{"geoCode": BROOKFIELD, "geoCodeType": "WD"}]}]}  # fmt: skip
    validate_360giving(package)
    assert services.import_grants(officer, "g.json", json.dumps(package).encode()).rows == 1


def test_service_budgets_name_unknown_bodies_and_areas(council, nhs, officer):
    text = (f"body,service,area_code,year,amount\n{nhs.name},Community nursing,{COUNCIL},2025-26,1200000\n"
            f"RXX,District nursing,{BROOKFIELD},2025-26,300000\n").encode()  # fmt: skip
    batch = services.import_budgets("test", "budgets.csv", text)
    assert batch.rows == 2 and ServiceBudget.objects.filter(body=nhs).count() == 2
    bad = (f"body,service,area_code,year,amount\nNobody,Nursing,{COUNCIL},2025-26,1\n"
           f"RXX,Nursing,E09999999,2025-26,1\nRXX,Nursing,{COUNCIL},2025,-4\n").encode()  # fmt: skip
    with pytest.raises(services.SpendError) as raised:
        services.import_budgets("test", "bad.csv", bad)
    assert raised.value.errors == ["line 4, amount: '-4' is negative"]
    bad = bad.replace(b",-4", b",4")
    with pytest.raises(services.SpendError) as raised:
        services.import_budgets(officer, "bad.csv", bad, may_act=lambda body: body.pk != nhs.pk)
    assert raised.value.errors == [
        "line 2, body: no public body called 'Nobody' is recorded (add it first)",
        "line 3, body: you do not act for Demo Community Health NHS Trust",
        "line 4, body: you do not act for Demo Community Health NHS Trust",
    ]


def test_the_command_line_import_names_bad_rows(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    assert run_cli("init-demo", env=env).returncode == 0
    made = run_cli("bodies", "create", "--name", "Demo Borough Council", "--kind", "council", "--code", COUNCIL,
                   "--council", COUNCIL, env=env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    slug = made.stdout.strip().splitlines()[-1]
    bad = tmp_path / "spend.csv"
    bad.write_bytes(transparency_csv([GOOD_ROWS[0], [*GOOD_ROWS[2][:7], "£3,000.0.0", *GOOD_ROWS[2][8:]]]))
    result = run_cli("spending", "import-transparency", str(bad), "--body", slug, env=env)
    assert result.returncode == 1
    assert "line 3, Amount: '£3,000.0.0' is not an amount of money" in result.stdout
    assert "Error: 1 row cannot be read; nothing was imported" in result.stderr
    good = tmp_path / "good.csv"
    good.write_bytes(transparency_csv(GOOD_ROWS))
    result = run_cli("spending", "import-transparency", str(good), "--body", slug, env=env)
    assert result.returncode == 0 and "Imported 5 payments, £17,450.00, 2 payee names redacted" in result.stdout
    shown = run_cli("spending", "place", BROOKFIELD, env=env)
    assert shown.returncode == 0 and "Demo Borough Council\tAdult Social Care\testimate" in shown.stdout


def test_header_without_required_columns_is_refused(council, officer):
    with pytest.raises(services.SpendError, match="the header has no Supplier name column"):
        services.import_transparency(
            officer, council, "x.csv", transparency_csv([["1"]], [h for h in LGA_HEADER if h != "Supplier Name"])
        )
