"""The law's tests an asset case applies: who may nominate or bid, what may be listed, community value, exemptions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from commonground.engine import clocks
from commonground.engine.clocks import RuleSet
from commonground.engine.steps import Refused


class BodyKind(StrEnum):
    PARISH_COUNCIL = "parish_council"
    NEIGHBOURHOOD_FORUM = "neighbourhood_forum"
    CHARITY = "charity"
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee"
    COOPERATIVE_OR_CBS = "cooperative_or_cbs"
    COMMUNITY_INTEREST_COMPANY = "community_interest_company"
    UNINCORPORATED = "unincorporated"
    OTHER = "other"

    @property
    def label(self) -> str:
        return BODY_LABELS[self]


BODY_LABELS = {
    BodyKind.PARISH_COUNCIL: "Parish or town council",
    BodyKind.NEIGHBOURHOOD_FORUM: "Neighbourhood forum",
    BodyKind.CHARITY: "Charity",
    BodyKind.COMPANY_LIMITED_BY_GUARANTEE: "Company limited by guarantee",
    BodyKind.COOPERATIVE_OR_CBS: "Co-operative or community benefit society",
    BodyKind.COMMUNITY_INTEREST_COMPANY: "Community interest company",
    BodyKind.UNINCORPORATED: "Unincorporated group",
    BodyKind.OTHER: "Individual, private company or other body",
}

# Bodies that must not distribute surplus to members (SI 2012/2421 reg 5(1); reg 12 for bidders).
NON_PROFIT_REQUIRED = {BodyKind.COMPANY_LIMITED_BY_GUARANTEE, BodyKind.COOPERATIVE_OR_CBS, BodyKind.UNINCORPORATED}
UNINCORPORATED_MINIMUM_MEMBERS = 21  # SI 2012/2421 reg 5(1)(c): 21 individuals on the local electoral register


@dataclass(frozen=True)
class Body:
    """A group as the nomination or bid request describes it."""

    kind: BodyKind
    local_connection: bool  # activities wholly or partly in the council's (or a neighbouring) area: reg 4
    distributes_surplus: bool = False
    members_on_register: int = 0  # unincorporated groups: members on the council's or a neighbour's register


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reasons: tuple[str, ...]
    citation: str

    def refuse(self) -> None:
        if not self.allowed:
            raise Refused("; ".join(self.reasons), self.citation)


def may_nominate(body: Body) -> Verdict:
    """Who may nominate: a parish council, or a voluntary or community body with a local connection."""
    citation = "Localism Act 2011 s.89(2); SI 2012/2421 regs 4-5"
    reasons = []
    if body.kind is BodyKind.OTHER:
        reasons.append(
            "only a parish council or a voluntary or community body may nominate, not an individual "
            "or a profit-making business"
        )
    if not body.local_connection:
        reasons.append(
            "the group needs a local connection: its activities must be wholly or partly concerned "
            "with this council's area or a neighbouring one"
        )
    if body.kind in NON_PROFIT_REQUIRED and body.distributes_surplus:
        reasons.append(
            f"a {body.kind.label.lower()} may nominate only if it does not distribute any surplus to its members"
        )
    if body.kind is BodyKind.UNINCORPORATED and body.members_on_register < UNINCORPORATED_MINIMUM_MEMBERS:
        reasons.append(
            f"an unincorporated group needs at least {UNINCORPORATED_MINIMUM_MEMBERS} members on the "
            f"electoral register of this council or a neighbouring one (you said "
            f"{body.members_on_register})"
        )
    return Verdict(not reasons, tuple(reasons) or ("may nominate",), citation)


def may_bid(body: Body) -> Verdict:
    """Who may ask to be treated as a bidder (a "community interest group"): narrower than who may nominate."""
    citation = "Localism Act 2011 s.95(3), (6); SI 2012/2421 reg 12"
    reasons = []
    if body.kind is BodyKind.UNINCORPORATED:
        reasons.append(
            "an unincorporated group may nominate but cannot bid: it must first incorporate "
            "(for example as a charity, CIC, company limited by guarantee or community benefit society)"
        )
    elif body.kind is BodyKind.NEIGHBOURHOOD_FORUM:
        reasons.append("a neighbourhood forum may nominate but is not a community interest group, so cannot bid")
    elif body.kind is BodyKind.OTHER:
        reasons.append(
            "only a parish council, charity, community interest company, or a non-profit company or "
            "society with a local connection may bid"
        )
    if body.kind is not BodyKind.PARISH_COUNCIL and not body.local_connection:
        reasons.append("the group needs a local connection to this council's area or a neighbouring one")
    if body.kind in NON_PROFIT_REQUIRED and body.distributes_surplus:
        reasons.append("a company or society may bid only if it does not distribute surplus to its members")
    return Verdict(not reasons, tuple(reasons) or ("may bid",), citation)


class LandUse(StrEnum):
    COMMUNITY = "community"
    SPORTS_GROUND = "sports_ground"
    RESIDENCE = "residence"
    CARAVAN_SITE = "caravan_site"
    OPERATIONAL_LAND = "operational_land"


def may_be_listed(use: LandUse, rules: RuleSet = clocks.LOCALISM_2011) -> Verdict:
    """Homes, caravan sites and statutory undertakers' operational land cannot be listed; sports grounds are
    community land (sporting interests, s.88(6)) and the 2026 Act treats them differently (detail pending)."""
    citation = "SI 2012/2421 reg 3, Sch. 1"
    reasons = {
        LandUse.RESIDENCE: "a building wholly or partly used as a residence (with its land) cannot be listed",
        LandUse.CARAVAN_SITE: "land with a caravan site licence cannot be listed",
        LandUse.OPERATIONAL_LAND: "a statutory undertaker's operational land cannot be listed",
    }
    if use in reasons:
        return Verdict(False, (reasons[use],), citation)
    if use is LandUse.SPORTS_GROUND and rules.sports_grounds is not None:
        # EDCE Act 2026 ACV schedule (Bill Sch 29): sports grounds are treated differently; detail unconfirmed.
        return Verdict(
            True,
            (f"may be listed; the 2026 Act treats sports grounds differently: the detail is {rules.sports_grounds} "
             f"({rules.sports_grounds.waits_on})",),
            rules.value_test_citation,
        )  # fmt: skip
    return Verdict(True, ("may be listed",), citation)


class UseWhen(StrEnum):
    """When the use that furthers the community's wellbeing or interests happened."""

    CURRENT = "current"
    RECENT_PAST = "recent_past"
    EARLIER_PAST = "earlier_past"


