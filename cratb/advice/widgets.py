"""Select widgets rendered in Python rather than through one template per option.

The request page shows the reference list of antibacterials (about a hundred agents)
in several selects; Django's template-per-option rendering made it the slowest part
of the page. Same HTML, same attributes (id, aria-describedby, aria-invalid…).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _options(choices: Any, selected: set[str]) -> str:
    parts = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            inner = _options(label, selected)
            parts.append(f'<optgroup label="{escape(str(value))}">{inner}</optgroup>')
            continue
        text = "" if value is None else str(value)
        mark = " selected" if text in selected else ""
        # Labels are plain text (lazy translations included): str() then escape.
        parts.append(f'<option value="{escape(text)}"{mark}>{escape(str(label))}</option>')
    return "".join(parts)


class FastSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        head = format_html('<select name="{}"{}>', name, flatatt(final))
        return mark_safe(head + _options(self.choices, selected) + "</select>")  # noqa: S308 - escaped above


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    allow_multiple_selected = True
