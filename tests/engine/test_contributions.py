"""Developer contributions files (planning.data.gov.uk's three datasets): read, every error named by file,
line and field; spend-by clocks and their reminders."""

from __future__ import annotations

import datetime as dt

import pytest

from commonground.engine import contributions as dc
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "contributions" / "fixtures"
D = dt.date
T_HEAD = "reference,developer-agreement-contribution,contribution-funding-status,amount,start-date\n"


def files(**replace: str) -> dict[str, tuple[str, str]]:
    found = {}
    for key, name in (
        ("agreements", dc.AGREEMENT),
        ("contributions", dc.CONTRIBUTION),
        ("transactions", dc.TRANSACTION),
    ):
        found[key] = (f"{name}.csv", replace.get(key, (FIXTURES / f"{name}.csv").read_text()))
    return found


def test_the_fixture_reads_completely():
    parsed = dc.parse(**files())
    assert [a.reference for a in parsed.agreements] == ["DA-2021-001", "DA-2022-004", "CIL-2024-017", "CIL-2025-003"]
    mill = parsed.agreements[0]
    assert (mill.kind, mill.ward, mill.site_address) == ("section-106", "X05000002", "Brookfield Mill Lane")
    play = parsed.contributions[0]
    assert (play.purpose, play.amount_pence, play.spend_by, play.trigger) == (
        "open-space",
        120_000_00,
        D(2027, 3, 31),
        "On first occupation",
    )
    homes = parsed.contributions[1]
    assert (homes.amount_pence, homes.units) == (None, 24)
    assert [(t.status, t.on) for t in parsed.transactions[:3]] == [
        ("received", D(2022, 1, 10)),
        ("allocated", D(2023, 5, 1)),
        ("spent", D(2024, 2, 1)),
    ]
    assert parsed.warnings == []


def test_older_files_name_the_key_after_the_dataset_and_extra_columns_are_reported():
    text = "developer-agreement,developer-agreement-type,Local Colour\nA1,Section-106,x\n"
    parsed = dc.parse(
        **files(
            agreements=text,
            contributions="reference,developer-agreement,contribution-purpose,amount\n",
            transactions="reference,developer-agreement-contribution,contribution-funding-status,start-date\n",
        )
    )
    assert [(a.reference, a.kind) for a in parsed.agreements] == [("A1", "section-106")]
    assert parsed.warnings == ["developer-agreement.csv: columns not read: local-colour"]


@pytest.mark.parametrize(
    ("which", "text", "expected"),
    [
        (
            "contributions",
            'reference,developer-agreement,contribution-purpose,amount\nC1,DA-2021-001,open-space,"12,000"\n',
            "developer-agreement-contribution.csv, line 2, field amount: '12,000' is not an amount: write pounds",
        ),
        (
            "contributions",
            "reference,developer-agreement,contribution-purpose,amount\nC1,DA-2021-001,open-space,-5\n",
            "line 2, field amount: '-5' is not an amount in pounds of 0 or more",
        ),
        (
            "contributions",
            "reference,developer-agreement,contribution-purpose,amount\nC1,NOPE,open-space,5\n",
            "line 2, field developer-agreement: 'NOPE' names no agreement in developer-agreement.csv",
        ),
        (
            "contributions",
            "reference,developer-agreement,contribution-purpose,amount\nC1,DA-2021-001,Open Space!,5\n",
            "field contribution-purpose: 'Open Space!' is not a purpose",
        ),
        (
            "contributions",
            "reference,developer-agreement,contribution-purpose,amount,units\nC1,DA-2021-001,education,,\n",
            "line 2, field amount: and units are both empty",
        ),
        (
            "contributions",
            "reference,developer-agreement,contribution-purpose,amount,spend-by-date\nC1,DA-2021-001,education,5,31/03/2027\n",
            "field spend-by-date: '31/03/2027' is not a date: write it as year-month-day",
        ),
        (
            "agreements",
            "reference,developer-agreement-type\nA1,planning-gain\n",
            "developer-agreement.csv, line 2, field developer-agreement-type: 'planning-gain' is not one of",
        ),
        (
            "agreements",
            "reference,developer-agreement-type,ward\nA1,section-106,Brookfield\n",
            "field ward: 'Brookfield' is not a ward's GSS code",
        ),
        (
            "agreements",
            "reference,developer-agreement-type\nA1,section-106\nA1,section-106\n",
            "line 3, field reference: 'A1' is given twice (first on line 2)",
        ),
        (
            "agreements",
            "reference,name\nA1,x\n",
            "line 1, field developer-agreement-type: the column developer-agreement-type is missing",
        ),
        ("agreements", "", "developer-agreement.csv, line 1: the file is empty"),
        (
            "agreements",
            "reference,developer-agreement-type\nA1,section-106,extra\n",
            "line 2: has 3 fields; the header has 2",
        ),
        (
            "transactions",
            "reference,developer-agreement-contribution,contribution-funding-status,amount,start-date\n"
            "T1,DAC-001,paid,5,2025-01-01\n",
            "field contribution-funding-status: 'paid' is not one of secured, received",
        ),
        (
            "transactions",
            "reference,developer-agreement-contribution,contribution-funding-status,amount,start-date\n"
            "T1,DAC-001,received,5,\n",
            "line 2, field start-date: is empty: give the date",
        ),
        (
            "transactions",
            "reference,developer-agreement-contribution,contribution-funding-status,amount,start-date\n"
            "T1,DAC-001,received,5,2025-02-30\n",
            "'2025-02-30' is not a date",
        ),
    ],
)
def test_every_bad_row_names_file_line_field_and_value(which, text, expected):
    with pytest.raises(dc.ContributionsError) as caught:
        dc.parse(**files(**{which: text}))
    assert expected in str(caught.value.errors[0]), [str(e) for e in caught.value.errors]


