"""`form|field:name`: a bound field by its name, for the scoring grid's generated fields."""

from django import template

register = template.Library()


@register.filter
def field(form, name: str):
    return form[name]
