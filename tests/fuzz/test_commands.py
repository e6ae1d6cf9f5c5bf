"""The interface outside checks use (issue 19): every command on a malformed file exits 1 with one
line starting `Error:`, within 10 s. Each case is a crasher or hang from the issue or the fuzzing,
run as a user runs it, in its own process (a hang in a single C call, such as Fraction expanding
1e99999999, is only caught this way)."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import run_cli
from tests.fuzz import seeds

pytestmark = [pytest.mark.fuzz, pytest.mark.sqlite]

PB = seeds.PB[0]
UNREADABLE = b"\xff\xfe not utf-8 \x00"
# (what, command with {file} for the malformed file, its content); {pool}, {spec} and so on are good seeds.
CASES = [
    ("cost 1e400", ["pb", "tally", "{file}", "--rule", "mes-add1"], PB.replace("1;40000;", "1;1e400;")),
    ("budget 1e99999999", ["pb", "check", "{file}"], PB.replace("budget;100000", "budget;1e99999999")),
    ("num_votes 1e99999999", ["pb", "tally", "{file}"], PB.replace("num_votes;5", "num_votes;1e99999999")),
    ("field past the csv limit", ["pb", "explain", "{file}"], PB.replace("Bench", '"' + "q" * 200_000)),
    ("one-column META header", ["pb", "check", "{file}", "--strict"], PB.replace("key;value", "key")),
    (".pb not UTF-8", ["pb", "tally", "{file}"], UNREADABLE),
    ("quotas past the csv limit", ["panel", "select", "--features", "{file}", "--people", "{pool}", "--size", "4"],
     'feature,value,min,max\ngender,"female' + "q" * 200_000),
    ("quota 1e30", ["panel", "select", "--features", "{file}", "--people", "{pool}", "--size", "4"],
     seeds.QUOTAS[0].replace("2,3", "1e30,1e30", 1)),
    ("pool with an extra field", ["panel", "select", "--features", "{quotas}", "--people", "{file}", "--size", "4"],
     seeds.POOL[0] + "p99,male,old,x@example.org,9 High St,XX1 1AA,surplus\n"),
    ("distribution as a list", ["panel", "draw", "--distribution", "{file}", "--seed", "1"],
     '{"probabilities": [0.5], "panels": [{"members": ["0"], "weight": 1}]}'),
    ("spec not UTF-8", ["index", "build", "--spec", "{file}", "--indicators", "{indicators}"], UNREADABLE),
    ("empty indicators", ["index", "build", "--spec", "{spec}", "--indicators", "{file}"], ""),
    ("indicators all blank", ["index", "build", "--spec", "{spec}", "--indicators", "{file}"],
     "code,count,people,distance\nE05000001,1,100,\n"),
    ("domain rank inf", ["index", "imd", "--domain-ranks", "{file}"], seeds.IMD[0].replace(",4,1,", ",inf,1,")),
    ("population 1e400", ["fund", "allocate", "--total", "1000000", "--eligible", "{file}"],
     seeds.ELIGIBLE[1].replace("9000", "1e400")),
    ("ownership past the csv limit", ["assets", "import-ownership", "{file}"],
     seeds.OWNERSHIP[0] + '"' + "q" * 200_000),
    ("survey with an extra field", ["outcomes", "import-survey", "{file}", "--dataset", "fuzz", "--period", "2026"],
     seeds.SURVEY[0] + "X05000001,extra,1,,,,surplus\n"),
]  # fmt: skip


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A migrated data directory, and the good seed files the commands take besides the bad one."""
    folder = tmp_path_factory.mktemp("commands")
    env = {"COMMONGROUND_DATA_DIR": str(folder)}
    assert run_cli("migrate", env=env).returncode == 0
    files = {"pool": seeds.POOL[0], "quotas": seeds.QUOTAS[0], "spec": seeds.SPEC[0], "indicators": seeds.INDICATORS[0]}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder, env


@pytest.mark.parametrize(("what", "command", "content"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_is_one_error_line_within_10_seconds(workspace, what, command, content):
    folder, env = workspace
    bad = folder / "bad"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    args = [a.format(file=bad, **{n: folder / n for n in ("pool", "quotas", "spec", "indicators")}) for a in command]
    try:
        result = run_cli(*args, env=env, timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command)}: still running after 10 s on a file with {what}")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1, result.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr[-2000:]


def test_the_sites_file_for_a_vote_with_no_ballots_counts_to_no_winners(tmp_path):
    """The results file a PB process closed with no ballots downloads as: every MES rule used to
    divide by the number of voters."""
    path = tmp_path / "none.pb"
    path.write_text(seeds.PB[5], encoding="utf-8")
    for rule in ("mes", "mes-add1", "equal-shares"):
        result = run_cli("pb", "tally", str(path), "--rule", rule, timeout=10)
        assert result.returncode == 0, result.stderr
        assert '"winners": []' in result.stdout
