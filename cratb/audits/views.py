"""Audit pages: the campaigns a user may see, the grids (coordination), the launch of a
campaign, a participant's case entry, the results with their chart, each participant's
feedback sheet (PDF) and the results as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role
from cratb.audits import feedback
from cratb.audits.forms import CampaignForm, CaseForm, GridForm
from cratb.audits.grids import GridError
from cratb.audits.models import AuditCampaign, AuditError, AuditGrid, Participant
from cratb.audits.services import CampaignResults, ParticipantResults, campaign_results
from cratb.network.tabular import table_response

#: Coordination runs the audits; the agency reads them; EMA teams and prescribers take part.
MANAGER_ROLES = (Role.COORDINATOR, Role.ADMIN)
READER_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.AGENCY_VIEWER)
PARTICIPANT_ROLES = (Role.EMA_MEMBER, Role.REQUESTER)
AUDIT_ROLES = (*READER_ROLES, *PARTICIPANT_ROLES)


def _visible_campaign(request: HttpRequest, pk: int) -> AuditCampaign:
    """The campaign if the user may see it (404 otherwise: it is not theirs)."""
    return get_object_or_404(
        AuditCampaign.objects.visible_to(request.user).select_related(
            "grid_version__grid", "previous_round"
        ),
        pk=pk,
    )


def _visible_participants(
    request: HttpRequest, results: CampaignResults
) -> list[ParticipantResults]:
    """Coordination sees every participant; a participant their own results; the agency
    the region's only (an audit is formative: a practice's results are not for the
    regulator)."""
    if request.user.has_role(*MANAGER_ROLES):  # type: ignore[union-attr]
        return results.participants
    mine = set(Participant.objects.of_user(request.user).values_list("pk", flat=True))
    return [p for p in results.participants if p.participant.pk in mine]


@allow(roles(*AUDIT_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    campaigns = (
        AuditCampaign.objects.visible_to(request.user)
        .select_related("grid_version__grid", "previous_round")
        .annotate(
            participants_count=Count("participants", distinct=True),
            cases_count=Count("cases", distinct=True),
        )
        .order_by("-period_start", "-pk")
    )
    mine = set(Participant.objects.of_user(request.user).values_list("campaign_id", flat=True))
    return render(
        request,
        "audits/home.html",
        {
            "campaigns": campaigns,
            "mine": mine,
            "manager": request.user.has_role(*MANAGER_ROLES),  # type: ignore[union-attr]
        },
    )


# --- grids (coordination) ------------------------------------------------------------------


@allow(roles(*MANAGER_ROLES))
def grid_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "audits/grid_list.html",
        {"grids": AuditGrid.objects.prefetch_related("versions")},
    )


def _save_grid(
    request: HttpRequest, form: GridForm, *, code: str | None
) -> HttpResponseBase | None:
    if not form.is_valid():
        return None
    try:
        version = AuditGrid.save_version(form.cleaned_data["text"], user=request.user, code=code)
    except GridError as exc:
        for problem in exc.problems:
            form.add_error("text", _("Grille refusée : %(problem)s") % {"problem": problem})
        return None
    messages.success(
        request,
        _("Grille « %(title)s » enregistrée (version %(number)s).")
        % {"title": version.grid.title, "number": version.number},
    )
    return redirect("audits:grid", code=version.grid.code)


@allow(roles(*MANAGER_ROLES))
def grid_create(request: HttpRequest) -> HttpResponseBase:
    form = GridForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        saved = _save_grid(request, form, code=None)
        if saved is not None:
            return saved
    return render(request, "audits/grid_form.html", {"form": form, "grid": None})


@allow(roles(*MANAGER_ROLES))
def grid_detail(request: HttpRequest, code: str) -> HttpResponse:
    grid = get_object_or_404(AuditGrid, code=code)
    versions = list(grid.versions.order_by("-number"))
    number = request.GET.get("version", "")
    version = next(
        (v for v in versions if str(v.number) == number), versions[0] if versions else None
    )
    if version is None:
        raise Http404
    return render(
        request,
        "audits/grid_detail.html",
        {
            "record": grid,
            "version": version,
            "versions": versions,
            "grid": version.parsed,
            "campaigns": version.campaigns.all(),
        },
    )


@allow(roles(*MANAGER_ROLES))
def grid_edit(request: HttpRequest, code: str) -> HttpResponseBase:
    grid = get_object_or_404(AuditGrid, code=code)
    latest = grid.latest()
    initial = {"text": latest.source_text if latest else ""}
    form = GridForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        saved = _save_grid(request, form, code=grid.code)
        if saved is not None:
            return saved
    return render(request, "audits/grid_form.html", {"form": form, "grid": grid})


# --- campaigns -------------------------------------------------------------------------------


@allow(roles(*MANAGER_ROLES))
def campaign_create(request: HttpRequest) -> HttpResponseBase:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = AuditCampaign.launch(
                title=data["title"],
                grid_version=data["grid_version"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                previous_round=data["previous_round"],
                organizations=list(data["organizations"]),
                practitioners=list(data["practitioners"]),
                user=request.user,
            )
        except AuditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Campagne « %(title)s » lancée.") % {"title": campaign})
            return redirect("audits:campaign", pk=campaign.pk)
    return render(request, "audits/campaign_form.html", {"form": form})


@allow(roles(*AUDIT_ROLES))
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _visible_campaign(request, pk)
    results = campaign_results(campaign)
    chart = feedback.region_chart(results)
    return render(
        request,
        "audits/campaign_detail.html",
        {
            "campaign": campaign,
            "grid": campaign.grid,
            "results": results,
            "participants": _visible_participants(request, results),
            "manager": request.user.has_role(*MANAGER_ROLES),  # type: ignore[union-attr]
            "may_enter": campaign.is_open
            and Participant.objects.of_user(request.user).filter(campaign=campaign).exists(),
            "chart": mark_safe(chart.html()) if chart else "",  # noqa: S308 - escaped by cratb.charts
            "chart_key": chart.key if chart else "",
        },
    )


@allow(roles(*MANAGER_ROLES))
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(AuditCampaign, pk=pk)
    try:
        campaign.close()
    except AuditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Campagne clôturée : la saisie est fermée."))
    return redirect("audits:campaign", pk=campaign.pk)


def _participant_results(
    request: HttpRequest, pk: int, participant_pk: int
) -> tuple[CampaignResults, ParticipantResults]:
    campaign = _visible_campaign(request, pk)
    results = campaign_results(campaign)
    for mine in _visible_participants(request, results):
        if mine.participant.pk == participant_pk:
            return results, mine
    raise Http404


@allow(roles(*AUDIT_ROLES))
def participant_detail(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    results, mine = _participant_results(request, pk, participant_pk)
    chart = feedback.participant_chart(mine)
    return render(
        request,
        "audits/participant_detail.html",
        {
            "campaign": results.campaign,
            "results": results,
            "mine": mine,
            "chart": mark_safe(chart.html()) if chart else "",  # noqa: S308 - escaped by cratb.charts
            "chart_key": chart.key if chart else "",
        },
    )


@allow(roles(*AUDIT_ROLES))
def participant_sheet(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    results, mine = _participant_results(request, pk, participant_pk)
    response = HttpResponse(feedback.sheet_pdf(results, mine), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="retour-audit-{results.campaign.pk}-{mine.participant.pk}.pdf"'
    )
    return response


@allow(roles(*AUDIT_ROLES))
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _visible_campaign(request, pk)
    results = campaign_results(campaign)
    return table_response(
        filename=f"audit-{campaign.pk}-resultats",
        columns=feedback.CSV_COLUMNS,
        rows=feedback.csv_rows(results, _visible_participants(request, results)),
        fmt=request.GET.get("format", "csv"),
    )


# --- cases (participants) ---------------------------------------------------------------------


@allow(roles(*PARTICIPANT_ROLES))
def case_create(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = _visible_campaign(request, pk)
    participations = list(
        Participant.objects.of_user(request.user)
        .filter(campaign=campaign)
        .select_related("organization", "practitioner")
    )
    if not participations:
        raise Http404
    chosen = request.POST.get("participant") or request.GET.get("participant")
    participant = next((p for p in participations if str(p.pk) == chosen), participations[0])
    form = CaseForm(campaign.grid, request.POST or None)
    if request.method == "POST":
        if not campaign.is_open:
            messages.error(
                request,
                _("La campagne « %(title)s » est clôturée : plus aucune saisie.")
                % {"title": campaign.title},
            )
            return redirect("audits:campaign", pk=campaign.pk)
        if form.is_valid():
            try:
                case = campaign.add_case(
                    participant,
                    form.answers(),
                    comment=form.cleaned_data.get("comment", ""),
                    user=request.user,
                )
            except AuditError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Cas n° %(number)s enregistré pour %(participant)s.")
                    % {"number": case.number, "participant": participant},
                )
                return redirect(f"{request.path}?participant={participant.pk}")
    return render(
        request,
        "audits/case_form.html",
        {
            "campaign": campaign,
            "grid": campaign.grid,
            "form": form,
            "participant": participant,
            "participations": participations,
            "count": participant.cases.count(),
        },
    )
