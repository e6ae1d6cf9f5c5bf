"""Replacements after drop-outs: a fair lottery over the remaining volunteers for the empty seats,
with quotas reduced by what the members who stay already bring, so the final panel still meets them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from commonground.engine.sortition.leximin import Distribution, Progress, select
from commonground.engine.sortition.model import Pool, Quotas, SortitionError


@dataclass
class ReplacementRequest:
    remaining: Pool  # who can still be invited: not on the panel, not a drop-out, not sharing a household with a member
    quotas: Quotas  # the quotas left for the replacements
    seats: int
    staying: list[str]


def replacement_request(pool: Pool, quotas: Quotas, panel: Sequence[str], dropped: Sequence[str]) -> ReplacementRequest:
    index = {pid: i for i, pid in enumerate(pool.ids)}
    panel_set = set(panel)
    for pid in [*panel, *dropped]:
        if pid not in index:
            raise SortitionError(f"id {pid!r} is not in the pool")
    for pid in dropped:
        if pid not in panel_set:
            raise SortitionError(f"drop-out {pid!r} is not on the panel")
    if not dropped:
        raise SortitionError("no drop-outs given")
    staying = [pid for pid in panel if pid not in set(dropped)]
    stay_rows = [index[pid] for pid in staying]
    taken_households = {pool.households[i] for i in stay_rows if pool.households and pool.households[i] is not None}
    keep = [
        i
        for i, pid in enumerate(pool.ids)
        if pid not in panel_set and not (pool.households and pool.households[i] in taken_households)
    ]
    bounds: dict[str, dict[str, tuple[int, int]]] = {}
    for j, feature in enumerate(pool.features):
        have = np.bincount(pool.codes[stay_rows, j], minlength=len(pool.values[feature])) if stay_rows else None
        bounds[feature] = {}
        for v, value in enumerate(pool.values[feature]):
            lo, hi = quotas.bounds[feature][value]
            already = int(have[v]) if have is not None else 0
            if already > hi:
                raise SortitionError(f"the members staying already exceed max {hi} for {feature}={value} ({already})")
            bounds[feature][value] = (max(0, lo - already), hi - already)
    if not keep:
        raise SortitionError("nobody is left in the pool to replace the drop-outs")
    return ReplacementRequest(pool.subset(keep), Quotas(bounds), len(dropped), staying)


def replace(
    pool: Pool,
    quotas: Quotas,
    panel: Sequence[str],
    dropped: Sequence[str],
    method: str = "leximin",
    progress: Progress | None = None,
) -> tuple[ReplacementRequest, Distribution]:
    """A lottery over sets of replacements, fair by the same method as the original selection."""
    request = replacement_request(pool, quotas, panel, dropped)
    return request, select(request.remaining, request.quotas, request.seats, method, progress)
