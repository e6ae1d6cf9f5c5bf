"""Ring-fences: the TOML and META formats, exact feasibility, and the constrained rules against
today's rules (no ring-fences), brute force (small elections) and real files."""

from __future__ import annotations

import json
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from commonground.engine.pb import ballot, constrained, constraints, mes_runs, pabulib, rules
from commonground.engine.pb.constraints import ConstraintsError, Infeasible, RingFence
from commonground.engine.pb.profile import with_borda_points
from tests.conftest import SHARED, run_cli
from tests.engine.pb.test_rules import FAST, elections, ordinal_elections

PABULIB = SHARED / "pabulib"
MES_RULES = ("mes", "mes-add1", "mes-add1-greedy", "equal-shares")
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# ---------------------------------------------------------------- the TOML file and the META key

GOOD = """
[[ring_fence]]
field = "category"
value = "education"
min_share = 0.25
max_share = 0.5

[[ring_fence]]
field = "district"
value = "North"
min_share = 0.1
"""


def test_toml_is_read_exactly():
    fences = constraints.loads(GOOD)
    assert fences == [
        RingFence("category", "education", Fraction(1, 4), Fraction(1, 2)),
        RingFence("district", "North", Fraction(1, 10), None),
    ]
    assert constraints.loads("") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[ring_fence]]\nfield = 'category'\nvalue = 'x'\nminshare = 0.2\n", "ring_fence 1: unknown key 'minshare'"),
        ("[[ring_fence]]\nvalue = 'x'\nmin_share = 0.2\n", "ring_fence 1: field is missing"),
        ("[[ring_fence]]\nfield = 'c'\nvalue = ''\nmin_share = 0.2\n", "ring_fence 1: value must be a non-empty"),
        ("[[ring_fence]]\nfield = 'c'\nvalue = 'x'\nmin_share = '0.2'\n", "ring_fence 1: min_share must be a number"),
        ("[[ring_fence]]\nfield = 'c'\nvalue = 'x'\nmax_share = 25\n", "ring_fence 1: max_share must be a number"),
        ("[[ring_fence]]\nfield = 'c'\nvalue = 'x'\nmin_share = true\n", "ring_fence 1: min_share must be a number"),
        ("[[ring_fence]]\nfield = 'c'\nvalue = 'x'\n", "ring_fence 1: give min_share, max_share or both"),
        (
            "[[ring_fence]]\nfield='c'\nvalue='x'\nmin_share=0.6\nmax_share=0.5\n",
            "min_share 0.6 is more than max_share 0.5",
        ),
        (
            "[[ring_fence]]\nfield = 'c'\nvalue = 'x'\nmin_share = 0.2\n[[ring_fence]]\nfield = 'c'\nvalue = 'x'\n"
            "max_share = 0.5\n",
            "ring_fence 2: c = x is ring_fence 1 again",
        ),
        ("[ring_fence]\nfield = 'c'\n", "ring_fence must be tables"),
        ("budget = 3\n", "unknown key 'budget'"),
        ("[[ring_fence]]\nfield = 'c\n", "not valid TOML"),
    ],
)
def test_toml_errors_name_the_key(text, message):
    with pytest.raises(ConstraintsError, match=message):
        constraints.loads(text)


def small(costs, columns=None, votes=("0",), budget=None) -> str:
    """A .pb file: projects 0, 1, ... with these costs and PROJECTS columns, approval votes."""
    columns = columns or {}
    header = ";".join(["project_id", "cost", *columns])
    rows = [";".join([str(i), str(c), *(v[i] for v in columns.values())]) for i, c in enumerate(costs)]
    lines = [
        "META",
        "key;value",
        f"budget;{budget or sum(costs)}",
        "vote_type;approval",
        "currency;GBP",
        "PROJECTS",
        header,
        *rows,
        "VOTES",
        "voter_id;vote",
    ] + [f"{v};{vote}" for v, vote in enumerate(votes)]
    return "\n".join(lines) + "\n"


