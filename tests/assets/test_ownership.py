"""Ownership register: HM Land Registry company-ownership CSV layout, row-level errors, atomic, search."""

from __future__ import annotations

import csv
import io

import pytest

from commonground.assets import ownership
from commonground.assets.models import Proprietor, Title
from tests.conftest import run_cli

UK_HEADER = [
    "Title Number",
    "Tenure",
    "Property Address",
    "District",
    "County",
    "Region",
    "Postcode",
    "Multiple Address Indicator",
    "Price Paid",
]
for n in (1, 2, 3, 4):
    UK_HEADER += [
        f"Proprietor Name ({n})",
        f"Company Registration No. ({n})",
        f"Proprietorship Category ({n})",
        f"Proprietor ({n}) Address (1)",
        f"Proprietor ({n}) Address (2)",
        f"Proprietor ({n}) Address (3)",
    ]
UK_HEADER += ["Date Proprietor Added", "Additional Proprietor Indicator"]


def ccod(rows: list[dict], header: list[str] = UK_HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


RED_LION = {
    "Title Number": "DE12345",
    "Tenure": "Freehold",
    "Property Address": "The Red Lion, 1 High Street, Demoton",
    "District": "DEMO BOROUGH",
    "County": "DEMOSHIRE",
    "Region": "WEST MIDLANDS",
    "Postcode": "DE1 1AA",
    "Multiple Address Indicator": "N",
    "Price Paid": "450000",
    "Proprietor Name (1)": "BIG BREWERY PLC",
    "Company Registration No. (1)": "01234567",
    "Proprietorship Category (1)": "Limited Company or Public Limited Company",
    "Proprietor (1) Address (1)": "Brewery House, Burton",
    "Date Proprietor Added": "25-03-2021",
    "Additional Proprietor Indicator": "N",
}
SHOP = {
    **RED_LION,
    "Title Number": "DE999",
    "Property Address": "3 Market Place, Demoton",
    "Postcode": "DE1 2BB",
    "Proprietor Name (1)": "HIGH STREET HOLDINGS LTD",
    "Company Registration No. (1)": "sc765432",
    "Proprietor Name (2)": "SECOND OWNER LLP",
    "Company Registration No. (2)": "OC300001",
    "Price Paid": "",
}


def test_import_and_search(db):
    counts = ownership.import_titles(io.StringIO(ccod([RED_LION, SHOP])), source="test.csv")
    assert counts == {"created": 2, "updated": 0, "titles": 2}
    title = Title.objects.get(title_number="DE12345")
    assert title.price_paid_pence == 45_000_000 and title.date_proprietor_added.isoformat() == "2021-03-25"
    assert title.dataset == "uk"
    shop = Title.objects.get(title_number="DE999")
    assert [p.name for p in shop.proprietors.all()] == ["HIGH STREET HOLDINGS LTD", "SECOND OWNER LLP"]
    assert shop.price_paid_pence is None
    assert [t.title_number for t in ownership.search("high street")] == ["DE12345", "DE999"]
    assert [t.title_number for t in ownership.search("brewery")] == ["DE12345"]
    assert [t.title_number for t in ownership.search("SC765432")] == ["DE999"]
    assert [t.title_number for t in ownership.search("de12bb")] == ["DE999"]
    assert list(ownership.search("   ")) == []


def test_reimport_replaces_proprietors(db):
    ownership.import_titles(io.StringIO(ccod([SHOP])))
    changed = {**SHOP, "Proprietor Name (2)": "", "Company Registration No. (2)": ""}
    assert ownership.import_titles(io.StringIO(ccod([changed])))["updated"] == 1
    assert Proprietor.objects.count() == 1


def test_row_errors_name_row_and_column_and_nothing_is_written(db):
    bad_date = {**SHOP, "Date Proprietor Added": "2021/13/45"}
    bad_price = {**RED_LION, "Title Number": "DE2", "Price Paid": "lots"}
    no_owner = {**RED_LION, "Title Number": "DE3", "Proprietor Name (1)": ""}
    with pytest.raises(ownership.OwnershipImportError) as error:
        ownership.import_titles(io.StringIO(ccod([RED_LION, bad_date, bad_price, no_owner, RED_LION])))
    errors = error.value.errors
    assert "row 3, Date Proprietor Added: '2021/13/45' is not a date like 25-03-2021" in errors
    assert "row 4, Price Paid: 'lots' is not a whole number of pounds" in errors
    assert any(e.startswith("row 5, Proprietor Name (1): empty") for e in errors)
    assert "row 6, Title Number: DE12345 already appears on row 2" in errors
    assert not Title.objects.exists()


def test_missing_columns_and_empty_file(db):
    with pytest.raises(ownership.OwnershipImportError, match="no column 'Title Number'"):
        ownership.import_titles(io.StringIO("Name,Address\nx,y\n"))
    with pytest.raises(ownership.OwnershipImportError, match="no rows"):
        ownership.import_titles(io.StringIO(ccod([])))


def test_overseas_layout(db):
    header = [*UK_HEADER]
    header.insert(header.index("Proprietor (1) Address (1)"), "Country Incorporated (1)")
    row = {**RED_LION, "Proprietor Name (1)": "OFFSHORE HOLDINGS SA", "Country Incorporated (1)": "LUXEMBOURG"}
    ownership.import_titles(io.StringIO(ccod([row], header)))
    title = Title.objects.get()
    assert title.dataset == "overseas"
    assert title.proprietors.get().country_incorporated == "LUXEMBOURG"


@pytest.mark.sqlite
def test_cli_import_is_atomic(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    good = tmp_path / "ccod.csv"
    good.write_text(ccod([RED_LION, SHOP]), encoding="utf-8")
    result = run_cli("assets", "import-ownership", str(good), env=env)
    assert result.returncode == 0, result.stderr
    assert "Imported 2 titles (2 new, 0 replaced)" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(ccod([{**RED_LION, "Tenure": "Commonhold-ish"}]), encoding="utf-8")
    result = run_cli("assets", "import-ownership", str(bad), env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("Error:") and "row 2, Tenure" in result.stderr
