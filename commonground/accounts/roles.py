"""The roles people hold in Common Ground, and what each role may do.

This is the one place where permissions are decided: views and API operations name a capability
and `commonground.accounts.permissions` checks it against this table.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    VERIFIED_RESIDENT = "verified_resident"
    ORGANISER = "organiser"
    COUNCIL_OFFICER = "council_officer"
    FUND_ADMINISTRATOR = "fund_administrator"
    SITE_ADMIN = "site_admin"
    SCRUTINEER = "scrutineer"
    BOARD_MEMBER = "board_member"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.RESIDENT: "Resident",
    Role.VERIFIED_RESIDENT: "Verified resident",
    Role.ORGANISER: "Community group organiser",
    Role.COUNCIL_OFFICER: "Council officer",
    Role.FUND_ADMINISTRATOR: "Fund administrator",
    Role.SITE_ADMIN: "Site admin",
    Role.SCRUTINEER: "Independent body",
    Role.BOARD_MEMBER: "Neighbourhood board member",
}

ROLE_HINTS: dict[Role, str] = {
    Role.RESIDENT: "Anyone who has signed up: can view, propose and take part where verification is not needed.",
    Role.VERIFIED_RESIDENT: "A council officer has checked where this person lives: can vote and volunteer.",
    Role.ORGANISER: "Runs a community group: can nominate assets and submit proposals for the group.",
    Role.COUNCIL_OFFICER: (
        "Runs processes for the council: verifies residents, decides nominations, reads the audit log."
    ),
    Role.FUND_ADMINISTRATOR: "Sets eligibility, allocates and disburses Community Wealth Fund grants.",
    Role.SITE_ADMIN: "Manages accounts and roles and uses the Django admin.",
    Role.SCRUTINEER: "Runs the resident ballots it is appointed to: the roll, codes, postal votes and the count.",
    Role.BOARD_MEMBER: "Sits on a neighbourhood's board or partnership: edits its plan and records its meetings.",
}
# Roles a person holds as someone who lives in a place (they also reach their council's open processes).
RESIDENTIAL = frozenset({Role.RESIDENT, Role.VERIFIED_RESIDENT})


class Capability(StrEnum):
    """Things a person may do; each view or API operation requires exactly one (or is public)."""

    USE_ACCOUNT = "use_account"
    VERIFY_RESIDENTS = "verify_residents"
    MANAGE_ROLES = "manage_roles"
    READ_AUDIT_LOG = "read_audit_log"
    MANAGE_FUND = "manage_fund"
    RUN_PROCESSES = "run_processes"
    ORGANISE_GROUP = "organise_group"
    VOTE = "vote"
    EDIT_COMMUNITY_PLAN = "edit_community_plan"
    SCRUTINISE_BALLOTS = "scrutinise_ballots"
    RUN_NEIGHBOURHOOD = "run_neighbourhood"


CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.USE_ACCOUNT: frozenset(Role),
    Capability.VOTE: frozenset({Role.VERIFIED_RESIDENT}),
    Capability.ORGANISE_GROUP: frozenset({Role.ORGANISER, Role.SITE_ADMIN}),
    Capability.VERIFY_RESIDENTS: frozenset({Role.COUNCIL_OFFICER, Role.SITE_ADMIN}),
    Capability.RUN_PROCESSES: frozenset({Role.COUNCIL_OFFICER, Role.SITE_ADMIN}),
    Capability.READ_AUDIT_LOG: frozenset({Role.COUNCIL_OFFICER, Role.FUND_ADMINISTRATOR, Role.SITE_ADMIN}),
    Capability.MANAGE_FUND: frozenset({Role.FUND_ADMINISTRATOR, Role.SITE_ADMIN}),
    # Organisers edit only the plans they are named on (checked per plan in fund.plans).
    Capability.EDIT_COMMUNITY_PLAN: frozenset({Role.ORGANISER, Role.FUND_ADMINISTRATOR, Role.SITE_ADMIN}),
    Capability.MANAGE_ROLES: frozenset({Role.SITE_ADMIN}),
    # Only the independent body appointed to a ballot acts on it (checked per ballot in ballots.services).
    Capability.SCRUTINISE_BALLOTS: frozenset({Role.SCRUTINEER}),
    # A neighbourhood's board edits its plan and meetings; officers set neighbourhoods up in their council.
    Capability.RUN_NEIGHBOURHOOD: frozenset({Role.BOARD_MEMBER, Role.COUNCIL_OFFICER, Role.SITE_ADMIN}),
}

# Which roles each granting role may hand out, within its own scope (officers verify residents and seat board
# members in their council; site admins grant anything anywhere).
GRANTABLE_BY: dict[Capability, frozenset[Role]] = {
    Capability.VERIFY_RESIDENTS: frozenset({Role.VERIFIED_RESIDENT, Role.BOARD_MEMBER}),
    Capability.MANAGE_ROLES: frozenset(Role),
}


def roles_allowed(capability: Capability) -> frozenset[Role]:
    return CAPABILITIES[capability]
