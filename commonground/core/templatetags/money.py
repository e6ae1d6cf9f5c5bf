"""Show money stored in pence as pounds: £1,234 when whole, £1,234.56 otherwise."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    if pence is None or pence == "":
        pence = 0
    pence = int(pence)
    sign = "−" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}" if part == 0 else f"{sign}£{whole:,}.{part:02d}"
