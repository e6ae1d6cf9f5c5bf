"""Why each project won or lost under a PB rule, in words a resident understands, with the figures.

The explanations read the rules' own traces (the MES run in `mes.py`, `rules.greedy_steps`,
`rules.phragmen_trace`), so they cannot disagree with `rules.tally`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction

import numpy as np

from commonground.engine.pb import rules
from commonground.engine.pb.profile import Election


@dataclass
class ProjectExplanation:
    project_id: str
    won: bool
    text: str  # one or two plain-English sentences
    rule: str
    cost: float
    supporters: int  # ballots giving it approval or points
    reason: str  # bought | completion | free | unaffordable | no-support | funded | did-not-fit | below-threshold
    # | after-stop | stopped-here | not-reached | too-dear
    round: int | None = None  # MES/Phragmén round it was bought in (1 = first)
    rounds: int | None = None  # how many rounds the count had
    position: int | None = None  # greedy: place in the order (1 = first)
    price_per_supporter: float | None = None  # MES winner: what each supporter paid (approval)
    price_per_point: float | None = None  # MES winner with points: paid per point given
    needed_per_supporter: float | None = None  # MES loser: the cheapest equal price it needed
    left_per_supporter: float | None = None  # MES loser: its supporters' money left, on average
    supporters_money: float | None = None  # MES loser: its supporters' money left, in all
    money_left: float | None = None  # greedy/completion: money left when its turn came
    load: float | None = None  # Phragmén: each supporter's total share of costs with it
    ahead: list[str] = field(default_factory=list)  # greedy loser: funded projects ahead of it
    stopped_at: str | None = None  # the project at which counting stopped (no-skip, Phragmén)

    def as_dict(self) -> dict:
        return asdict(self)


def money(amount: float | Fraction, election: Election) -> str:
    """An amount in the election's currency, e.g. £3.20 or 1,250.00 PLN."""
    currency = election.meta.get("currency", "")
    value = f"{float(amount):,.2f}"
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency.upper())
    if symbol:
        return f"{symbol}{value}"
    return f"{value} {currency}".strip()


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def explain(
    election: Election, rule: str, plain: bool = False, completion: bool | None = None
) -> dict[str, ProjectExplanation]:
    """An explanation for every project of `election` under `rule`, as `rules.tally` counts it with
    the same `plain` and `completion`."""
    found = rules.rule_named(rule)
    election = rules.cardinal(election, found)
    if found.family == "greedy":
        city = not plain and rules.has_city_settings(election)
        return _greedy(election, rule, rules.greedy_steps(election, city=city), city)
    if found.family == "phragmen":
        return _phragmen(election, rule)
    return _mes(election, found, completion)


def _base(election: Election) -> tuple[np.ndarray, np.ndarray]:
    count = election.approvals()
    points = (
        np.bincount(election.ballot_projects, weights=election.ballot_points, minlength=election.n_projects)
        if election.ballot_points is not None
        else count
    )
    return count, points


def _greedy(election: Election, rule: str, steps: list[rules.GreedyStep], city: bool) -> dict[str, ProjectExplanation]:
    ids = election.project_ids
    count, points = _base(election)
    cardinal = election.ballot_points is not None
    measure = "points" if cardinal else "votes"
    order_words = (
        f"most {measure} first"
        if city
        else f"most {'points' if cardinal else 'votes'} per {money(1, election)} of cost"
    )
    out: dict[str, ProjectExplanation] = {}
    funded_so_far: list[str] = []
    stop_project = next((ids[s.project] for s in steps if s.why == "did-not-fit"), None) if city else None
    threshold = election.meta.get("min_project_score_threshold")
    for position, step in enumerate(steps, start=1):
        p = step.project
        pid = ids[p]
        cost = election.costs[p]
        support = f"{_plural(int(points[p]), measure[:-1])}"
        head = (
            f"Place {position} of {len(steps)} in the order ({order_words}), with {support} for {money(cost, election)}"
        )
        ex = ProjectExplanation(
            pid, step.funded, "", rule, float(cost), int(count[p]), step.why, position=position,
            money_left=float(step.left), ahead=[],
        )  # fmt: skip
        if step.funded:
            ex.text = f"{head}; it fitted the {money(step.left, election)} still left, so it was funded."
            funded_so_far.append(pid)
        elif step.why == "below-threshold":
            ex.text = f"{head}; it needed at least {threshold} {measure} to be eligible, so it was not funded."
        elif step.why == "after-stop":
            ex.stopped_at = stop_project
            ex.text = (
                f"{head}. Counting stopped earlier, at {stop_project}, the first project that did not fit "
                f"the money left, so projects after it were not funded."
            )
        else:
            ex.ahead = list(funded_so_far)
            ahead = ", ".join(ex.ahead[:5]) + (f" and {len(ex.ahead) - 5} more" if len(ex.ahead) > 5 else "")
            ex.text = f"{head}. When its turn came only {money(step.left, election)} was left, less than its cost" + (
                f"; the money went to the {_plural(len(ex.ahead), 'project')} ahead of it ({ahead})."
                if ex.ahead
                else "."
            )
            if city and pid == stop_project and "no-skip" in election.meta.get("rule", ""):
                ex.reason = "stopped-here"
                ex.text += " Counting stopped here."
        out[pid] = ex
    return out


