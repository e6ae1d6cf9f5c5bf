"""Mutation fuzzing: small, well-formed seed files changed a few times each, the way an attacker's
fuzzer or a careless spreadsheet does, driven by Hypothesis so a crash shrinks to a short case.

Also the bounded settings every fuzz test runs under, and a time limit that turns a hang into a
failure (issue 19, defects 5 and 6).
"""

from __future__ import annotations

import os
import random
import re
import signal
from collections.abc import Callable, Sequence
from contextlib import contextmanager

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Inputs per test; the whole fuzz run stays under 3 minutes on 2 cores at the default. CI may raise it
# for a longer run (COMMONGROUND_FUZZ_EXAMPLES=2000).
EXAMPLES = int(os.environ.get("COMMONGROUND_FUZZ_EXAMPLES", "100"))
SECONDS = 5  # an input taking longer is a hang: every command must answer within 10 s

# Values that broke parsers before: numbers Decimal, Fraction or float take but nothing can count,
# separators, quotes and line ends inside fields, control characters, non-ASCII digits, long fields.
TOKENS = [
    "NaN", "nan", "Infinity", "-inf", "sNaN", "1e400", "1e99999999", "-1e99999999", "1e-400", "1e30", "-1", "0",
    "-0", "0.0000000001", "99999999999999999999", "1_000", "١٢", "²", "0x10", "1,5", "1.5.5", "", " ", '"', '""',
    "'", ";", ",", ";;", ",,,", "\r", "\n", "\r\n", "\t", "\x00", "\ufeff", "\u2028", "é", "🙂", "x" * 300,
    "9" * 5000, '"' + "q" * 200_000, "META", "PROJECTS", "VOTES", "[[domain]]", "{", "[", "]", "null", "true",
]  # fmt: skip
NUMBERS = [t for t in TOKENS[:20] if t] + ["-5", "0.5", "3", "1e14", "123456789012345", "1e-9", "0e5"]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture,
                           HealthCheck.filter_too_much, HealthCheck.large_base_example],
)  # fmt: skip


def mutate(text: str, rng: random.Random, changes: int) -> str:
    """`text` with `changes` random edits: an odd number in place of a number, a token in place of a
    field or inserted anywhere, a span deleted, a line repeated, dropped or swapped, a character
    changed, the end cut off."""
    for _ in range(changes):
        lines = text.split("\n")
        kind = rng.randrange(14)
        numbers = list(re.finditer(r"[0-9]+(?:[.,][0-9]+)?", text)) if kind >= 8 else []
        if numbers:  # a number in place of a number: the values the parsers must bound
            found = rng.choice(numbers)
            token = rng.choice(NUMBERS + [str(int(found.group()[:15].replace(",", "").split(".")[0] or 0) * 10**12)])
            text = text[: found.start()] + token + text[found.end() :]
        elif kind <= 2 and text:  # replace one field of one line with a token
            i = rng.randrange(len(lines))
            sep = rng.choice([";", ","])
            fields = lines[i].split(sep)
            fields[rng.randrange(len(fields))] = rng.choice(TOKENS)
            lines[i] = sep.join(fields)
            text = "\n".join(lines)
        elif kind == 3:
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif kind == 4 and text:
            at = rng.randrange(len(text))
            text = text[:at] + text[at + rng.randint(1, 20) :]
        elif kind == 5:
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i] if rng.random() < 0.7 else lines[rng.randrange(len(lines))])
            text = "\n".join(lines)
        elif kind == 6 and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if rng.random() < 0.5:
                lines[i], lines[j] = lines[j], lines[i]
            else:
                del lines[i]
            text = "\n".join(lines)
        elif kind == 7 and text:
            at = rng.randrange(len(text))
            text = text[:at] + chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x2FFF)])) + text[at + 1 :]
        elif kind == 8:
            text = text[: rng.randint(0, len(text))]
    return text


def mutants(seeds: Sequence[str], most_changes: int = 6) -> st.SearchStrategy[str]:
    """Hypothesis strategy: one of `seeds`, mutated 0 to `most_changes` times (0: the seed itself)."""
    return st.builds(
        mutate, st.sampled_from(list(seeds)), st.randoms(use_true_random=False), st.integers(0, most_changes)
    )


class Hang(Exception):
    """An input ran past the time limit."""


@contextmanager
def time_limit(seconds: float = SECONDS):
    """Raise Hang in the body once `seconds` have passed (Python-level loops only: a single C call,
    such as expanding 10**99999999, runs on, which the command-line checks' timeout catches)."""

    def expire(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def survives(target: Callable[[str], object], text: str, expected: tuple[type[BaseException], ...]) -> None:
    """Run `target` on `text` within the time limit; only the `expected` error types may escape."""
    try:
        with time_limit():
            target(text)
    except expected:
        pass
