"""Demo PB processes for Demo Borough: one counted (with seeded, invented ballots) and one taking
ideas, so a fresh install shows the whole cycle. Runs through the same services as real processes."""

from __future__ import annotations

import numpy as np
from django.db import transaction

from commonground.budgeting import casting, money, services
from commonground.budgeting.models import Process, Proposal, Result, VoterMark
from commonground.delivery import services as delivery
from commonground.places.models import Area

ACTOR = "commonground init-demo"
SEED = 2026
IDEAS = [
    ("Community garden at the old depot", "Raised beds, a shed and a water butt for all.", 18_000, "green spaces"),
    ("Youth club Friday nights", "Two years of Friday sessions with trained youth workers.", 24_000, "young people"),
    ("Benches and bins on the green", "Six benches and four bins along the main path.", 6_000, "streets"),
    ("Repair café", "Monthly repair sessions with tools and volunteers' expenses.", 4_500, "community"),
    ("Play area resurfacing", "Safe surfacing under the swings and climbing frame.", 12_000, "young people"),
    ("Warm space at the library", "Longer winter opening with hot drinks and activities.", 9_000, "community"),
    (
        "Street trees on Mill Lane",
        "Twelve street trees with guards and three years of watering.",
        14_000,
        "green spaces",
    ),
    ("Digital skills drop-in", "Weekly help with phones, forms and online banking.", 7_500, "learning"),
]
# Groups of residents with shared priorities, and how many of the 240 voters are in each.
GROUPS = [([0, 6, 2], 70), ([1, 4], 60), ([3, 5, 7], 50), ([5, 2], 35), ([4, 0], 25)]
# Invented answers to the optional equality question, skewed as PB turnout often is (older people and
# women vote more): (answer, probability), "" for a voter who skipped the question.
AGE_ANSWERS = [("16_64", 0.55), ("65_plus", 0.3), ("prefer_not", 0.05), ("", 0.1)]
SEX_ANSWERS = [("female", 0.52), ("male", 0.33), ("prefer_not", 0.05), ("", 0.1)]


def load() -> dict[str, int]:
    """Replace the demo processes; returns how many ballots were cast."""
    brookfield = Area.objects.filter(code="X05000002", is_demo=True).first()
    larkrise = Area.objects.filter(code="X05000012", is_demo=True).first()
    rng = np.random.default_rng(SEED)
    answers_rng = np.random.default_rng(SEED + 1)  # its own stream: the ballots are as before
    with transaction.atomic():
        old = Process.objects.filter(is_demo=True)
        for process in old:
            delivery.discard(f"pb:{process.slug}:")
        Result.objects.filter(process__in=old).delete()
        VoterMark.objects.filter(process__in=old).delete()
        old.delete()
        counted = _process(
            "Brookfield Decides 2026", brookfield, 60_000, "Community Wealth Fund award, first year", is_demo=True
        )
        counted = services.advance(counted, ACTOR)
        proposals = [
            services.submit_proposal(counted, None, title=t, summary=s, estimated_cost=c, category=cat)
            for t, s, c, cat in IDEAS
        ]
        counted = services.advance(counted, ACTOR)
        for p in proposals:
            services.review(p, ACTOR, feasible=True, cost=p.estimated_cost, reason="")
        counted = services.advance(counted, ACTOR)
        codes = casting.issue_codes(counted, ACTOR, sum(n for _, n in GROUPS), "Demo")
        ballots = 0
        for favourites, size in GROUPS:
            for _ in range(size):
                chosen = [
                    favourites[i]
                    for i in sorted(rng.choice(len(favourites), rng.integers(1, len(favourites) + 1), replace=False))
                ]
                if rng.random() < 0.3:
                    chosen.append(int(rng.integers(0, len(IDEAS))))
                ballot = {proposals[i].project_id: 1 for i in dict.fromkeys(chosen[:3])}
                casting.cast(counted, ballot, code=codes[ballots], equality=_answers(answers_rng))
                ballots += 1
        counted = services.advance(counted, ACTOR)
        first_winner = Proposal.objects.get(pk=int(counted.result.winners[0]))
        delivery.post_update(
            ACTOR,
            money.delivery_records(counted)[first_winner.project_id],
            text="Started.",
            status="in_progress",
            progress=30,
            spent_pence=first_winner.cost // 3 * 100,
        )
        ideas = _process("Larkrise Youth Budget", larkrise, 25_000, "CIL neighbourhood portion", is_demo=True)
        services.advance(ideas, ACTOR)
    return {"ballots": ballots}


def _answers(rng: np.random.Generator) -> dict[str, str]:
    return {
        field: options[rng.choice(len(options), p=[p for _, p in options])][0]
        for field, options in (("age_band", AGE_ANSWERS), ("sex", SEX_ANSWERS))
    }


def _process(title: str, area: Area | None, budget: int, source: str, **extra) -> Process:
    return services.create_process(
        ACTOR,
        area,
        title=title,
        description=f"Demo data: residents of {area.name if area else 'Demo Borough'} decide how £{budget:,} is spent.",
        source_of_money=source,
        budget=budget,
        ballot_type="approval",
        min_selections=1,
        max_selections=3,
        rule="equal-shares",
        electorate=Process.Electorate.VERIFIED_OR_CODES,
        **extra,
    )
