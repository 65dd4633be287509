"""Campaign pages: the campaigns, a new campaign (its targets picked from the prescriber
profile), a campaign's target list with its visits and measured effect, the list as CSV
or Excel for the health insurance, the entry of a visit and the measurement."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role
from cratb.charts import Bar, Point, Reference, ranked_bars, time_series
from cratb.network.tabular import table_response
from cratb.outreach import programmes, services
from cratb.outreach.forms import CampaignForm, InvitationForm, ProgrammeForm, VisitForm
from cratb.outreach.models import Campaign, Measure, Programme, Visit
from cratb.resistance.models import LabAccount

#: Coordination runs the campaigns; the health insurance reads the lists and records its
#: delegates' visits. The agency (ARS) does not see prescribers one by one.
MANAGER_ROLES = (Role.COORDINATOR, Role.ADMIN)
READER_ROLES = (*MANAGER_ROLES, Role.INSURANCE_VIEWER)


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)  # type: ignore[arg-type]


@allow(roles(*READER_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.visible_to(request.user).select_related("territory")  # type: ignore[arg-type]
    return render(
        request,
        "outreach/home.html",
        {
            "campaigns": campaigns,
            "manager": request.user.has_role(*MANAGER_ROLES),  # type: ignore[union-attr]
        },
    )


@allow(roles(*MANAGER_ROLES))
def campaign_create(request: HttpRequest) -> HttpResponseBase:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                campaign = form.save(commit=False)
                campaign.created_by = request.user  # type: ignore[assignment]
                campaign.save()
                count = services.select_targets(campaign)
        except services.OutreachError as exc:
            form.add_error(
                None, _("Profil des prescripteurs illisible : %(error)s.") % {"error": exc}
            )
        else:
            messages.success(
                request, _("Campagne créée : %(count)s prescripteurs ciblés.") % {"count": count}
            )
            return redirect("outreach:campaign", pk=campaign.pk)
    return render(request, "outreach/campaign_form.html", {"form": form})


def _effect_chart(measures: list[Measure]) -> str:
    shown = [m for m in measures if m.difference is not None]
    if not shown:
        return ""
    chart = ranked_bars(
        [Bar(_("%(h)s mois") % {"h": m.horizon}, m.difference, m.ci_low, m.ci_high) for m in shown],
        title=_("Effet de la campagne (différence de différences, IC 95 %)"),
        unit=_("points de part des antibiotiques critiques"),
        decimals=1,
        language=get_language() or "fr",
        reference=Reference(0.0, _("aucun effet")),
        sort=False,
        subject=_("horizons"),
    )
    return mark_safe(chart.html())  # noqa: S308 - escaped by cratb.charts


@allow(roles(*READER_ROLES))
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    targets = list(campaign.targets.all())
    visits = {v.target_id: v for v in Visit.objects.filter(target__campaign=campaign)}
    rows = [(t, visits.get(t.pk)) for t in targets]
    measures = list(campaign.measures.all())
    counts = {
        "targets": len(targets),
        "assigned": len(visits),
        "visited": sum(1 for v in visits.values() if v.visited),
    }
    return render(
        request,
        "outreach/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "counts": counts,
            "measures": measures,
            "chart": _effect_chart(measures),
            "horizons": services.HORIZONS,
            "manager": request.user.has_role(*MANAGER_ROLES),  # type: ignore[union-attr]
        },
    )


EXPORT_COLUMNS = [
    "identifiant_prescripteur",
    "specialite",
    "lignes_j01",
    "part_critiques_pct",
    "part_pairs_pct",
    "limite_haute_998_pct",
    "exces_lignes_critiques",
    "visiteur",
    "nom_visiteur",
    "date_visite",
    "resultat",
]


@allow(roles(*READER_ROLES))
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    visits = {v.target_id: v for v in Visit.objects.filter(target__campaign=campaign)}
    rows = []
    for t in campaign.targets.all():
        v = visits.get(t.pk)
        rows.append(
            [
                t.prescriber_id,
                t.specialty_label,
                t.prescriptions,
                round(t.share, 1),
                round(t.peer_share, 1),
                None if t.limit_998_high is None else round(t.limit_998_high, 1),
                round(t.excess_lines, 1),
                v.get_visitor_kind_display() if v else "",
                v.visitor_name if v else "",
                v.visit_date if v else None,
                v.get_outcome_display() if v else "",
            ]
        )
    return table_response(
        filename=f"campagne-{campaign.pk}-cibles",
        columns=EXPORT_COLUMNS,
        rows=rows,
        fmt=request.GET.get("format", "csv"),
    )


@allow(roles(*READER_ROLES))
def visit_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = _campaign(request, pk)
    initial: dict[str, object] = {}
    prescriber = request.GET.get("prescripteur", "")
    target = campaign.targets.filter(prescriber_id=prescriber).first() if prescriber else None
    if target is not None:
        initial["prescriber_id"] = target.prescriber_id
        visit = Visit.objects.filter(target=target).first()
        if visit is not None:
            initial.update(
                visitor_kind=visit.visitor_kind,
                visitor_name=visit.visitor_name,
                visit_date=visit.visit_date,
                outcome=visit.outcome,
                notes=visit.notes,
            )
    form = VisitForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            _("Visite enregistrée pour %(id)s.") % {"id": form.cleaned_data["prescriber_id"]},
        )
        return redirect("outreach:campaign", pk=campaign.pk)
    return render(request, "outreach/visit_form.html", {"form": form, "campaign": campaign})


@allow(roles(*MANAGER_ROLES))
@require_POST
def campaign_measure(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = _campaign(request, pk)
    try:
        horizon = int(request.POST.get("horizon", ""))
    except ValueError:
        horizon = 0
    if horizon not in services.HORIZONS:
        messages.error(request, _("Horizon : 6 ou 12 mois."))
        return redirect("outreach:campaign", pk=campaign.pk)
    try:
        services.measure(campaign, horizon)
    except services.OutreachError as exc:
        messages.error(request, _("Mesure impossible : %(error)s.") % {"error": exc})
    else:
        messages.success(request, _("Effet à %(h)s mois recalculé.") % {"h": horizon})
    return redirect("outreach:campaign", pk=campaign.pk)


# --- targeted reporting: programmes and each lab's adoption -------------------------------


def _funnel_chart(f: programmes.Funnel) -> str:
    if not f.invited:
        return ""
    chart = ranked_bars(
        [
            Bar(_("Invités"), f.invited),
            Bar(_("Signataires"), f.signed),
            Bar(_("Participants"), f.took_part),
        ],
        title=_("Du prescripteur invité au participant"),
        unit=_("prescripteurs"),
        decimals=0,
        language=get_language() or "fr",
        count=True,
        sort=False,
        subject=_("étapes"),
    )
    return mark_safe(chart.html())  # noqa: S308 - escaped by cratb.charts


@allow(roles(*MANAGER_ROLES))
def programme_list(request: HttpRequest) -> HttpResponseBase:
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = form.save()
        return redirect("outreach:programme", pk=programme.pk)
    rows = [
        (p, programmes.funnel(p.invitations.all()))
        for p in Programme.objects.select_related("territory").prefetch_related("invitations")
    ]
    return render(request, "outreach/programme_list.html", {"rows": rows, "form": form})


@allow(roles(*MANAGER_ROLES))
def programme_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    programme = get_object_or_404(Programme.objects.select_related("territory"), pk=pk)
    invitation = None
    if request.GET.get("invitation"):
        invitation = (
            programme.invitations.filter(pk=request.GET["invitation"]).first()
            if request.GET["invitation"].isdigit()
            else None
        )
    form = InvitationForm(request.POST or None, programme=programme, instance=invitation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("Invitation enregistrée : %(name)s.") % {"name": form.instance.prescriber}
        )
        return redirect("outreach:programme", pk=programme.pk)
    invitations = list(programme.invitations.all())
    summary = programmes.funnel(invitations)
    return render(
        request,
        "outreach/programme_detail.html",
        {
            "programme": programme,
            "invitations": invitations,
            "funnel": summary,
            "chart": _funnel_chart(summary),
            "form": form,
            "editing": invitation,
        },
    )


def _adoption_chart(months: list[programmes.MonthShare]) -> str:
    points = [Point(m.first_day, m.share) for m in months if m.first_day is not None and m.isolates]
    if len(points) < 2:
        return ""
    chart = time_series(
        points,
        title=_("Part des ECBU à entérobactéries rendus avec un antibiogramme ciblé"),
        unit="%",
        decimals=0,
        language=get_language() or "fr",
        covid=False,
    )
    return mark_safe(chart.html())  # noqa: S308 - escaped by cratb.charts


@allow(roles(Role.LAB, *MANAGER_ROLES))
def lab_adoption(request: HttpRequest) -> HttpResponse:
    """A lab sees its own monthly adoption; coordination chooses the lab."""
    labs = list(LabAccount.objects.order_by("lab_id"))
    if request.user.has_role(Role.LAB):  # type: ignore[union-attr]
        account = LabAccount.objects.filter(user=request.user).first()  # type: ignore[misc]
        lab_id = account.lab_id if account else ""
        labs = []
    else:
        lab_id = request.GET.get("laboratoire", "") or (labs[0].lab_id if labs else "")
    months: list[programmes.MonthShare] = []
    total = None
    error = ""
    if lab_id:
        try:
            months, total = programmes.lab_adoption(lab_id)
        except services.OutreachError as exc:
            error = str(exc)
    return render(
        request,
        "outreach/lab_adoption.html",
        {
            "lab_id": lab_id,
            "labs": labs,
            "months": months,
            "total": total,
            "error": error,
            "chart": _adoption_chart(months),
        },
    )
