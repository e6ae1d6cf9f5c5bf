"""Template helpers that put GOV.UK Frontend classes and ARIA links on Django form widgets."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()

_INPUT_CLASSES: dict[type, str] = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.FileInput: "govuk-file-upload",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


@register.filter
def govuk_kind(field: BoundField) -> str:
    """Which GOV.UK pattern a field needs: checkboxes, radios, checkbox or input."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


def _described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_widget(field: BoundField) -> str:
    widget = field.field.widget
    css = next((c for kind, c in _INPUT_CLASSES.items() if isinstance(widget, kind)), "govuk-input")
    if field.errors and css != "govuk-checkboxes__input":
        css += f" {css}--error"
    attrs = {"class": f"{css} {widget.attrs.get('class', '')}".strip()}
    described = _described_by(field)
    if described:
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.simple_tag
def described_by(field: BoundField) -> str:
    return _described_by(field)


@register.filter
def error_anchor(field: BoundField) -> str:
    """The id the error summary links to: the first input of a group, else the field's own."""
    if govuk_kind(field) in {"checkboxes", "radios"}:
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id
