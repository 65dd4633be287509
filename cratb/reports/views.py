"""The annual activity report's pages: the list of years, a report with its sections
(figures and text), a section's history, the validation, the downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cratb.accounts.access import STAFF_ROLES, allow, roles
from cratb.accounts.models import Role, User
from cratb.documents import FORMATS, DocumentFormatError, from_dict
from cratb.reports import html, services
from cratb.reports.catalogue import section_of
from cratb.reports.document import build_sections
from cratb.reports.forms import SectionTextForm, YearForm
from cratb.reports.models import AnnualReport, EditConflict, ReportError

#: Who reads validated reports: the CRAtb and the agency (the readers of the figures pages
#: it draws on: advice figures, gap analysis, training figures). Drafts are the
#: coordination's own (and the administrator's).
READER_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.AGENCY_VIEWER)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # guaranteed by @allow
    return user


def _is_editor(user: User) -> bool:
    return user.role in STAFF_ROLES


def _readable(request: HttpRequest, year: int) -> AnnualReport:
    """The report of ``year`` if this user may read it (drafts: the coordination only)."""
    report = get_object_or_404(AnnualReport, year=year)
    if not report.validated and not _is_editor(_user(request)):
        raise Http404(_("Aucun rapport validé pour cette année."))
    return report


@allow(roles(*READER_ROLES))
def report_list(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    editor = _is_editor(user)
    form = YearForm(request.POST or None) if editor else None
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        if form.is_valid():
            report = services.open_report(form.cleaned_data["year"])
            return redirect("reports:detail", year=report.year)
    reports = AnnualReport.objects.select_related("validated_by")
    if not editor:
        reports = reports.filter(status=AnnualReport.Status.VALIDATED)
    return render(
        request,
        "reports/list.html",
        {"reports": list(reports), "form": form, "editor": editor},
        status=400 if form is not None and form.is_bound else 200,
    )


def _draft_context(report: AnnualReport, conflict: dict[str, Any] | None = None) -> dict[str, Any]:
    sections = []
    for built in build_sections(report):
        key = built.entry.key
        mine = conflict if conflict and conflict["key"] == key else None
        initial = {
            "text": mine["text"] if mine else (built.text.text if built.text else ""),
            "base_version": (
                mine["current"].version
                if mine and mine.get("current")
                else (built.text.version if built.text else 0)
            ),
        }
        sections.append(
            {
                "key": key,
                "title": built.entry.title,
                "guidance": built.entry.guidance,
                "source": built.entry.source,
                "text": built.text,
                "blocks": html.blocks(built.blocks),
                "error": built.error,
                "form": SectionTextForm(initial=initial, prefix=key),
                "conflict": mine,
            }
        )
    return {"report_sections": sections}


def _frozen_context(report: AnnualReport) -> dict[str, Any]:
    document = from_dict(report.snapshot or {"title": "", "sections": []})
    # Anchors by position: the sections of a frozen report are those of its day.
    return {
        "report_sections": [
            {
                "key": str(i + 1),
                "title": section.title,
                "blocks": html.blocks(section.blocks),
            }
            for i, section in enumerate(document.sections)
        ],
        "notes": document.notes,
    }


def _detail(
    request: HttpRequest,
    report: AnnualReport,
    *,
    conflict: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    editor = _is_editor(_user(request))
    context: dict[str, Any] = {
        "report": report,
        "editor": editor,
        "formats": list(FORMATS),
        "past": AnnualReport.objects.filter(status=AnnualReport.Status.VALIDATED).exclude(
            pk=report.pk
        ),
    }
    if report.validated:
        context.update(_frozen_context(report))
    else:
        context.update(_draft_context(report, conflict))
    return render(request, "reports/detail.html", context, status=status)


@allow(roles(*READER_ROLES))
def report_detail(request: HttpRequest, year: int) -> HttpResponse:
    return _detail(request, _readable(request, year))


@allow(roles(*STAFF_ROLES))
@require_POST
def section_save(request: HttpRequest, year: int, key: str) -> HttpResponse:
    report = get_object_or_404(AnnualReport, year=year)
    if section_of(key) is None:
        raise Http404(_("Section inconnue."))
    form = SectionTextForm(request.POST, prefix=key)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _detail(request, report, status=400)
    text = form.cleaned_data["text"]
    try:
        report.save_text(
            key, text, author=_user(request), base_version=form.cleaned_data["base_version"]
        )
    except EditConflict as exc:
        messages.error(request, str(exc))
        conflict = {"key": key, "text": text, "current": exc.current}
        return _detail(request, report, conflict=conflict, status=409)
    except ReportError as exc:
        messages.error(request, str(exc))
        return _detail(request, report, status=400)
    messages.success(request, _("Texte enregistré."))
    return redirect(reverse("reports:detail", kwargs={"year": report.year}) + f"#section-{key}")


@allow(roles(*STAFF_ROLES))
def section_history(request: HttpRequest, year: int, key: str) -> HttpResponse:
    report = get_object_or_404(AnnualReport, year=year)
    entry = section_of(key)
    if entry is None:
        raise Http404(_("Section inconnue."))
    return render(
        request,
        "reports/history.html",
        {"report": report, "entry": entry, "versions": report.history(key)},
    )


@allow(roles(*STAFF_ROLES))
@require_POST
def report_validate(request: HttpRequest, year: int) -> HttpResponse:
    report = get_object_or_404(AnnualReport, year=year)
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("Version du rapport manquante : rechargez la page."))
        return _detail(request, report, status=400)
    try:
        services.validate(report, by=_user(request), expected_version=expected)
    except EditConflict as exc:
        messages.error(request, str(exc))
        return _detail(request, report, status=409)
    except ReportError as exc:
        messages.error(request, str(exc))
        return _detail(request, report, status=400)
    messages.success(request, _("Rapport validé : son contenu est désormais figé."))
    return redirect("reports:detail", year=report.year)


@allow(roles(*READER_ROLES))
def report_download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    report = _readable(request, year)
    try:
        content_type = FORMATS[fmt]
    except KeyError:
        raise Http404(_("Format inconnu.")) from None
    try:
        data = services.write(report, fmt)
    except DocumentFormatError as exc:  # pragma: no cover - the URL admits only FORMATS
        raise Http404(str(exc)) from exc
    suffix = "" if report.validated else "-projet"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-annuel-{report.year}{suffix}.{fmt}"'
    )
    return response
