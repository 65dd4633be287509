"""The feedback pages: the coordination's list and sendings, the reports' downloads, a
requester's own report, the private download links."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cratb.accounts.access import PUBLIC, STAFF_ROLES, allow, roles
from cratb.accounts.models import Role, User
from cratb.feedback import figures, reports
from cratb.feedback.figures import NoReport
from cratb.feedback.forms import BatchForm
from cratb.feedback.models import FeedbackBatch, Kind, SentReport
from cratb.feedback.sending import LinkError, read_token
from cratb.feedback.tasks import send_batch
from cratb.network.models import Organization, Territory

#: Who may ask for a prescriber report: the CRAtb (all), a requester (their own only).
PRESCRIBER_READERS = (Role.COORDINATOR, Role.ADMIN, Role.REQUESTER)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # guaranteed by @allow
    return user


def _default_year() -> int:
    years = figures.hospital_years()
    return years[-1] if years else timezone.localdate().year - 1


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("annee", ""))
    except ValueError:
        return _default_year()
    return year if 2000 <= year <= 2100 else _default_year()


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "feedback/refused.html", {"reason": message}, status=status)


@allow(roles(*STAFF_ROLES))
def index(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    asked = request.GET.get("prescripteur", "").strip()
    asked_error = ""
    if asked:
        try:
            rpps = figures.check_identified(asked)
        except NoReport as exc:
            asked_error = str(exc)
        else:
            return redirect("feedback:prescriber", prescriber_id=rpps, year=year)
    form = BatchForm(
        request.POST if request.method == "POST" else None,
        initial={"year": year, "link_days": 30},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = FeedbackBatch.objects.create(
            kind=data["kind"],
            year=data["year"],
            delivery=data["delivery"],
            link_days=data["link_days"],
            targets=data["targets"] if data["kind"] == Kind.PRESCRIBER else [],
            requested_by=_user(request),
        )
        send_batch.enqueue(batch.pk)
        return redirect("feedback:batch", pk=batch.pk)
    establishments = Organization.objects.establishments().exclude(finess="").order_by("name")
    context: dict[str, Any] = {
        "year": year,
        "form": form,
        "establishments": establishments.select_related("feedback_lab"),
        "cpts_list": Territory.objects.filter(kind=Territory.Kind.CPTS).order_by("code"),
        "prescribers": figures.identified_prescribers(year),
        "batches": FeedbackBatch.objects.select_related("requested_by")[:10],
        "log": SentReport.objects.select_related("batch")[:50],
        "asked": asked,
        "asked_error": asked_error,
    }
    bad = form.is_bound or bool(asked_error)
    return render(request, "feedback/index.html", context, status=400 if bad else 200)


@allow(roles(*STAFF_ROLES))
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(FeedbackBatch, pk=pk)
    return render(
        request,
        "feedback/batch.html",
        {"batch": batch, "log": batch.log.all()},
    )


@allow(roles(*STAFF_ROLES))
def establishment_pdf(request: HttpRequest, finess: str, year: int) -> HttpResponse:
    try:
        subject, document = reports.subject_and_document(Kind.ESTABLISHMENT, finess, year)
    except NoReport as exc:
        return _refusal(request, str(exc), 404)
    return _pdf(reports.pdf(document), f"rapport-etablissement-{subject.key}-{year}.pdf")


@allow(roles(*STAFF_ROLES))
def cpts_pdf(request: HttpRequest, code: str, year: int) -> HttpResponse:
    try:
        territory = reports.cpts(code)
    except NoReport as exc:
        return _refusal(request, str(exc), 404)
    document = reports.cpts_document(territory, year)
    return _pdf(reports.pdf(document), f"fiche-cpts-{territory.code}-{year}.pdf")


def _own_rpps(user: User) -> str:
    practitioner = getattr(user, "practitioner", None)
    return practitioner.rpps if practitioner is not None and practitioner.rpps else ""


@allow(roles(*PRESCRIBER_READERS))
def prescriber_pdf(request: HttpRequest, prescriber_id: str, year: int) -> HttpResponse:
    user = _user(request)
    if user.role not in STAFF_ROLES and prescriber_id != _own_rpps(user):
        return _refusal(request, _("Vous ne pouvez lire que votre propre rapport."), 403)
    try:
        document = reports.prescriber_document(prescriber_id, year)
    except NoReport as exc:
        return _refusal(request, str(exc), 404)
    return _pdf(reports.pdf(document), f"rapport-prescripteur-{prescriber_id}-{year}.pdf")


@allow(roles(Role.REQUESTER))
def mine(request: HttpRequest) -> HttpResponse:
    """A requester's own reports (the years published for their RPPS)."""
    rpps = _own_rpps(_user(request))
    years = sorted(figures.prescriber_rows(rpps), reverse=True) if rpps else []
    # No identified prescriber at all: the identifiers were hashed at import.
    hashed = bool(rpps) and not years and not figures.identified_prescribers()
    return render(request, "feedback/mine.html", {"rpps": rpps, "years": years, "hashed": hashed})


@allow(PUBLIC)
def link(request: HttpRequest, token: str) -> HttpResponseBase:
    """A private download link received by e-mail: no account needed, expires."""
    try:
        entry = read_token(token)
    except LinkError as exc:
        return _refusal(request, str(exc), 410)
    try:
        _subject, document = reports.subject_and_document(entry.kind, entry.key, entry.year)
    except NoReport as exc:
        raise Http404(str(exc)) from exc
    return _pdf(reports.pdf(document), f"rapport-{entry.kind}-{entry.key}-{entry.year}.pdf")