def test_fields_and_values_must_be_in_the_election():
    election = pabulib.parse(small([5, 5], {"category": ["education,youth", "parks"]}))
    assert RingFence("category", "youth").members(election) == [0]
    assert RingFence("category", "education,youth").members(election) == [0]  # the whole cell too
    with pytest.raises(ConstraintsError, match="ring_fence 1: field 'district' is not a PROJECTS column"):
        constraints.check([RingFence("district", "North", Fraction(1, 10))], election)
    with pytest.raises(ConstraintsError, match="ring_fence 2: value 'roads' is in no project's category"):
        constraints.check(
            [RingFence("category", "parks", None, Fraction(1, 2)), RingFence("category", "roads")], election
        )


def test_meta_round_trip_survives_every_writer():
    fences = [
        RingFence("category", "youth-led", Fraction(1, 4), None),
        RingFence("district", 'St. Mary\'s; "Old" Town, North', Fraction(1, 3), Fraction(1, 2)),
        RingFence("target", "Łódź seniors", None, Fraction(1, 10)),
        RingFence("target", "children", Fraction(0), Fraction(1)),
    ]
    value = constraints.to_meta(fences)
    assert value.startswith("field=category&value=youth-led&min_share=0.25,")
    assert not set(value) & set(';" \n')
    assert constraints.from_meta({"ring_fences": value}) == fences
    assert constraints.from_meta({"ring_fences": ballot._cell(value)}) == fences  # the site's .pb export
    election = pabulib.parse(small([5, 5], {"category": ["youth-led", "parks"]}))
    election.meta["ring_fences"] = value
    again = pabulib.parse(pabulib.dumps(election))
    assert constraints.from_meta(again.meta) == fences
    assert constraints.from_meta({"budget": "10"}) is None
    with pytest.raises(ConstraintsError, match="META ring_fences, ring-fence 1: min_share must be a number"):
        constraints.from_meta({"ring_fences": "field=category&value=x&min_share=lots"})
    with pytest.raises(
        ConstraintsError, match="META ring_fences, ring-fence 2: category = x is META ring_fences, ring"
    ):
        constraints.from_meta(
            {"ring_fences": "field=category&value=x&min_share=0.1,field=category&value=x&max_share=1"}
        )


def test_plain_english():
    election = pabulib.parse(small([150_000, 50_000], {"category": ["youth-led", "parks"]}, budget=200_000))
    fences = [
        RingFence("category", "youth-led", Fraction(1, 4)),
        RingFence("category", "parks", None, Fraction(1, 2)),
        RingFence("district", "Brookfield", Fraction(1, 10), Fraction(3, 10)),
        RingFence("ward", "Eastgate", Fraction(1, 8), Fraction(1, 8)),
    ]
    assert constraints.sentences(fences, election) == [
        "At least 25% of the £200,000 (£50,000) goes to youth-led projects.",
        "At most 50% of the £200,000 (£100,000) goes to parks projects.",
        "Between 10% and 30% of the £200,000 (£20,000 to £60,000) goes to projects in Brookfield.",
        "Exactly 12.5% of the £200,000 (£25,000) goes to projects in Eastgate.",
    ]
    assert (
        constraints.spent_sentence(fences[0], 60_000, election) == "Youth-led projects got £60,000 (30% of the budget)."
    )


# ---------------------------------------------------------------- exact feasibility against brute force


def brute_feasible(election, fences, chosen, eligible=None) -> bool:
    """Some superset of `chosen` within the budget meets every ring-fence (every subset tried)."""
    budget = Fraction(election.budget)
    members = [set(f.members(election)) for f in fences]
    rest = [p for p in (eligible if eligible is not None else range(election.n_projects)) if p not in chosen]
    for size in range(len(rest) + 1):
        for extra in combinations(rest, size):
            taken = set(chosen) | set(extra)
            if sum(Fraction(election.costs[p]) for p in taken) > budget:
                continue
            if all(
                (f.min_share or 0) * budget
                <= sum(Fraction(election.costs[p]) for p in taken & inside)
                <= (f.max_share if f.max_share is not None else 1) * budget
                for f, inside in zip(fences, members, strict=True)
            ):
                return True
    return False


