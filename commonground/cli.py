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
    """A command or command group: where it lives (module:attribute) and its one-line help."""

    target: str
    help: str
    group: bool = True


# Root commands live in commonground.core.cli; each group is a Typer app in its capability's module.
REGISTRY: dict[str, Entry] = {
    "serve": Entry("commonground.core.cli:app", "Migrate, load the demo if empty, serve with a worker.", False),
    "worker": Entry("commonground.core.cli:app", "Run background tasks as they are queued.", False),
    "migrate": Entry("commonground.core.cli:app", "Apply database migrations.", False),
    "init-demo": Entry("commonground.core.cli:app", "Reload the bundled Demo Borough demo data.", False),
    "version": Entry("commonground.core.cli:app", "Print the version.", False),
    "backup": Entry("commonground.core.cli:app", "Write every row of the database to one file, exactly.", False),
    "restore": Entry("commonground.core.cli:app", "Put a backup back (an empty database, or --replace).", False),
    "users": Entry("commonground.accounts.cli:app", "Manage accounts and their scoped roles."),
    "audit": Entry("commonground.audit.cli:app", "Check the append-only audit log."),
    "notify": Entry("commonground.notify.cli:app", "Notices: send what is due, list the outbox."),
    "data": Entry("commonground.datasets.cli:app", "Download and load the national data (IoD, ONS)."),
    "index": Entry("commonground.places.cli:index", "Compute deprivation and community-need indices."),
    "places": Entry("commonground.places.cli:places", "Find the places: left-behind areas, selection methods."),
    "neighbourhoods": Entry("commonground.neighbourhoods.cli:app", "Neighbourhoods: named areas made of LSOAs."),
    "fund": Entry("commonground.fund.cli:app", "Community Wealth Fund: allocate and publish awards."),
    "pb": Entry("commonground.budgeting.cli:app", "Participatory budgeting: tally, explain, check .pb files."),
    "contributions": Entry("commonground.contributions.cli:app", "Developer contributions: S106, CIL, spend-by dates."),
    "pots": Entry("commonground.pots.cli:app", "Pots of money a place decides on: list, 360Giving."),
    "delivery": Entry("commonground.delivery.cli:app", "Delivery of funded projects: every funded thing's record."),
    "assets": Entry(
        "commonground.assets.cli:app",
        "Assets of community value: clocks, reminders, ownership, register import/export.",
    ),
    "ballot": Entry("commonground.ballots.cli:app", "Resident ballots: re-add and check the stored papers."),
    "panel": Entry("commonground.panels.cli:app", "Citizens' panels: fair, verifiable sortition."),
    "outcomes": Entry("commonground.outcomes.cli:outcomes", "Wellbeing framework: import survey results."),
    "report": Entry("commonground.outcomes.cli:report", "State of the Neighbourhood reports (PDF)."),
    "bodies": Entry("commonground.publicbodies.cli:app", "Public bodies: councils, NHS, police and others."),
    "impact": Entry("commonground.impact.cli:app", "Community impact assessments: register and reviews due."),
    "spending": Entry("commonground.spending.cli:app", "Public spending by place: import, pooled budgets."),
    "procurement": Entry("commonground.procurement.cli:app", "Social value in tenders: missions, awards explained."),
}


def load(name: str):
    """The command behind a registered name, importing only its module."""
    import typer.main

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
        return load(cmd_name) if cmd_name in REGISTRY else None


app = typer.Typer(cls=Commands, help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@app.callback()
def root() -> None:
    """Common Ground: find the places, get the money there, let communities decide and own."""


def main() -> None:
    app(prog_name="commonground")


if __name__ == "__main__":
    main()
