"""The `commonground` command: every app owns its command group; this file only registers them.

An app's module is imported only when one of its commands runs (or its help is asked for), so
`commonground pb tally` does not pay for Django, pandas or the other apps. Every failure the user
can fix prints one line starting "Error:" and exits non-zero (see commonground.terminal).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import typer
from typer.core import TyperGroup

HELP = "Common Ground: find the places, get the money there, let communities decide and own."


@dataclass(frozen=True)
class Entry:
    """A command or command group: where it lives (module:attribute); its help is the group's own."""

    target: str
    group: bool = True
    aliases: tuple[str, ...] = ()


# Root commands live in commonground.core.cli; each group is a Typer app in its capability's module.
REGISTRY: dict[str, Entry] = {
    "serve": Entry("commonground.core.cli:app", False),
    "worker": Entry("commonground.core.cli:app", False),
    "migrate": Entry("commonground.core.cli:app", False),
    "init-demo": Entry("commonground.core.cli:app", False),
    "version": Entry("commonground.core.cli:app", False),
    "backup": Entry("commonground.core.cli:app", False),
    "restore": Entry("commonground.core.cli:app", False),
    "users": Entry("commonground.accounts.cli:app"),
    "audit": Entry("commonground.audit.cli:app"),
    "notify": Entry("commonground.notify.cli:app"),
    "data": Entry("commonground.datasets.cli:app"),
    "index": Entry("commonground.places.cli:index"),
    "places": Entry("commonground.places.cli:places"),
    "neighbourhoods": Entry("commonground.neighbourhoods.cli:app"),
    "fund": Entry("commonground.fund.cli:app"),
    "budgeting": Entry("commonground.budgeting.cli:app", aliases=("pb",)),
    "contributions": Entry("commonground.contributions.cli:app"),
    "pots": Entry("commonground.pots.cli:app"),
    "delivery": Entry("commonground.delivery.cli:app"),
    "assets": Entry("commonground.assets.cli:app"),
    "ballots": Entry("commonground.ballots.cli:app", aliases=("ballot",)),
    "panels": Entry("commonground.panels.cli:app", aliases=("panel",)),
    "outcomes": Entry("commonground.outcomes.cli:outcomes"),
    "report": Entry("commonground.outcomes.cli:report"),
    "bodies": Entry("commonground.publicbodies.cli:app"),
    "impact": Entry("commonground.impact.cli:app"),
    "spending": Entry("commonground.spending.cli:app"),
    "procurement": Entry("commonground.procurement.cli:app"),
}


# The short names scripts already call (`pb tally`, `panel select`, `ballot tally`) keep working.
ALIASES = {alias: name for name, entry in REGISTRY.items() for alias in entry.aliases}


def load(name: str):
    """The command behind a registered name or alias, importing only its module."""
    import typer.main

    name = ALIASES.get(name, name)
    module, attribute = REGISTRY[name].target.split(":")
    command = typer.main.get_group(getattr(importlib.import_module(module), attribute))
    if not REGISTRY[name].group:
        command = command.get_command(typer.Context(command), name)
    command.name = name
    return command


class Commands(TyperGroup):
    """A root group that imports an app's commands only when they are called (or their help is shown)."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(REGISTRY)

    def get_command(self, ctx: typer.Context, cmd_name: str):
        return load(cmd_name) if cmd_name in REGISTRY or cmd_name in ALIASES else None


app = typer.Typer(cls=Commands, help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@app.callback()
def root() -> None:
    """Common Ground: find the places, get the money there, let communities decide and own."""


def main() -> None:
    app(prog_name="commonground")


if __name__ == "__main__":
    main()
