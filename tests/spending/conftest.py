"""Spending fixtures: Demo Borough's council as a public body, an NHS trust serving it, and spending files in
the Transparency Code layout written by the tests (with malformed rows where a test wants them)."""

from __future__ import annotations

import csv
import io

import pytest

from commonground.accounts.models import RoleGrant
from commonground.accounts.roles import Role

COUNCIL = "X09000001"
BROOKFIELD = "X05000002"
LGA_HEADER = ["Body Name", "Body", "Service Area Categorisation", "Responsible Unit", "Expenses Type", "Date",
              "Transaction Number", "Amount", "Supplier Name", "Supplier Type", "Purpose"]  # fmt: skip


def transparency_csv(rows: list[list[str]], header=LGA_HEADER) -> bytes:
    """A spending over £500 file in the LGA/CIPFA Transparency Code layout."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


GOOD_ROWS = [
    ["Demo Borough Council", COUNCIL, "Adult Social Care", "Home care", "Care packages", "07/04/2025", "100001",
     "12,500.00", "Acme Care Ltd", "Company", "Home care for April"],
    ["Demo Borough Council", COUNCIL, "Adult Social Care", "Direct payments", "Direct payments", "14/04/2025",
     "100002", "1,800.00", "Mrs Jane Smith", "", "Direct payment to Mrs Jane Smith"],
    ["Demo Borough Council", COUNCIL, "Highways", "Street lighting", "Electricity", "02/03/2026", "100003",
     "3,000.00", "Bright Energy plc", "Company", "Street lights"],
    ["Demo Borough Council", COUNCIL, "Children's Services", "Fostering", "Allowances", "10/05/2025", "100004",
     "650.00", "REDACTED PERSONAL DATA", "Individual", "Fostering allowance"],
    ["Demo Borough Council", COUNCIL, "Highways", "Refunds", "Credit note", "12/05/2025", "100005", "(500.00)",
     "Bright Energy plc", "Company", "Credit"],
]  # fmt: skip


@pytest.fixture
def council(demo):
    from commonground.places.models import Area
    from commonground.publicbodies import services

    return services.council_body("test", Area.objects.get(code=COUNCIL))


@pytest.fixture
def nhs(demo):
    from commonground.publicbodies import services

    return services.create("test", "Demo Community Health NHS Trust", "nhs", "RXX", [COUNCIL])


@pytest.fixture
def officer(make_user):
    user = make_user("officer@example.org")
    RoleGrant.objects.create(user=user, role=Role.COUNCIL_OFFICER, scope=f"council:{COUNCIL}")
    return user


@pytest.fixture
def hoods(demo):
    from commonground.neighbourhoods import services

    made = {}
    for name, ward in (("Brookfield", BROOKFIELD), ("Larkrise", "X05000012")):
        codes, drawn_from = services.lsoa_codes_of_ward(ward)
        made[name] = services.create("test", name, codes, "pride_in_place", drawn_from)
    return made
