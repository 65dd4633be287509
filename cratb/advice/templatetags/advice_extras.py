"""Formatting of the advice figures: shares as « 84,2 % », delays as « 3 h 20 »."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from cratb.advice.figures import Share

register = template.Library()


@register.filter
def pct(share: Share | None) -> str:
    if share is None or share.percent is None:
        return "—"
    return f"{number_format(share.percent, 1)} %"


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return "—"
    total_minutes = round(value * 60)
    h, m = divmod(total_minutes, 60)
    if h >= 48:
        return f"{number_format(value / 24, 1)} j"
    return f"{h} h {m:02d}"
