"""Selection methods as data, on the generated mini national pack (no ../shared): specs are checked, the
rules choose and explain, and a rerun gives the same bytes."""

from __future__ import annotations

import pytest

from commonground.engine import national, selection
from commonground.engine.composite import SpecError
from tests.material import mini_national_pack

SPEC = """
[method]
name = "test"
title = "Test method"
version = "1"
geography = "{geography}"
assumptions = ["Invented for the test."]

[[index]]
key = "imd"
dataset = "{imd}"

[[index]]
key = "cni"
dataset = "cni2023"

[need]
rule = "{rule}"
{need}

{rest}
"""


def spec(geography="msoa21", imd="imd2025", rule="all", need="share = 0.5", rest="", base=None):
    text = SPEC.format(geography=geography, imd=imd, rule=rule, need=need, rest=rest)
    return selection.parse_spec(text, "test.toml", base)


@pytest.fixture(scope="module")
def source():
    return national.PackSource(mini_national_pack())


def test_the_shipped_methods_parse_and_state_their_assumptions():
    shipped = selection.shipped_specs()
    assert set(shipped) == {"left-behind-2019", "pride-in-place-2", "cwf"}
    pride = selection.load_spec(shipped["pride-in-place-2"])
    assert (pride.geography, pride.rule, pride.count, pride.per_council) == ("msoa21", "combined", 142, 3)
    assert [i.dataset for i in pride.indices] == ["imd2025", "cni2023"]
    assert len(pride.assumptions) >= 5 and "ASSUMPTION" in shipped["pride-in-place-2"].read_text()
    cwf = selection.load_spec(shipped["cwf"])
    assert (cwf.population_min, cwf.population_max, cwf.share) == (5000, 15000, 0.10)
    old = selection.load_spec(shipped["left-behind-2019"])
    assert (old.geography, old.universe, [i.dataset for i in old.indices]) == ("ward17", "cni", ["imd2019", "cni2019"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"imd": "imd2019"}, "imd2019 is on lsoa11 LSOAs but msoa21 is built from lsoa21: editions of different"),
        ({"geography": "wards"}, "method.geography: expected one of"),
        ({"need": "share = 1.5"}, "need.share: expected a fraction above 0 and at most 1, got 1.5"),
        ({"rule": "any"}, "need.rule: expected one of ['all', 'combined'], got 'any'"),
        ({"rule": "combined", "need": "share = 0"}, "a combined index of need needs a count or a share"),
        ({"rest": "[caps]\nper_council = -1"}, "caps.per_council: expected a number of 0 or more"),
    ],
)
def test_a_bad_spec_is_refused_naming_the_key_and_value(kwargs, message):
    with pytest.raises(SpecError, match="^test.toml: ") as caught:
        spec(**kwargs)
    assert message in str(caught.value)


def test_doubly_disadvantaged_areas_are_in_the_top_share_on_every_index(source):
    found = selection.select(spec(need="share = 0.25"), source, near=3)
    assert found.universe == 12 and found.cut == 3
    assert (found.chosen["imd_rank"] <= 3).all() and (found.chosen["cni_rank"] <= 3).all()
    assert found.chosen["reason"].str.contains("within the most deprived 25% \\(rank 3 or better\\)").all()
    assert found.near["reason"].str.startswith("not in the most deprived 25%").all()
    assert list(found.chosen.columns[:9]) == ["code", "name", "council", "region", "population", "imd_score",
                                              "cni_score", "imd_rank", "cni_rank"]  # fmt: skip


def test_exclusions_bounds_and_caps_are_applied_in_need_order_and_explained(source):
    everything = selection.select(spec(rule="combined", need="count = 12"), source)
    order = list(everything.chosen["code"])
    assert everything.chosen["need_rank"].tolist() == list(range(1, 13))
    rest = f'[exclude]\ncodes = ["{order[0]}"]\nreason = "a phase 1 place"\n\n[caps]\nper_council = 1'
    capped = selection.select(spec(rule="combined", need="count = 5", rest=rest), source, near=20)
    assert order[0] not in set(capped.chosen["code"])
    assert capped.chosen["council"].is_unique and len(capped.chosen) == 3  # one per council: three councils
    reasons = dict(zip(capped.near["code"], capped.near["reason"], strict=True))
    assert reasons[order[0]] == "a phase 1 place"
    assert any(r.endswith("already has 1 (the cap per council)") for r in reasons.values())
    middle = int(selection.select(spec(need="share = 1.0"), source).chosen["population"].median())
    bounded = selection.select(spec(need="share = 1.0", rest=f"[population]\nmin = {middle}"), source, near=20)
    assert (bounded.chosen["population"] >= middle).all() and 0 < len(bounded.chosen) < 12
    assert bounded.near["reason"].str.contains(f"is below {middle:,}").all()


def test_a_custom_set_of_lsoas_is_aggregated_like_any_geography(source, tmp_path):
    lookup = tmp_path / "my-areas.csv"
    rows = [line.split(",") for line in (mini_national_pack() / "lookups/lookup_lsoa21_msoa21.csv").read_text()
            .splitlines()[1:]]  # fmt: skip
    lookup.write_text("lsoa21_code,area_code,area_name\n" + "".join(
        f"{code},{'NORTH' if msoa <= 'E02000004' else 'SOUTH'},{'North' if msoa <= 'E02000004' else 'South'}\n"
        for code, _, msoa, _ in rows))  # fmt: skip
    found = selection.select(spec(geography="my-areas.csv", need="share = 0.5", base=tmp_path), source)
    assert found.universe == 2 and found.chosen["name"].tolist() in (["North"], ["South"])
    every = selection.select(spec(geography="my-areas.csv", need="share = 1.0", base=tmp_path), source)
    msoas = selection.select(spec(need="share = 1.0"), source)
    assert every.chosen["population"].sum() == msoas.chosen["population"].sum()  # every LSOA counted once


def test_a_rerun_gives_the_same_bytes(source):
    method = selection.load_spec(selection.shipped_specs()["pride-in-place-2"])
    first = selection.select(method, source).chosen.to_csv(index=False)
    again = selection.select(method, national.PackSource(mini_national_pack())).chosen.to_csv(index=False)
    assert first == again and first.startswith("code,name,council,region,population,imd_score,cni_score")


def test_the_2019_method_ranks_among_the_wards_the_cni_covers(source):
    found = selection.select(selection.load_spec(selection.shipped_specs()["left-behind-2019"]), source)
    assert found.universe == 12 and found.cut == 1
    assert len(found.chosen) <= 1
