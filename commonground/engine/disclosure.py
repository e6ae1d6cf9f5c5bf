"""Statistical disclosure control for small published tables: hide small counts so no one can tell
how a handful of identifiable people answered.

Threshold suppression with secondary suppression, as in the Government Statistical Service's
disclosure control guidance for tables from administrative sources: a count under the threshold is
hidden, and when the row total is published a second cell is hidden too, so the first cannot be
recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Mapping

THRESHOLD = 10


def hidden_cells(counts: Mapping[str, int], threshold: int = THRESHOLD, *, total_published: bool = True) -> set[str]:
    """The keys whose counts must not be published."""
    hidden = {key for key, n in counts.items() if n < threshold}
    if total_published and len(hidden) == 1 and len(counts) > 1:
        _, smallest = min((n, key) for key, n in counts.items() if key not in hidden)
        hidden.add(smallest)
    return hidden
