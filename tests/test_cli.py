"""The command line: help everywhere, and one-line errors for configuration mistakes."""

from __future__ import annotations

import re
import socket
import subprocess
import sys

import pytest
import typer

from tests.conftest import run_cli

pytestmark = pytest.mark.sqlite


def every_command() -> list[list[str]]:
    """Every registered command and subcommand, taken from the command line itself."""
    from commonground.cli import REGISTRY, load

    found: list[list[str]] = [[]]
    for name in REGISTRY:
        found.append([name])
        command = load(name)
        if hasattr(command, "list_commands"):
            found += [[name, sub] for sub in command.list_commands(typer.Context(command))]
    return found


@pytest.mark.parametrize("command", every_command(), ids=lambda c: " ".join(c) or "top")
def test_every_command_has_help(command):
    from typer.testing import CliRunner

    from commonground.cli import app

    result = CliRunner().invoke(app, [*command, "--help"], prog_name="commonground")
    assert result.exit_code == 0, result.output
    assert "Usage: commonground" in result.output and "--help" in result.output


def test_help_runs_as_a_program_and_names_every_group():
    from commonground.cli import REGISTRY

    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert all(name in result.stdout for name in REGISTRY)


def test_a_command_loads_only_its_own_app():
    """`pb tally` needs neither Django nor the other apps: only its module is imported."""
    code = (
        "import sys; from commonground.cli import load; load('pb'); "
        "print(sorted(m for m in sys.modules if m.startswith(('django', 'commonground.'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    loaded = eval(result.stdout)  # noqa: S307 (our own printed list)
    assert not [m for m in loaded if m.startswith("django")]
    assert {m.split(".")[1] for m in loaded if m.count(".") >= 1} <= {"budgeting", "terminal", "cli"}


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def test_unsupported_database_url_is_one_line_error(tmp_path):
    result = run_cli(
        "migrate", env={"DATABASE_URL": "mysql://u:p@localhost/db", "COMMONGROUND_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: DATABASE_URL has scheme 'mysql'")


def test_unreachable_database_is_one_line_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    url = f"postgres://nobody:secret@127.0.0.1:{free_port}/commonground"
    result = run_cli("migrate", env={"DATABASE_URL": url, "COMMONGROUND_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert "cannot connect to the postgresql database at 127.0.0.1" in lines[0]


def test_missing_data_directory_is_one_line_error(tmp_path):
    missing = tmp_path / "not-here"
    result = run_cli("init-demo", env={"COMMONGROUND_DATA_DIR": str(missing)})
    assert result.returncode == 2
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert f"COMMONGROUND_DATA_DIR='{missing}' does not exist" in lines[0]
    assert not missing.exists(), "a mistyped data directory must not be created"


def test_port_in_use_is_one_line_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port), env={"COMMONGROUND_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0] == f"Error: port {port} on 127.0.0.1 is already in use; stop the other program or choose --port"
    assert not (tmp_path / "commonground.sqlite3").exists(), "nothing is written before the port check"


def test_bad_port_value_is_rejected():
    result = run_cli("serve", "--port", "70000")
    assert result.returncode == 2
    assert "Invalid value for '--port'" in result.stderr
    assert "70000" in result.stderr and "65535" in result.stderr


def test_commands_on_an_unmigrated_database_say_so(tmp_path):
    result = run_cli("audit", "verify", env={"COMMONGROUND_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    lines = _error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert "is not set up for this version: run `commonground migrate` first" in lines[0]


def test_init_demo_then_verify_audit_chain(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    loaded = run_cli("init-demo", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "73 areas" in loaded.stdout
    again = run_cli("init-demo", env=env)
    assert again.returncode == 0, again.stderr
    verified = run_cli("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stderr
    checked = re.search(r"Audit chain intact: (\d+) records checked", verified.stdout)
    assert checked and int(checked.group(1)) > 2  # the places loads plus every step of the demo PB processes


def test_users_create_grants_roles_and_rejects_weak_password(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    weak = run_cli("users", "create", "a@example.org", "--name", "A", "--password-stdin", env=env, input="short\n")
    assert weak.returncode == 1
    assert "too short" in weak.stderr
    bad_role = run_cli(
        "users",
        "create",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "mayor",
        "--password-stdin",
        env=env,
        input="a long enough passphrase\n",
    )
    assert bad_role.returncode == 1
    assert "--role must be one of" in bad_role.stderr
    ok = run_cli(
        "users",
        "create",
        "admin@example.org",
        "--name",
        "Ada Admin",
        "--role",
        "site_admin",
        "--password-stdin",
        env=env,
        input="a long enough passphrase\n",
    )
    assert ok.returncode == 0, ok.stderr
    assert "resident (the whole site), site_admin (the whole site)" in ok.stdout
    duplicate = run_cli(
        "users",
        "create",
        "ADMIN@example.org",
        "--name",
        "Again",
        "--password-stdin",
        env=env,
        input="a long enough passphrase\n",
    )
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr


def test_audit_verify_exits_non_zero_naming_the_first_broken_record(tmp_path):
    import sqlite3

    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    for _ in range(3):
        assert run_cli("init-demo", env=env).returncode == 0
    with sqlite3.connect(tmp_path / "commonground.sqlite3") as db:
        db.execute("UPDATE audit_auditrecord SET after = '{\"areas\": 1}' WHERE seq = 2")
    result = run_cli("audit", "verify", env=env)
    assert result.returncode == 1
    lines = _error_lines(result.stderr)
    assert lines == [
        "Error: audit record 2: content does not match its hash: the record was altered (checked 2 records)"
    ]


@pytest.mark.parametrize(("short", "name"), [("pb", "budgeting"), ("ballot", "ballots"), ("panel", "panels")])
def test_short_names_reach_the_same_group(short, name):
    """Scripts written for `pb tally` or `panel select` keep working after the groups took their app's name."""
    from commonground.cli import load

    assert load(short).list_commands(typer.Context(load(short))) == load(name).list_commands(typer.Context(load(name)))
    assert not re.search(rf"^\W*{short}\s", run_cli("--help").stdout, re.MULTILINE), "listed once, by its app's name"


def test_pb_tally_under_both_names(tmp_path):
    election = tmp_path / "e.pb"
    election.write_text(
        "META\nkey;value\ndescription;t\ncountry;x\nunit;x\ninstance;x\nnum_projects;2\nnum_votes;2\n"
        "budget;10\nvote_type;approval\nrule;greedy\n"
        "PROJECTS\nproject_id;cost\na;6\nb;6\nVOTES\nvoter_id;vote\n1;a\n2;a,b\n",
        encoding="utf-8",
    )
    by_short = run_cli("pb", "tally", str(election), "--rule", "greedy")
    by_name = run_cli("budgeting", "tally", str(election), "--rule", "greedy")
    assert by_short.returncode == 0, by_short.stderr
    assert by_short.stdout == by_name.stdout and '"a"' in by_name.stdout
