"""Paper ballots typed in twice (double keying): the two readings must agree before papers count.

Used for single PB papers (two officers, then a third to settle a mismatch) and for batches of
resident-ballot papers (entered twice, blind, re-entered when they differ). The mismatch report
shows, for every field the readings disagree on, what each reading said.
"""

from __future__ import annotations

from collections.abc import Mapping


def differences(first: Mapping, second: Mapping, labels: Mapping | None = None) -> dict[str, list]:
    """{label: [first reading, second reading]} for every field the two disagree on; a field left
    out and a blank one (0, "", None) read the same."""
    labels = labels or {}
    return {
        str(labels.get(key, key)): [first.get(key) or 0, second.get(key) or 0]
        for key in dict.fromkeys([*first, *second])
        if (first.get(key) or 0) != (second.get(key) or 0)
    }