def _phragmen(election: Election, rule: str) -> dict[str, ProjectExplanation]:
    trace = rules.phragmen_trace(election)
    ids = election.project_ids
    count, _ = _base(election)
    won = {p: (r, load) for r, (p, load) in enumerate(trace.rounds, start=1)}
    stopped = ids[trace.stopped_at] if trace.stopped_at is not None else None
    out: dict[str, ProjectExplanation] = {}
    for p in range(election.n_projects):
        pid, cost, n = ids[p], election.costs[p], int(count[p])
        ex = ProjectExplanation(pid, p in won, "", rule, float(cost), n, "", rounds=len(trace.rounds))
        if p in won:
            ex.round, load = won[p]
            ex.reason, ex.load = "bought", float(load)
            ex.text = (
                f"Chosen in round {ex.round} of {len(trace.rounds)}: sharing its {money(cost, election)} cost "
                f"among its {_plural(n, 'supporter')} brought each of them to {money(load, election)} "
                f"of spending in all, the lowest of any project that round."
            )
        elif p in trace.too_dear:
            ex.reason = "too-dear"
            ex.text = (
                f"It costs {money(cost, election)}, more than the whole budget of {money(election.budget, election)}."
            )
        elif n == 0:
            ex.reason = "no-support"
            ex.text = "No one voted for it."
        else:
            would = (trace.load_of(p) + Fraction(cost)) / n
            ex.load, ex.stopped_at = float(would), stopped
            ex.reason = "stopped-here" if pid == stopped else "not-reached"
            ex.text = (
                f"Funding it would have brought each of its {_plural(n, 'supporter')} to {money(would, election)} "
                f"of spending in all; "
                + (
                    "it was next in line but did not fit the money left, so counting stopped."
                    if pid == stopped
                    else "other projects spread the cost more thinly and used the budget first."
                )
            )
        out[pid] = ex
    return out


def _mes(election: Election, found: rules.Rule, completion: bool | None) -> dict[str, ProjectExplanation]:
    rule, completes = found.name, found.completes(election, completion)
    trace = rules.mes_trace(election, found.increment, found.stop_when_exhaustive)
    ids = election.project_ids
    mes_winners = [ids[p] for p in trace.selected]
    final = rules.complete_greedily(election, mes_winners) if completes else mes_winners
    completed = final[len(mes_winners) :]
    count, points = _base(election)
    cardinal = election.ballot_points is not None
    bought = {r.project: (i, r) for i, r in enumerate(trace.rounds, start=1)}
    free = set(trace.free)
    total_rounds = len(trace.rounds)
    entry_voters = election.voter_of_entry()
    money_by_project = np.bincount(
        election.ballot_projects, weights=trace.money[entry_voters], minlength=election.n_projects
    )
    left_after_mes = Fraction(election.budget) - sum(
        Fraction(election.costs[election.index_of[w]]) for w in mes_winners
    )
    endowment = money(trace.endowment, election)
    completion_order = {pid: i for i, pid in enumerate(rules.greedy_order(election), start=1)} if completed else {}
    out: dict[str, ProjectExplanation] = {}
    for p in range(election.n_projects):
        pid, cost, n = ids[p], election.costs[p], int(count[p])
        ex = ProjectExplanation(pid, pid in final, "", rule, float(cost), n, "", rounds=total_rounds)
        if p in bought:
            ex.round, r = bought[p]
            ex.reason = "bought"
            if cardinal:
                ex.price_per_point = r.rho
                price = f"{money(r.rho, election)} for each point they gave it"
            else:
                ex.price_per_supporter = r.rho * float(cost)
                price = f"{money(ex.price_per_supporter, election)} each"
            ex.text = (
                f"Bought in round {ex.round} of {total_rounds}, each voter starting with {endowment}: its "
                f"{_plural(n, 'supporter')} paid {price} (anyone with less left paid all they had)."
            )
        elif p in free:
            ex.reason = "free"
            ex.text = "It costs nothing and has supporters, so it is funded outright."
        elif n == 0:
            ex.reason = "no-support"
            ex.text = "No one voted for it."
        else:
            had = float(money_by_project[p])
            ex.supporters_money = had
            ex.left_per_supporter = had / n
            if cardinal:
                per = float(Fraction(cost) / int(points[p]))
                ex.needed_per_supporter = float(Fraction(cost) / n)
                need = (
                    f"Needed {money(per, election)} for each of the {int(points[p]):,} points its "
                    f"{_plural(n, 'supporter')} gave it"
                )
            else:
                ex.needed_per_supporter = float(Fraction(cost) / n)
                need = f"Needed {money(ex.needed_per_supporter, election)} from each of its {_plural(n, 'supporter')}"
            ex.reason = "unaffordable"
            ex.text = (
                f"{need}; by the end they had {money(ex.left_per_supporter, election)} each left on average "
                f"({money(had, election)} in all, short of its {money(cost, election)} cost)"
            )
            if pid in completed:
                ex.reason = "completion"
                ex.position = completion_order[pid]
                ex.text += (
                    f". It was then bought from the {money(left_after_mes, election)} left over, in order of votes "
                    f"per {money(1, election)} (place {ex.position})."
                )
            elif completes:
                ex.text += (
                    f", and it did not fit what was left over when the {money(left_after_mes, election)} "
                    "remaining was spent in order of votes per unit of cost."
                )
            else:
                ex.text += "."
        out[pid] = ex
    return out
