"""The statuses of an asset-of-community-value case, and the groups of them the law treats alike."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NOMINATED = "nominated"
    NOT_LISTED = "not_listed"
    LISTED = "listed"
    UNDER_REVIEW = "under_review"
    APPEAL = "appeal"
    INTERIM_MORATORIUM = "interim_moratorium"
    FULL_MORATORIUM = "full_moratorium"
    FIRST_REFUSAL = "first_refusal"
    PROTECTED_PERIOD = "protected_period"
    SOLD = "sold"
    WITHDRAWN = "withdrawn"
    DELISTED = "delisted"

    @property
    def label(self) -> str:
        if self is Status.FIRST_REFUSAL:
            return "Offered to the community group (first refusal)"
        return self.value.replace("_", " ").capitalize()


# The asset stays listed during review and appeal (Localism Act 2011 s.92, SI 2012/2421 reg 11).
ON_THE_LIST = {
    Status.LISTED,
    Status.UNDER_REVIEW,
    Status.APPEAL,
    Status.INTERIM_MORATORIUM,
    Status.FULL_MORATORIUM,
    Status.FIRST_REFUSAL,
    Status.PROTECTED_PERIOD,
}
IN_MORATORIUM = {Status.INTERIM_MORATORIUM, Status.FULL_MORATORIUM, Status.FIRST_REFUSAL}
FINAL = {Status.NOT_LISTED, Status.WITHDRAWN, Status.DELISTED}
