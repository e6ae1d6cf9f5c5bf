"""Verifiable draw: round a panel distribution to a uniform lottery over m tickets, then pick the
winning ticket from a public seed with SHA-256, so anyone can replay the draw from the files.

Rounding: Flanigan, Kehne & Procaccia, "Fair Sortition Made Transparent", NeurIPS 2021 — pipage
(dependent) rounding of m·λ to whole numbers of tickets keeps every panel's expected ticket count,
so each person's chance moves only a little; we run it on several reproducible random streams
(derived from the distribution file's SHA-256) and keep the rounding with the smallest largest
change in anyone's probability.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from commonground.engine.sortition.model import SortitionError


@dataclass
class PublishedDistribution:
    ids: list[str]
    probabilities: np.ndarray
    panels: list[list[str]]
    weights: np.ndarray
    digest: str  # SHA-256 of the file as published


def read_distribution(path: Path | str) -> PublishedDistribution:
    """The JSON written by `panel select` (or `panel replace`)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SortitionError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_distribution(raw, str(path))


def parse_distribution(raw: bytes, path: str = "distribution") -> PublishedDistribution:
    """The distribution from the published bytes (their SHA-256 seeds the rounding)."""
    try:
        data = json.loads(raw)
        chances = {str(i): float(p) for i, p in data["probabilities"].items()}
        panels = [[str(m) for m in p["members"]] for p in data["panels"]]
        weights = np.array([float(p["weight"]) for p in data["panels"]])
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise SortitionError(f"{path}: not a panel distribution (need probabilities and panels): {exc}"[:300]) from None
    if not panels:
        raise SortitionError(f"{path}: no panels")
    if not all(0 <= p <= 1 for p in chances.values()):  # NaN fails this too
        raise SortitionError(f"{path}: every probability must be a number from 0 to 1")
    if not np.isfinite(weights).all() or (weights < 0).any() or abs(weights.sum() - 1) > 1e-6:
        raise SortitionError(f"{path}: panel weights must be non-negative and sum to 1 (sum {weights.sum():.9f})")
    ids = list(chances)
    known = set(ids)
    for j, members in enumerate(panels):
        unknown = [m for m in members if m not in known]
        if unknown:
            raise SortitionError(f"{path}: panel {j + 1} has unknown member {unknown[0]!r}")
    digest = hashlib.sha256(raw).hexdigest()
    return PublishedDistribution(ids, np.array(list(chances.values())), panels, weights, digest)


def pipage_round(target: np.ndarray, rng: random.Random) -> np.ndarray:
    """Whole numbers with the same total as `target` (a whole number) and each entry rounded to its
    floor or ceiling, with expectation `target` (dependent rounding, pairwise mass moves)."""
    counts = np.floor(target + 1e-12)
    fraction = target - counts
    order = [j for j in range(len(target)) if fraction[j] > 1e-9]
    rng.shuffle(order)
    carry: int | None = None  # the one entry still fractional among those seen
    for b in order:
        if carry is None:
            carry = b
            continue
        a = carry
        up_a, up_b = min(1 - fraction[a], fraction[b]), min(fraction[a], 1 - fraction[b])
        if rng.random() * (up_a + up_b) < up_b:  # move up_a from b to a with probability up_b/(up_a+up_b)
            fraction[a] += up_a
            fraction[b] -= up_a
        else:
            fraction[a] -= up_b
            fraction[b] += up_b
        carry = None
        for j in (a, b):
            if fraction[j] >= 1 - 1e-9:
                counts[j] += 1
            elif fraction[j] > 1e-9:
                carry = j
    if carry is not None and fraction[carry] > 0.5:  # float leftovers of a whole total
        counts[carry] += 1
    return counts.astype(np.int64)


@dataclass
class Lottery:
    tickets: list[list[str]]  # m panels, in ticket order; equally likely
    max_change: float  # largest |lottery chance - distribution chance| over all people
    digest: str  # SHA-256 of the canonical ticket list

    def chances(self, ids: list[str]) -> dict[str, float]:
        count = dict.fromkeys(ids, 0)
        for panel in self.tickets:
            for member in panel:
                count[member] += 1
        return {i: c / len(self.tickets) for i, c in count.items()}


def build_lottery(dist: PublishedDistribution, m: int = 1000, trials: int = 32) -> Lottery:
    """Round the distribution to m equally likely tickets (reproducible from the file alone)."""
    if m < 1:
        raise SortitionError(f"--panels must be at least 1, not {m}")
    position = {pid: i for i, pid in enumerate(dist.ids)}
    membership = [np.array([position[x] for x in panel], dtype=np.int64) for panel in dist.panels]
    best: tuple[float, np.ndarray] | None = None
    for trial in range(trials):
        rng = random.Random(int(hashlib.sha256(f"{dist.digest}:{trial}".encode()).hexdigest(), 16))
        counts = pipage_round(dist.weights * m, rng)
        chance = np.zeros(len(dist.ids))
        for c, members in zip(counts, membership, strict=True):
            if c:
                chance[members] += c / m
        change = float(np.abs(chance - dist.probabilities).max())
        if best is None or change < best[0]:
            best = (change, counts)
    assert best is not None  # noqa: S101 - trials >= 1
    change, counts = best
    order = sorted(range(len(dist.panels)), key=lambda j: sorted(dist.panels[j]))
    tickets = [sorted(dist.panels[j]) for j in order for _ in range(int(counts[j]))]
    digest = hashlib.sha256(json.dumps(tickets, separators=(",", ":")).encode()).hexdigest()
    return Lottery(tickets, change, digest)


def winning_ticket(lottery: Lottery, seed: str) -> int:
    """Ticket number (0-based) picked by SHA-256 of the lottery digest and the public seed."""
    return int(hashlib.sha256(f"{lottery.digest}:{seed}".encode()).hexdigest(), 16) % len(lottery.tickets)


def draw(dist: PublishedDistribution, seed: str, m: int = 1000) -> dict:
    """The replayable draw: lottery digest, winning ticket and panel, and the rounding's cost."""
    if not seed.strip():
        raise SortitionError("the public seed must not be empty")
    lottery = build_lottery(dist, m)
    ticket = winning_ticket(lottery, seed)
    return {
        "seed": seed,
        "distribution_sha256": dist.digest,
        "lottery_sha256": lottery.digest,
        "tickets": len(lottery.tickets),
        "ticket": ticket + 1,
        "panel": lottery.tickets[ticket],
        "max_probability_change": lottery.max_change,
        "rounding": "pipage (Flanigan, Kehne & Procaccia, NeurIPS 2021)",
    }
