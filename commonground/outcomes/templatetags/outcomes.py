"""Formatting for dashboard figures: one rule for pages and the PDF report."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def figure(value, unit: str = "") -> str:
    """1,234 for whole numbers, 12.3 or 0.123 for fractions; £ before pounds; '–' for no figure."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    number = float(value)
    if number.is_integer() and abs(number) >= 1:
        text = f"{int(number):,}"
    elif abs(number) >= 10:
        text = f"{number:,.1f}"
    else:
        text = f"{number:,.3g}" if abs(number) < 1 else f"{number:,.2f}"
    return f"£{text}" if unit == "£" else text


@register.filter
def raw(value) -> str:
    """A machine-readable number for data-value attributes."""
    return "" if value is None else repr(float(value))


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