@dataclass(frozen=True)
class ValueClaim:
    """What a nomination says about the land's community value (the test of s.88, widened by the 2026 Act)."""

    when: UseWhen
    social: bool = True
    economic: bool = False
    realistic_future: bool = True  # current use: it can continue; past use: it can return within five years


def community_value(rules: RuleSet, claim: ValueClaim) -> Verdict:
    """The test of community value under the case's rule set.

    2011: actual current use furthering the *social* wellbeing or interests of the local community, realistic
    to continue; or such use in the *recent* past, realistic to return within the next five years (s.88(1),
    (2)). 2026: *economic or social* wellbeing or interests; past use at *any* time; the five-year look-ahead
    stays (Bill Sch 27/29, new Localism Act s.86B; enacted numbering unconfirmed).
    """
    reasons = []
    if not claim.social and not claim.economic:
        reasons.append("say how its use furthers the wellbeing or interests of the local community")
    elif not claim.social and not rules.economic_value:
        reasons.append(
            "under this rule set only social wellbeing or interests count (cultural, recreational and sporting "
            "interests included, s.88(6)); economic wellbeing alone counts only under the 2026 Act"
        )
    if claim.when is UseWhen.EARLIER_PAST and not rules.past_use_any_time:
        reasons.append("a past use counts only if it was in the recent past (any time in the past under the 2026 Act)")
    if not claim.realistic_future:
        reasons.append(
            "it must be realistic to think the use can continue"
            if claim.when is UseWhen.CURRENT
            else "it must be realistic to think the use can return within the next five years"
        )
    return Verdict(not reasons, tuple(reasons) or ("meets the test of community value",), rules.value_test_citation)


class ExemptGround(StrEnum):
    """Disposals the moratorium does not apply to (recorded with the ground)."""

    GIFT = "gift"
    WILL_OR_INTESTACY = "will_or_intestacy"
    ESTATE_DEBTS = "estate_debts"
    FAMILY = "family"
    PART_LISTED = "part_listed"
    GOING_CONCERN = "going_concern"
    COURT_ORDER = "court_order"
    SEPARATION = "separation"
    INCAPACITY = "incapacity"
    PLANNING_OBLIGATION_OR_OPTION = "planning_obligation_or_option"
    OTHER_SCHEDULE_3 = "other_schedule_3"

    @property
    def label(self) -> str:
        return EXEMPT_GROUNDS[self][0]

    @property
    def citation(self) -> str:
        return EXEMPT_GROUNDS[self][1]


EXEMPT_GROUNDS: dict[ExemptGround, tuple[str, str]] = {
    ExemptGround.GIFT: ("Gift (including to trustees of a settlement)", "Localism Act 2011 s.95(5)(a)"),
    ExemptGround.WILL_OR_INTESTACY: ("By personal representatives under a will or intestacy", "s.95(5)(b)"),
    ExemptGround.ESTATE_DEBTS: ("By personal representatives to pay debts, taxes or legacies", "s.95(5)(c)"),
    ExemptGround.FAMILY: ("Between members of a family", "Localism Act 2011 s.95(5)(d)"),
    ExemptGround.PART_LISTED: ("Part-listed disposal of a prescribed description", "Localism Act 2011 s.95(5)(e)"),
    ExemptGround.GOING_CONCERN: ("Sale of a business as a going concern with the land", "Localism Act 2011 s.95(5)"),
    ExemptGround.COURT_ORDER: ("Under an order of a court or tribunal", "SI 2012/2421 reg 13, Sch. 3 para 1"),
    ExemptGround.SEPARATION: ("Under a separation agreement", "SI 2012/2421 reg 13, Sch. 3 para 2"),
    ExemptGround.INCAPACITY: ("Under a statutory provision about incapacity", "SI 2012/2421 reg 13, Sch. 3 para 3"),
    ExemptGround.PLANNING_OBLIGATION_OR_OPTION: (
        "Under a s.106 planning obligation, or an option, pre-emption or first-refusal right made before listing",
        "SI 2012/2421 reg 13, Sch. 3 para 4",
    ),
    ExemptGround.OTHER_SCHEDULE_3: ("Another disposal listed in Schedule 3", "SI 2012/2421 reg 13, Sch. 3"),
}
