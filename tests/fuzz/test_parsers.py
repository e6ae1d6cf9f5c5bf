"""Every file reader the commands use, on mutated seeds: each input is read, or refused with the
reader's own error naming the line, field or value, within the time limit (issue 19).

The @example cases are the crashers and hangs found, by the fuzzing or by the attacker's report,
kept as regression cases.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from commonground.engine.pb import pabulib, rules
from tests.conftest import SHARED
from tests.fuzz import seeds, targets
from tests.fuzz.mutate import FUZZ, mutants, mutate, survives

pytestmark = [pytest.mark.fuzz, pytest.mark.sqlite]

BY_NAME = {t.name: t for t in targets.TARGETS}
PB = seeds.PB[0]


def check(name: str, text: str) -> None:
    target = BY_NAME[name]
    survives(target.run, text, target.refusals())


@FUZZ
@given(mutants(seeds.PB))
@example(PB.replace("1;40000;", "1;1e400;"))  # OverflowError converting the cost to a float
@example(PB.replace("budget;100000", "budget;1e99999999"))  # Fraction expanded the exponent: a hang
@example(PB.replace("num_votes;5", "num_votes;1e400"))
@example(PB.replace("num_votes;5", "num_votes;1e" + "9" * 30))  # an exponent past Decimal's range
@example(PB.replace("2;25000;", "2;NaN;"))
@example(PB.replace("key;value", "key"))  # a one-column META header: IndexError
@example(PB.replace("4;10000;;Bench", '4;10000;;"' + "q" * 200_000))  # csv.Error: a field past the size limit
@example(seeds.PB[5])  # the site's file for a vote with no ballots: ZeroDivisionError in every MES rule
@example(seeds.PB[2].replace("threshold;1", "threshold;abc"))  # float() of the city's threshold
@example(seeds.PB[1].replace("4,6", "4,1e14"))  # points beyond what a float counts exactly
def test_pabulib_reader_and_every_rule(text):
    check("pabulib reader, every rule and explanation", text)


REAL = ["Netherlands_Assen_2024", "Netherlands_Amsterdam_643", "Worldwide_Mechanical_Turk_Utilities_8",
        "Poland_Gdynia_2023_Kamienna_Gora__small"]  # fmt: skip


@pytest.mark.reference("pabulib")
@FUZZ
@given(st.sampled_from(REAL), st.randoms(use_true_random=False), st.integers(1, 4))
def test_pabulib_reader_on_mutated_real_files(name, rng, changes):
    """Small real files, read at test time (never committed) and mutated: the reader and the add1
    count on real profiles."""

    def read_and_count(text: str) -> None:
        rules.tally(pabulib.parse(text, name), "mes-add1")

    text = (SHARED / "pabulib" / f"{name}.pb").read_text(encoding="utf-8")
    survives(read_and_count, mutate(text, rng, changes), (pabulib.PabulibError,))


@FUZZ
@given(mutants(seeds.QUOTAS))
@example("feature,value,min,max\ngender,female,1e30,1e30\ngender,male,0,1\n")
@example('feature,value,min,max\ngender,"female' + "q" * 200_000 + ",1,2\n")  # csv.Error
def test_sortition_quotas(text):
    check("sortition quotas", text)


@FUZZ
@given(mutants(seeds.POOL))
@example(seeds.POOL[0] + '"' + "q" * 200_000)  # csv.Error
@example(seeds.POOL[0] + "p99,male,old,x@example.org,9 High St,XX1 1AA,extra\n")
def test_sortition_pool(text):
    check("sortition pool", text)


@FUZZ
@given(mutants(seeds.SPEC))
@example(seeds.SPEC[0].replace("weight = 0.5\ntransform", "weight = nan\ntransform", 1))
@example(seeds.SPEC[0].replace("weight = 2", "weight = 1e400"))
@example('[index]\nname = "x"\nid_column = "code"\ndomain = [1, 2]\n')  # a domain that is not a table: TypeError
@example("[index]\nname = '\udcff'\n")  # not UTF-8 once written: UnicodeDecodeError
@example('[index]\nname = "x"\nid_column = ' + "9" * 5000)  # tomllib's plain ValueError for a long integer
def test_index_spec(text):
    check("index spec (TOML)", text)


@FUZZ
@given(mutants(seeds.INDICATORS))
@example("")  # EmptyDataError
@example(seeds.INDICATORS[0].replace("code,count", "code, count,count"))  # a column twice, once with a space
@example(seeds.INDICATORS[0].replace(",103,", ",inf,"))
@example("code,count,people,distance\nE05000001,1,100,\n")  # every value blank under missing = "median"
def test_index_indicators(text):
    check("index indicators", text)


@FUZZ
@given(mutants(seeds.ELIGIBLE))
@example(seeds.ELIGIBLE[1].replace("9000", "1e400"))  # OverflowError in `fund allocate --eligible`
@example(seeds.ELIGIBLE[1].replace("9000", "1e300"))
def test_fund_eligible_wards(text):
    check("fund eligible wards", text)


@FUZZ
@given(mutants(seeds.POSTCODES))
def test_postcode_directory(text):
    check("postcode directory", text)


@FUZZ
@given(mutants(seeds.IMD))
def test_imd_domains(text):
    check("IMD domains", text)


@FUZZ
@given(mutants(seeds.CNI))
def test_community_needs_index(text):
    check("Community Needs Index", text)


@FUZZ
@given(mutants(seeds.DISTRIBUTION))
@example('{"probabilities": [0.5], "panels": [{"members": ["0"], "weight": 1}]}')  # a list: TypeError
@example('{"probabilities": {"a": "x"}, "panels": [{"members": ["a"], "weight": 1}]}')  # ValueError outside the try
@example("[" * 100_000)  # RecursionError
def test_panel_distribution(text):
    check("panel distribution (JSON)", text)


@FUZZ
@given(mutants(seeds.OWNERSHIP))
@example(seeds.OWNERSHIP[0] + '"' + "q" * 200_000)  # csv.Error
@example(seeds.OWNERSHIP[0].replace("XX100", "X" * 25))  # a title number longer than its column
@example(seeds.OWNERSHIP[0].replace("450000", "9" * 30))  # a price that overflows the column in pence
def test_ownership_csv(text):
    check("ownership CSV", text)


@pytest.mark.parametrize("target", targets.TARGETS, ids=lambda t: t.name)
def test_every_seed_is_read(target):
    """The seeds are well formed, so the mutants start from files the readers accept."""
    for text in target.seeds:
        target.run(text)
