"""Formatting of the advice pages: figures (« 84,2 % », « 3 h 20 »), inbox and history
rows, identity clues in a request's texts."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from cratb.advice import codes, identity
from cratb.advice.figures import AwareRow, BreakdownRow, Share
from cratb.advice.models import EventKind, Status
from cratb.charts.numbers import format_month, format_number

register = template.Library()


@register.filter
def pct(share: Share | None) -> str:
    if share is None or share.percent is None:
        return "—"
    # Rounded as every table and chart rounds (cratb.charts.numbers), never truncated.
    return f"{format_number(share.percent, decimals=1, language=get_language() or 'fr')} %"


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return "—"
    total_minutes = round(value * 60)
    h, m = divmod(total_minutes, 60)
    if h >= 48:
        return f"{format_number(value / 24, decimals=1, language=get_language() or 'fr')} j"
    return f"{h} h {m:02d}"


@register.filter
def month_label(day: date) -> str:
    """« janv. 2025 », as the charts write months."""
    return format_month(day, language=get_language() or "fr")


@register.simple_tag
def series_rows(rows: list[tuple[date, list[int], int]], period: str) -> SafeString:
    """The rows of the figures' series table (period, a count per value, the total),
    built in Python: up to 53 weeks × the values of a breakdown."""
    language = get_language() or "fr"
    out = []
    for day, counts, total in rows:
        label = format_month(day, language=language) if period == "month" else f"{day:%d/%m/%Y}"
        cells = "".join(
            f'<td class="num">{format_number(n, decimals=0, language=language)}</td>'
            for n in counts
        )
        out.append(
            f'<tr><th scope="row">{escape(label)}</th>{cells}'
            f'<td class="num">{format_number(total, decimals=0, language=language)}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - numbers and an escaped label


@register.simple_tag
def breakdown_rows(rows: list[BreakdownRow]) -> SafeString:
    """The rows of the figures' breakdown table (a value, its counts, delays and shares),
    built in Python as :func:`series_rows`: the same cells as the filters write."""
    language = get_language() or "fr"
    out = []
    for row in rows:
        m = row.measures
        out.append(
            f"<tr><td>{escape(row.label)}</td>"
            f'<td class="num">{format_number(m.total, decimals=0, language=language)}</td>'
            f'<td class="num">{format_number(m.answered, decimals=0, language=language)}</td>'
            f'<td class="num">{escape(hours(m.median_hours))}</td>'
            f'<td class="num">{escape(hours(m.p90_hours))}</td>'
            f'<td class="num">{escape(pct(m.within_target))}</td>'
            f'<td class="num">{escape(pct(m.followed))}</td>'
            f'<td class="num">{escape(pct(m.avoided_critical))}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - numbers and escaped labels


@register.simple_tag
def aware_rows(rows: list[AwareRow]) -> SafeString:
    """The rows of the figures' AWaRe table, built in Python as :func:`series_rows`."""
    language = get_language() or "fr"
    out = []
    for row in rows:
        out.append(
            f"<tr><td>{escape(row.label)}</td>"
            f'<td class="num">{format_number(row.agents, decimals=0, language=language)}</td>'
            f'<td class="num">{format_number(row.share, decimals=1, language=language)} %</td>'
            f'<td class="num">{format_number(row.requests, decimals=0, language=language)}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - numbers and escaped labels


@register.simple_tag
def inbox_rows(rows: list[Any], now: datetime) -> SafeString:
    """The inbox table body, built in Python: the busiest list of the desk (50 rows).

    ``rows``: the named tuples of ``views.inbox.INBOX_FIELDS`` (no model instances).
    """
    # One reverse for the 50 rows: the path of request 0, its id replaced per row.
    url_head, url_tail = reverse("advice:request-detail", args=[0]).rsplit("/0/", 1)
    title = gettext("Demande n° %(number)s")
    late = escape(gettext("en retard"))
    unassigned = escape(gettext("non attribuée"))
    out = []
    for item in rows:
        if item.assignee_id is not None:
            full_name = f"{item.assignee__first_name} {item.assignee__last_name}".strip()
            who = escape(full_name or item.assignee__username)
        else:
            who = f"<em>{unassigned}</em>"
        if item.team_id is not None:
            who += f'<br><span class="note">{escape(item.team__name)}</span>'
        status_class = {
            "waiting": " badge--waiting",
            "answered": " badge--done",
            "closed": " badge--done",
        }.get(item.status, "")
        overdue = (
            f' <span class="badge badge--late">{late}</span>'
            if item.status == "open" and item.due_at and item.due_at < now
            else ""
        )
        url = f"{url_head}/{item.pk}/{url_tail}"
        name = title % {"number": f"{item.pk:06d}"}
        out.append(
            "<tr>"
            f'<td><a href="{url}">{escape(name)}</a><br>'
            f'<span class="note">{escape(codes.label(codes.Channel, item.channel))}</span></td>'
            f"<td>{_when(item.received_at)}</td>"
            f"<td>{_when(item.due_at)}{overdue}</td>"
            f"<td>{escape(item.departement__code)}</td>"
            f"<td>{escape(codes.label(codes.Syndrome, item.syndrome))}<br>"
            f'<span class="note">{escape(codes.label(codes.Setting, item.setting))}</span></td>'
            f"<td>{escape(item.sex)}, {escape(item.age_band)}</td>"
            f"<td>{who}</td>"
            f'<td><span class="badge{status_class}">'
            f"{escape(codes.label(Status, item.status))}</span></td>"
            "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


def _when(moment: datetime | None) -> str:
    return "" if moment is None else localtime(moment).strftime("%d/%m/%Y %H:%M")


@register.simple_tag
def history_rows(events: list[Any], staff: bool) -> SafeString:
    """The request's history list, built in Python (every request page shows it)."""
    coordination = gettext("coordination")
    out = []
    for event in events:
        moment = localtime(event.at)
        line = (
            f'<li><time datetime="{moment.isoformat()}">{moment.strftime("%d/%m/%Y %H:%M")}'
            f"</time> — <strong>{escape(event.get_kind_display())}</strong>"
        )
        if staff:
            data = event.data or {}
            line += f' — {escape(event.actor_label)} <span class="note">(v{event.version})</span>'
            if data.get("to"):
                line += f" → {escape(str(data['to']))}"
            if data.get("via"):
                who = data.get("assignee") or data.get("team") or coordination
                line += f" : {escape(str(who))}"
            if event.kind == EventKind.REDACTED:
                line += f" — {escape(gettext('motif'))} : {escape(event.text)}"
        out.append(line + "</li>")
    return mark_safe("\n".join(out))  # noqa: S308 - every value is escaped above


@register.simple_tag
def identity_clues(advice: Any) -> str:
    """What in the request's texts looks like a patient's identity (« un numéro de
    téléphone, … »), for the warning responders see; empty when nothing is seen. Reads
    the messages and answers the request page has already fetched."""
    texts = [advice.question, advice.organism, advice.allergy_detail]
    texts += [message.text for message in advice.messages.all()]
    texts += [answer.text for answer in advice.answers.all()]
    findings = [found for text in texts for found in identity.find_identity(text or "")]
    return identity.describe(findings)