def test_all_errors_are_collected_not_just_the_first():
    text = "reference,developer-agreement,contribution-purpose,amount\nC1,X,education,1\nC2,Y,education,zz\n"
    with pytest.raises(dc.ContributionsError) as caught:
        dc.parse(**files(contributions=text))
    found = [str(e) for e in caught.value.errors]
    assert len(found) >= 3 and str(caught.value).endswith("more)")


def test_references_to_rows_stored_before_are_accepted():
    text = f"{T_HEAD}T9,OLD-1,spent,5,2025-01-01\n"
    parsed = dc.parse(**files(transactions=text), known_contributions={"OLD-1"})
    assert parsed.transactions[0].contribution == "OLD-1"


def test_datetimes_are_read_as_their_day():
    text = f"{T_HEAD}T1,DAC-001,received,5,2025-06-20T10:00:00Z\n"
    assert dc.parse(**files(transactions=text)).transactions[0].on == D(2025, 6, 20)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(D(2027, 3, 31), 1, D(2027, 2, 28)), (D(2027, 3, 31), 12, D(2026, 3, 31)), (D(2028, 2, 29), 12, D(2027, 2, 28)),
     (D(2027, 1, 15), 3, D(2026, 10, 15)), (D(2026, 12, 31), 6, D(2026, 6, 30))],
)  # fmt: skip
def test_months_before(day, months, expected):
    assert dc.months_before(day, months) == expected


def test_reminders_and_clock_states():
    deadline = D(2027, 3, 31)
    assert [day for day, _ in dc.reminders(deadline)] == [D(2026, 3, 31), D(2026, 9, 30), D(2026, 12, 31),
                                                          D(2027, 2, 28), D(2027, 3, 31)]  # fmt: skip
    assert dc.clock(deadline, D(2025, 1, 1), 100).state == "on-track"
    assert dc.clock(deadline, D(2026, 4, 1), 100).state == "due-within-a-year"
    assert dc.clock(deadline, D(2026, 10, 1), 100).state == "due-within-6-months"
    clock = dc.clock(deadline, D(2027, 1, 1), 80_000_00)
    assert (clock.state, clock.days_left, clock.next_reminder) == ("due-within-3-months", 89, D(2027, 2, 28))
    assert clock.plain == ("£80,000 must be spent by 31 March 2027 (89 days), or the agreement may require it to be "
                           "repaid to the developer.")  # fmt: skip
    late = dc.clock(deadline, D(2027, 4, 10), 5_00)
    assert late.state == "passed" and "passed 10 days ago with £5 unspent" in late.plain and late.next_reminder is None
    assert dc.clock(deadline, D(2027, 4, 10), 0).state == "spent"


def test_unspent_counts_received_less_spent_and_returned():
    assert dc.unspent([("received", 100), ("allocated", 40), ("spent", 30), ("returned", 10), ("secured", 500)]) == 60