SHARES = [None, Fraction(0), Fraction(1, 10), Fraction(1, 4), Fraction(2, 5), Fraction(1, 2), Fraction(7, 10)]
CAPS = [None, Fraction(1, 5), Fraction(3, 10), Fraction(1, 2), Fraction(3, 4), Fraction(1)]


@st.composite
def fenced(draw, max_projects=8, vote_type=None):
    """A small election whose projects have a category (0 to 3 of a, b, c) and a district (n or s),
    and 1 to 3 ring-fences on those columns."""
    n = draw(st.integers(2, max_projects))
    costs = [draw(st.integers(1, 40)) for _ in range(n)]
    budget = draw(st.integers(max(costs) // 2 + 1, sum(costs)))
    categories = [",".join(draw(st.lists(st.sampled_from("abc"), max_size=3, unique=True))) for _ in range(n)]
    districts = [draw(st.sampled_from("ns")) for _ in range(n)]
    vote_type = vote_type or draw(st.sampled_from(["approval", "cumulative", "ordinal"]))
    meta = ["META", "key;value", f"budget;{budget}", f"vote_type;{vote_type}"]
    if vote_type == "approval" and draw(st.booleans()):
        meta.append(f"rule;greedy{draw(st.sampled_from(['', '-no-skip']))}")
        meta.append(f"min_project_score_threshold;{draw(st.integers(0, 3))}")
    lines = meta + ["PROJECTS", "project_id;cost;category;district"]
    lines += [f"{i};{c};{categories[i]};{districts[i]}" for i, c in enumerate(costs)]
    lines += ["VOTES", "voter_id;vote;points" if vote_type == "cumulative" else "voter_id;vote"]
    for v in range(draw(st.integers(1, 10))):
        chosen = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        points = f";{','.join(str(draw(st.integers(1, 5))) for _ in chosen)}" if vote_type == "cumulative" else ""
        lines.append(f"{v};{','.join(map(str, chosen))}{points}")
    election = pabulib.parse("\n".join(lines) + "\n")
    possible = [("category", c) for c in "abc" if any(c in x for x in categories)] + [
        ("district", d) for d in set(districts)
    ]
    picked = draw(st.lists(st.sampled_from(possible), min_size=1, max_size=3, unique=True))
    fences = []
    for field, value in picked:
        low = draw(st.sampled_from(SHARES))
        high = draw(st.sampled_from([c for c in CAPS if c is None or low is None or c >= low]))
        if low is None and high is None:
            high = Fraction(1, 2)
        fences.append(RingFence(field, value, low, high))
    return election, fences


@SETTINGS
@given(fenced(), st.data())
def test_feasibility_equals_brute_force(case, data):
    election, fences = case
    chosen = set(data.draw(st.lists(st.integers(0, election.n_projects - 1), unique=True, max_size=4)))
    eligible = data.draw(st.sampled_from([None, list(range(1, election.n_projects))]))
    exact = constraints.Feasibility(election, fences, eligible)
    event(f"ring-fences sharing projects a floor may need: {any(len(part.fences) > 1 for part in exact.parts)}")
    if eligible is not None:
        chosen.discard(0)
    assert exact.feasible(chosen) == brute_feasible(election, fences, chosen, eligible)


@SETTINGS
@given(st.lists(st.integers(1, 60), max_size=9), st.integers(1, 200), st.one_of(st.none(), st.integers(0, 250)))
def test_subset_sum_and_branch_and_bound_agree_with_brute_force(costs, short, room):
    sums = {sum(c) for size in range(len(costs) + 1) for c in combinations(costs, size)}
    allowed = [s for s in sums if s >= short and (room is None or s <= room)]
    expected = min(allowed) if allowed else None
    cutoff = 10**6
    assert constraints._subset_sum(costs, short, room, cutoff) == expected
    ordered = sorted(costs, reverse=True)
    assert constraints._branch_and_bound(ordered, [(0,)] * len(costs), [short], [room], cutoff) == expected
    some = constraints._branch_and_bound(ordered, [(0,)] * len(costs), [short], [room], cutoff, least=False)
    assert (some is None) == (expected is None) and (some is None or some in allowed)
    if expected is not None:  # a cutoff below the least sum: nothing within it
        assert constraints._subset_sum(costs, short, room, expected - 1) is None
        assert constraints._branch_and_bound(ordered, [(0,)] * len(costs), [short], [room], expected - 1) is None


def test_wide_ranges_use_branch_and_bound(monkeypatch):
    monkeypatch.setattr(constraints, "BITSET_BITS", 8)
    assert constraints._subset_sum([30, 20, 11], 40, None, 100) == 41


# ---------------------------------------------------------------- independent references


def support_and_sats(election):
    """Each project's supporters as {voter: satisfaction}: cost for approval ballots, else points."""
    sats = [dict() for _ in range(election.n_projects)]
    for v in range(election.n_voters):
        points = election.points(v).tolist() if election.ballot_points is not None else None
        for i, p in enumerate(election.ballot(v).tolist()):
            value = points[i] if points is not None else election.costs[p]
            if value > 0:
                sats[p][v] = Fraction(value)
    return sats


def reference_greedy_order(election, city):
    ids = election.project_ids
    if city:
        weights = election.ballot_points.tolist() if election.ballot_points is not None else None
        support = [0] * election.n_projects
        for i, p in enumerate(election.ballot_projects.tolist()):
            support[p] += weights[i] if weights else 1
        order = sorted(range(election.n_projects), key=lambda p: (-support[p], election.costs[p], ids[p]))
        threshold = Fraction(election.meta.get("min_project_score_threshold", 0) or 0)
        return [p for p in order if support[p] >= threshold]
    total = [sum(s.values()) for s in support_and_sats(election)]
    return sorted(range(election.n_projects), key=lambda p: (-Fraction(total[p]) / election.costs[p], ids[p]))


def reference_greedy(election, fences, city):
    order = reference_greedy_order(election, city)
    no_skip = city and "no-skip" in election.meta.get("rule", "")
    chosen: set[int] = set()
    funded: list[int] = []

    def take(p):
        chosen.add(p)
        funded.append(p)

    budget = Fraction(election.budget)
    for fence in fences:
        floor = (fence.min_share or 0) * budget
        for p in order:
            if sum(election.costs[q] for q in chosen if q in fence.members(election)) >= floor:
                break
            if (
                p in fence.members(election)
                and p not in chosen
                and brute_feasible(election, fences, chosen | {p}, order)
            ):
                take(p)
    for p in order:
        if p in chosen:
            continue
        if no_skip and election.costs[p] > budget - sum(election.costs[q] for q in chosen):
            break
        if brute_feasible(election, fences, chosen | {p}, order):
            take(p)
    return [election.project_ids[p] for p in funded]


def reference_mes_run(election, sats, endowment, allowed):
    """MES in Fractions, straight from the definition: each round, among the admissible projects the
    supporters can afford, the least price rho (ties: lowest id), each supporter paying min(money, rho × sat)."""
    money = [Fraction(endowment)] * election.n_voters
    bought: list[int] = []
    ids = election.project_ids
    while True:
        best = None
        for p in range(election.n_projects):
            if p in bought or not sats[p] or not allowed(bought, p):
                continue
            cost = Fraction(election.costs[p])
            if sum(money[v] for v in sats[p]) < cost:
                continue
            paid, left_sat = Fraction(0), sum(sats[p].values())
            for v in sorted(sats[p], key=lambda v: money[v] / sats[p][v]):
                rho = (cost - paid) / left_sat
                if rho * sats[p][v] <= money[v]:
                    break
                paid, left_sat = paid + money[v], left_sat - sats[p][v]
            if best is None or (rho, ids[p]) < (best[0], ids[best[1]]):
                best = (rho, p)
        if best is None:
            return bought, money
        rho, p = best
        for v, sat in sats[p].items():
            money[v] -= min(money[v], rho * sat)
        bought.append(p)


def reference_mes(election, fences, rule, max_steps=300):
    """The MES rules with ring-fences, unit step by unit step (None: the add1 loop ran too long)."""
    increment, exhaustive, completion = {
        "mes": (None, True, False),
        "mes-add1": (1, True, False),
        "mes-add1-greedy": (1, True, True),
        "equal-shares": (1, False, "greedy" in election.meta.get("rule", "")),
    }[rule]
    sats = support_and_sats(election)
    candidates = {p for p in range(election.n_projects) if sats[p]}
    budget = Fraction(election.budget)

    def feasible(chosen):
        return brute_feasible(election, fences, set(chosen))

    def stop(chosen):
        if not feasible(chosen):
            return "infeasible"
        if set(chosen) >= candidates or (
            exhaustive and not any(feasible(set(chosen) | {p}) for p in candidates - set(chosen))
        ):
            return "exhaustive"
        return None

    start = budget / election.n_voters
    chosen, _ = reference_mes_run(election, sats, start, lambda bought, p: feasible(set(bought) | {p}))
    if increment is not None and not stop(chosen):
        for k in range(1, max_steps + 1):
            outcome, _ = reference_mes_run(election, sats, start + k, lambda bought, p: True)
            why = stop(outcome)
            if why == "infeasible":
                break
            chosen = outcome
            if why:
                break
        else:
            return None
    order = reference_greedy_order(election, city=False)
    for fence in fences:
        floor = (fence.min_share or 0) * budget
        for p in order:
            if sum(election.costs[q] for q in chosen if q in fence.members(election)) >= floor:
                break
            if p in fence.members(election) and p not in chosen and feasible(set(chosen) | {p}):
                chosen.append(p)
    if completion:
        for p in order:
            if p not in chosen and feasible(set(chosen) | {p}):
                chosen.append(p)
    return [election.project_ids[p] for p in chosen]


def holds(election, outcome, fences):
    spent = sum(Fraction(election.costs[election.index_of[w]]) for w in outcome.winners)
    assert spent <= election.budget
    assert all(r.met for r in outcome.fences)
    assert [r.fence for r in outcome.fences] == list(fences)


# ---------------------------------------------------------------- no ring-fences: today's rules exactly


@settings(SETTINGS, max_examples=150)
@given(elections())
def test_no_ring_fences_is_todays_rule(case):
    text, _ = case
    election = pabulib.parse(text)
    for rule in constrained.RULES:
        assert constrained.tally(election, rule, []).winners == rules.tally(election, rule)


@settings(SETTINGS, max_examples=100)
@given(ordinal_elections())
def test_no_ring_fences_is_todays_rule_on_ordinal_ballots(text):
    election = pabulib.parse(text)
    for rule in constrained.RULES:
        assert constrained.tally(election, rule, []).winners == rules.tally(election, rule)


@settings(SETTINGS, max_examples=100)
@given(fenced(vote_type="approval"))
def test_no_ring_fences_is_todays_rule_with_the_files_rule_settings(case):
    """The city's threshold and no-skip (greedy), and greedy completion named by the META rule (equal-shares)."""
    election, _ = case
    for rule in constrained.RULES:
        assert constrained.tally(election, rule, []).winners == rules.tally(election, rule)
    assert constrained.tally(election, "greedy", [], plain=True).winners == rules.tally(election, "greedy", plain=True)


# ---------------------------------------------------------------- with ring-fences: brute force


def infeasible_or(election, fences, rule, plain=False):
    """The outcome, or None after checking that Infeasible was right (brute force) and named a ring-fence."""
    city = rule == "greedy" and not plain and rules.has_city_settings(election)
    eligible = reference_greedy_order(election, city=True) if city else None
    try:
        outcome = constrained.tally(election, rule, fences, plain=plain)
    except Infeasible as exc:
        assert not brute_feasible(election, fences, set(), eligible)
        assert str(exc).startswith("ring_fence ")
        event("infeasible")
        return None
    assert brute_feasible(election, fences, set(), eligible)
    event(f"the ring-fences changed the winners: {outcome.winners != rules.tally(election, rule, plain=plain)}")
    return outcome


@settings(SETTINGS, max_examples=200)
@given(fenced(), st.booleans())
def test_greedy_with_quotas_equals_its_reference(case, plain):
    election, fences = case
    outcome = infeasible_or(election, fences, "greedy", plain)
    if outcome is None:
        return
    holds(election, outcome, fences)
    counted = with_borda_points(election) if election.vote_type == "ordinal" else election
    city = not plain and rules.has_city_settings(election)
    assert outcome.winners == reference_greedy(counted, fences, city)


@settings(SETTINGS, max_examples=150)
@given(fenced(), st.sampled_from(MES_RULES))
def test_mes_with_ring_fences_equals_its_reference(case, rule):
    election, fences = case
    outcome = infeasible_or(election, fences, rule)
    if outcome is None:
        return
    holds(election, outcome, fences)
    counted = with_borda_points(election) if election.vote_type == "ordinal" else election
    expected = reference_mes(counted, fences, rule)
    assume(expected is not None)
    assert outcome.winners == expected
    if rule == "mes-add1-greedy":  # exhaustive within the ring-fences: nothing more can be added
        taken = {counted.index_of[w] for w in outcome.winners}
        assert not any(brute_feasible(counted, fences, taken | {p}) for p in set(range(counted.n_projects)) - taken)


@settings(SETTINGS, max_examples=100)
@given(fenced(vote_type="approval"))
def test_constrained_run_is_a_fixed_point(case):
    """Every round of the constrained run bought the cheapest admissible project, and when it ends
    no admissible project is affordable by its supporters (checked over every project)."""
    election, fences = case
    feasibility = constraints.Feasibility(election, fences)
    assume(feasibility.feasible(()))
    start = Fraction(election.budget) / election.n_voters
    trace = constrained.run(mes_runs.Prepared(election), start, feasibility)
    sats = support_and_sats(election)
    replay, money = reference_mes_run(
        election, sats, start, lambda bought, p: brute_feasible(election, fences, {*bought, p})
    )
    assert trace.selected == replay
    assert all(brute_feasible(election, fences, set(trace.selected[: i + 1])) for i in range(len(trace.selected)))
    for p in set(range(election.n_projects)) - set(replay):
        if sats[p] and brute_feasible(election, fences, {*replay, p}):
            assert sum(money[v] for v in sats[p]) < election.costs[p]


# ---------------------------------------------------------------- infeasible ring-fences


def test_infeasible_ring_fences_name_the_one_that_fails():
    election = pabulib.parse(small([10, 20, 30, 40], {"category": ["a", "a", "b", "b"]}, budget=100))
    fences = [RingFence("category", "b", Fraction(1, 10)), RingFence("category", "a", Fraction(2, 5))]
    with pytest.raises(Infeasible) as caught:
        constrained.tally(election, "greedy", fences)
    assert str(caught.value) == (
        "ring_fence 2 (category = a) cannot be met: its projects cost 30 in all, less than its floor of 40 "
        "(40% of the budget)"
    )
    with pytest.raises(Infeasible) as caught:
        constrained.tally(election, "mes", [RingFence("category", "b", Fraction(45, 100), Fraction(55, 100))])
    assert str(caught.value) == "ring_fence 1 (category = b) cannot be met: no set of its projects costs from 45 to 55"
    wide = pabulib.parse(small([30, 30, 40, 40], {"category": ["a", "a", "b", "b"]}, budget=100))
    with pytest.raises(Infeasible) as caught:
        constrained.tally(
            wide, "mes-add1", [RingFence("category", "a", Fraction(1, 2)), RingFence("category", "b", Fraction(3, 5))]
        )
    assert str(caught.value) == (
        "ring_fence 2 (category = b) cannot be met together with the ring-fences before it: "
        "the floors so far add up to 110% of the budget"
    )


# ---------------------------------------------------------------- real files


def district_floors(election, column, share):
    values = sorted({v.strip() for row in election.projects for v in row.get(column, "").split(",") if v.strip()})
    return [RingFence(column, v, Fraction(share)) for v in values]


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize("name", FAST + ["Poland_Warszawa_2026", "Poland_Wroclaw_2018", "France_Toulouse_2024"])
def test_no_ring_fences_is_todays_rule_on_real_files(name):
    election = pabulib.read(PABULIB / f"{name}.pb")
    for rule in constrained.RULES:
        assert constrained.tally(election, rule, []).winners == rules.tally(election, rule)


REAL_FENCES = {
    "France_Toulouse_2024": lambda e: district_floors(e, "district", "0.03"),
    "Poland_Warszawa_2026": lambda e: (
        district_floors(e, "category", "0.01")[1:] + [RingFence("category", "health and welfare", None, Fraction(1, 5))]
    ),
    "Poland_Wroclaw_2018": lambda e: [
        RingFence("district", "Leśnica", Fraction(1, 5), Fraction(1, 2)),
        RingFence("district", "Klecina", None, Fraction(1, 10)),
    ],
    "Switzerland_Zurich_S5": lambda e: district_floors(e, "district", "0.2"),
    "Netherlands_Amsterdam_252": lambda e: [  # overlapping: a neighbourhood's floor, categories' floor and cap
        RingFence("neighborhood", "Oostelijke Eilanden", Fraction(1, 5)),
        RingFence("category", "Groen en Duurzaamheid", None, Fraction(3, 10)),
        RingFence("category", "Kunst en Cultuur", Fraction(1, 10)),
    ],
    "US_Stanford_Dataset_PB_Cambridge_2019_vote_approvals": lambda e: district_floors(e, "category", "0.15"),
}


@pytest.mark.reference("pabulib")
@pytest.mark.parametrize("name", sorted(REAL_FENCES))
def test_every_ring_fence_holds_on_real_files(name):
    election = pabulib.read(PABULIB / f"{name}.pb")
    fences = REAL_FENCES[name](election)
    for rule in constrained.RULES:
        try:
            outcome = constrained.tally(election, rule, fences)
        except Infeasible as exc:  # Warsaw's city greedy: a category whose projects are all under the vote threshold
            assert name == "Poland_Warszawa_2026" and rule == "greedy", exc
            continue
        holds(election, outcome, fences)


@pytest.mark.reference("pabulib")
def test_overlapping_floors_on_a_real_file_agree_with_an_ilp():
    """Wrocław 2015's neighbourhood floors (nine projects name several neighbourhoods, so the
    ring-fences overlap): exact feasibility of each prefix of them against HiGHS's integer program
    (scipy), whose float tolerances are far below these whole-złoty costs."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    election = pabulib.read(PABULIB / "Poland_Wroclaw_2015_150_-_500.pb")
    fences = district_floors(election, "neighborhood", "0.015")
    costs = np.array([float(c) for c in election.costs])
    verdicts = []
    for n in range(1, len(fences) + 1, 2):
        rows, floors = [costs], [0.0]
        for fence in fences[:n]:
            row = np.zeros(costs.size)
            row[fence.members(election)] = costs[fence.members(election)]
            rows.append(row)
            floors.append(float(fence.min_share * election.budget))
        caps = [float(election.budget)] + [np.inf] * n
        ilp = milp(np.zeros(costs.size), constraints=LinearConstraint(np.array(rows), floors, caps),
                   integrality=np.ones(costs.size), bounds=Bounds(0, 1))  # fmt: skip
        assert ilp.status in (0, 2)  # solved, or proven infeasible
        verdicts.append(constraints.Feasibility(election, fences[:n]).feasible(()))
        assert verdicts[-1] == (ilp.status == 0), n
    assert True in verdicts and False in verdicts


# ---------------------------------------------------------------- the command


def cli_election(tmp_path):
    path = tmp_path / "small.pb"
    path.write_text(
        small([40, 30, 20, 10], {"category": ["a", "a", "b", "b"]}, votes=("0,1", "0,1", "1", "2,3"), budget=60)
    )
    return path


def test_tally_with_constraints(tmp_path):
    path = cli_election(tmp_path)
    toml = tmp_path / "fences.toml"
    toml.write_text('[[ring_fence]]\nfield = "category"\nvalue = "b"\nmin_share = 0.5\n')
    done = run_cli("pb", "tally", str(path), "--rule", "greedy", "--constraints", str(toml), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data == {
        "winners": ["2", "3", "1"],
        "spent": 60,
        "budget": 60,
        "rule": "greedy",
        "ring_fences": [
            {
                "field": "category",
                "value": "b",
                "min_share": 0.5,
                "max_share": None,
                "spent": 30,
                "share": 0.5,
                "met": True,
            }
        ],
    }
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    for rule in constrained.RULES:
        plain = json.loads(run_cli("pb", "tally", str(path), "--rule", rule).stdout)
        fenced_out = json.loads(run_cli("pb", "tally", str(path), "--rule", rule, "--constraints", str(empty)).stdout)
        assert fenced_out.pop("ring_fences") == []
        assert fenced_out == plain
    text = run_cli("pb", "tally", str(path), "--rule", "greedy", "--constraints", str(toml), "--format", "text")
    assert "category = b: 30 (50% of the budget), at least 50%: met" in text.stdout


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[ring_fence]]\nfield = "category"\nvalue = "b"\nmin_share = 0.9\n',
            "ring_fence 1 (category = b) cannot be met: its projects cost 30 in all, less than its floor of 54",
        ),
        ('[[ring_fence]]\nfield = "category"\nvalue = "b"\nmin_shar = 0.9\n', "ring_fence 1: unknown key 'min_shar'"),
        ('[[ring_fence]]\nfield = "district"\nvalue = "b"\nmin_share = 0.1\n', "ring_fence 1: field 'district' is not"),
        ('[[ring_fence]]\nfield = "category"\nvalue = "c"\nmin_share = 0.1\n', "ring_fence 1: value 'c' is in no"),
        ("[[ring_fence]\n", "not valid TOML"),
    ],
)
def test_tally_constraint_errors_are_one_line(tmp_path, toml, message):
    path = cli_election(tmp_path)
    fences = tmp_path / "fences.toml"
    fences.write_text(toml)
    done = run_cli("pb", "tally", str(path), "--rule", "mes-add1-greedy", "--constraints", str(fences))
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("Error: ") and message in done.stderr, done.stderr


def test_tally_replays_the_ring_fences_the_file_records(tmp_path):
    path = cli_election(tmp_path)
    election = pabulib.read(path)
    fence = RingFence("category", "b", Fraction(1, 2))
    election.meta[constraints.META_KEY] = constraints.to_meta([fence])
    pabulib.write(election, path)
    done = json.loads(run_cli("pb", "tally", str(path), "--rule", "greedy").stdout)
    assert done["winners"] == constrained.tally(election, "greedy", [fence]).winners == ["2", "3", "1"]
    assert [f["value"] for f in done["ring_fences"]] == ["b"]
