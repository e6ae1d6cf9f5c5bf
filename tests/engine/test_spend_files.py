"""Reading published spending: Transparency Code header variants, row errors by line and field, redaction,
360Giving and service budgets; allocation keys exactly; points in polygons."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import pytest

from commonground.engine import geometry, spend_keys, spendfiles


def test_the_lga_layout_and_other_header_spellings_are_read():
    lga = ("Body Name,Body,Service Area Categorisation,Responsible Unit,Expenses Type,Date,Transaction Number,Amount,"
           "Supplier Name\nDemo Council,X09000001,Adult Social Care,Care homes,Residential care,05/04/2025,T1,"
           '"£1,250.50",Acme Care Ltd\n')  # fmt: skip
    parsed = spendfiles.read_transparency(lga)
    assert parsed.errors == [] and len(parsed.rows) == 1
    row = parsed.rows[0]
    assert (row["date"], row["amount_pence"], row["supplier"]) == (dt.date(2025, 4, 5), 125050, "Acme Care Ltd")
    assert (row["expense_area"], row["expense_type"], row["financial_year"]) == (
        "Adult Social Care",
        "Residential care",
        2025,
    )
    other = (
        "Payment Date;Supplier;Net Amount;Department;Expense Description\n2025-03-31;Bus Co;(600.00);Transport;Fares\n"
    )
    row = spendfiles.read_transparency(other).rows[0]
    assert (row["amount_pence"], row["financial_year"], row["expense_area"]) == (-60000, 2024, "Transport")


def test_each_bad_row_is_named_by_line_and_field():
    text = ("Date,Supplier Name,Amount,Expense Area\n01/05/2025,A Ltd,700,Parks\n31/02/2025,B Ltd,800,Parks\n"
            "02/05/2025,C Ltd,12x,Parks\n\n03/05/2025,,900,Parks\n04/05/2025,D Ltd,1.005,\n")  # fmt: skip
    parsed = spendfiles.read_transparency(text)
    assert parsed.errors == [
        "line 3, Date: '31/02/2025' is not a date (write it as dd/mm/yyyy or yyyy-mm-dd)",
        "line 4, Amount: '12x' is not an amount of money",
        "line 6, Supplier name: the supplier (beneficiary) is empty: write REDACTED PERSONAL DATA for a payment to "
        "an individual",
        "line 7, Amount: '1.005' has more than two decimal places",
        "line 7, Expense area: neither the expense area nor the expense type is given",
    ]
    with pytest.raises(spendfiles.SpendFileError, match="the header has no Supplier name column"):
        spendfiles.read_transparency("Date,Amount,Expense Area\n01/05/2025,700,Parks\n")


@pytest.mark.parametrize(
    ("payee", "kind", "redacted"),
    [("REDACTED PERSONAL DATA", "", True), ("Redacted - personal data", "", True), ("Mrs A Jones", "", True),
     ("Dr. Patel", "", True), ("A Jones", "Individual", True), ("Jones Plumbing", "Sole trader", False),
     ("Mrs Miggins Pies Ltd", "Company", False), ("Mister Softee Ltd", "", False)],
)  # fmt: skip
def test_payments_to_people_are_redacted(payee, kind, redacted):
    assert spendfiles.redact(payee, kind) == ((spendfiles.REDACTED, True) if redacted else (payee, False))


def test_a_redacted_row_keeps_no_purpose_either():
    text = (
        "Date,Supplier Name,Supplier Type,Amount,Expense Area,Purpose\n"
        "01/05/2025,Ann Lee,Individual,700,Care,Ann Lee's care\n"
    )
    row = spendfiles.read_transparency(text).rows[0]
    assert row["supplier"] == spendfiles.REDACTED and row["purpose"] == "" and "Ann" not in json.dumps(row, default=str)


def test_360giving_json_and_csv():
    package = {
        "grants": [
            {
                "id": "360G-x-1",
                "title": "Youth club",
                "currency": "GBP",
                "amountAwarded": 5000,
                "awardDate": "2025-06-01",
                "recipientOrganization": [{"name": "Brookfield Youth"}],
                "fundingOrganization": [{"id": "GB-1", "name": "Trust"}],
                "beneficiaryLocation": [{"geoCode": "X05000002", "geoCodeType": "WD"}],
            },
            {
                "id": "360G-x-2",
                "title": "Bursary",
                "currency": "GBP",
                "amountAwarded": "lots",
                "awardDate": "2025-13-01",
                "recipientIndividual": {"name": "Someone"},
                "fundingOrganization": [{"name": "Trust"}],
            },
        ]
    }
    parsed = spendfiles.read_360giving(json.dumps(package))
    assert parsed.errors == [
        "grant 2 (360G-x-2), Amount Awarded: 'lots' is not an amount of money",
        "grant 2 (360G-x-2), Award Date: '2025-13-01' is not a date (YYYY-MM-DD)",
    ]
    assert parsed.rows[0]["locations"] == [{"code": "X05000002", "type": "WD"}]
    csv_text = ("Identifier,Title,Currency,Amount Awarded,Award Date,Recipient Org:Name,Funding Org:Name,"
                "Beneficiary Location:0:Geographic Code,Beneficiary Location:0:Geographic Code Type\n"
                "360G-y-1,Hall,GBP,1200.50,2025-07-01,Hall CIC,Fund,X01000006,LSOA\n")  # fmt: skip
    row = spendfiles.read_360giving(csv_text).rows[0]
    assert (row["amount_pence"], row["locations"]) == (120050, [{"code": "X01000006", "type": "LSOA"}])


def test_budgets_and_financial_years():
    text = "body,service,area_code,year,amount\nDemo NHS,Community nursing,x09000001,2025-26,100000\nA,B,C,2025-27,1\n"
    parsed = spendfiles.read_budgets(text)
    assert parsed.rows[0]["area_code"] == "X09000001" and parsed.rows[0]["financial_year"] == 2025
    assert parsed.errors == ["line 3, year: '2025-27' is not one financial year (write 2025-26)"]
    assert spendfiles.year_label(2025) == "2025-26" and spendfiles.financial_year(dt.date(2026, 3, 31)) == 2025


def test_allocation_keys_are_exact():
    lsoas = [spend_keys.Lsoa("a", 1000, Fraction(40)), spend_keys.Lsoa("b", 3000, Fraction(10))]
    assert spend_keys.share(lsoas[:1], lsoas, spend_keys.POPULATION) == Fraction(1, 4)
    assert spend_keys.share(lsoas[:1], lsoas, spend_keys.NEED) == Fraction(40000, 70000)
    parts = spend_keys.allocate(100, {"a": 1, "b": 2})
    assert parts == {"a": Fraction(100, 3), "b": Fraction(200, 3)} and sum(parts.values()) == 100
    with pytest.raises(spend_keys.AllocationError, match="no IMD score is loaded for c"):
        spend_keys.weight([spend_keys.Lsoa("c", 10)], spend_keys.NEED)


def test_points_fall_in_polygons_but_not_their_holes():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
                                                 [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]}  # fmt: skip
    assert geometry.contains(square, 3, 3) and not geometry.contains(square, 1.5, 1.5)
    assert not geometry.contains(square, 5, 1)
    multi = {"type": "MultiPolygon", "coordinates": [square["coordinates"], [[[10, 10], [11, 10], [11, 11], [10, 10]]]]}
    assert geometry.contains(multi, 10.8, 10.2) and geometry.bounds(multi) == (0, 0, 11, 11)
