"""Replacements after drop-outs keep the quotas and draw fairly from the rest of the pool."""

from __future__ import annotations

import pytest

from commonground.engine.sortition.leximin import select
from commonground.engine.sortition.model import SortitionError
from commonground.engine.sortition.replacement import replace
from tests.engine.sortition.conftest import check_lottery, load, solved


@pytest.mark.parametrize("name", ["replication_20", "practitioner_22"])
def test_replacements_complete_a_panel_that_meets_the_quotas(name):
    pool, quotas, k = load(name)
    dist = solved(name, "leximin")
    panel = [pool.ids[i] for i in dist.panels[0]]
    dropped = panel[:3]
    request, options = replace(pool, quotas, panel, dropped)
    assert request.seats == 3 and len(request.staying) == k - 3
    assert not set(request.remaining.ids) & set(panel)
    check_lottery(request.remaining, request.quotas, 3, options.weights, options.panels, options.probabilities)
    index = {pid: i for i, pid in enumerate(pool.ids)}
    for members in options.panels:
        final = request.staying + [request.remaining.ids[i] for i in members]
        full = [index[m] for m in final]
        check_lottery(pool, quotas, k, [1.0], [full], [1.0 if i in full else 0.0 for i in range(pool.n)])
    assert options.probabilities.min() == pytest.approx(
        select(request.remaining, request.quotas, 3, "maximin").probabilities.min(), abs=1e-6
    )


def test_replacement_errors():
    pool, quotas, k = load("replication_20")
    panel = [pool.ids[i] for i in solved("replication_20", "leximin").panels[0]]
    with pytest.raises(SortitionError, match="not on the panel"):
        replace(pool, quotas, panel, [next(p for p in pool.ids if p not in panel)])
    with pytest.raises(SortitionError, match="'nobody' is not in the pool"):
        replace(pool, quotas, panel, ["nobody"])
    with pytest.raises(SortitionError, match="no drop-outs"):
        replace(pool, quotas, panel, [])
