"""Pages of the yearly cycle: campaigns and their follow-up, a team's action plan and
activity report, the regional synthesis, the network activity log.

Audiences (``@allow``) and row rules:

- coordination (and the administrator) open campaigns, follow them, return, validate and
  reopen forms, and may edit any form;
- an EMA member edits their own team's forms only (``Submission.objects.visible_to``);
- the agency reads validated reports and the syntheses;
- the network log is written by GP ambassadors, CPTS referents and EMA GP referents (a
  user whose directory entry holds such an active role) and by coordination.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role, User
from cratb.accounts.navigation import user_role
from cratb.activity import campaigns, summaries, uploads
from cratb.activity.figures import reference_day, team_audits, team_figures
from cratb.activity.forms import (
    AddTeamForm,
    AttachmentForm,
    CampaignForm,
    CommentForm,
    NetworkActionForm,
    ObjectiveForm,
    ReportForm,
)
from cratb.activity.models import (
    ACTOR_FUNCTIONS,
    Attachment,
    Campaign,
    FigureComment,
    Kind,
    NetworkAction,
    Objective,
    ObjectiveStatus,
    StaleEdit,
    Submission,
    WorkflowError,
)
from cratb.audits import summaries as audit_summaries
from cratb.network.models import Membership, PractitionerRole, active_on
from cratb.network.tabular import table_response

#: Activity reports are written by the EMA teams and the CRAtb and read, as regional
#: aggregates, by the agency. Requesters have no report to write or read.
ACTIVITY_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN)
MANAGER_ROLES = (Role.COORDINATOR, Role.ADMIN)
SYNTHESIS_ROLES = (Role.COORDINATOR, Role.AGENCY_VIEWER, Role.ADMIN)
#: Who may open the network log: its writers (a requester may be a GP ambassador) and
#: coordination.
LOG_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.ADMIN)
LOG_SUMMARY_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN)


def _is_manager(user: Any) -> bool:
    return getattr(user, "role", None) in MANAGER_ROLES


def _may_edit(user: Any, submission: Submission) -> bool:
    if _is_manager(user):
        return True
    return (
        getattr(user, "role", None) == Role.EMA_MEMBER
        and Membership.of(user).team_id == submission.team_id
    )


def _year(request: HttpRequest, default: int) -> int:
    text = request.GET.get("annee", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else default


@allow(roles(*ACTIVITY_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    visible = (
        Submission.objects.visible_to(request.user)
        .select_related("campaign", "team")
        .order_by("-campaign__year", "campaign__kind", "team__name")
    )
    today = timezone.localdate()
    return render(
        request,
        "activity/home.html",
        {
            "campaigns": Campaign.objects.all() if _is_manager(request.user) else None,
            "submissions": visible[:200],
            "manager": _is_manager(request.user),
            "today": today,
        },
    )


# --- campaigns ---------------------------------------------------------------------------


@allow(roles(*MANAGER_ROLES))
def campaign_create(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {
        "year": today.year - 1 if today.month <= 6 else today.year,
        "kind": Kind.REPORT,
        "opens_on": today,
        "teams": list(campaigns.default_teams()),
    }
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = campaigns.open_campaign(
            year=data["year"],
            kind=data["kind"],
            opens_on=data["opens_on"],
            deadline=data["deadline"],
            teams=[*data["teams"], *data["others"]],
            by=request.user,
        )
        messages.success(request, _("Campagne ouverte : %(name)s.") % {"name": campaign})
        return redirect("activity:campaign", pk=campaign.pk)
    return render(request, "activity/campaign_form.html", {"form": form})


def _follow_up_rows(campaign: Campaign) -> list[Submission]:
    return list(
        campaign.submissions.select_related("campaign", "team", "team__departement").order_by(
            "team__departement__code", "team__name"
        )
    )


def _by_territory(rows: list[Submission]) -> list[tuple[str, summaries.Completeness]]:
    groups: dict[str, list[Submission]] = {}
    for s in rows:
        dep = s.team.departement
        groups.setdefault(f"{dep.name} ({dep.code})" if dep else _("Sans département"), []).append(
            s
        )
    return [(name, summaries.completeness(members)) for name, members in groups.items()]


@allow(roles(*MANAGER_ROLES))
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = get_object_or_404(Campaign, pk=pk)
    add_form = AddTeamForm(request.POST or None)
    if request.method == "POST" and add_form.is_valid():
        campaigns.add_team(campaign, add_form.cleaned_data["team"])
        messages.success(request, _("Structure ajoutée à la campagne."))
        return redirect("activity:campaign", pk=campaign.pk)
    rows = _follow_up_rows(campaign)
    today = timezone.localdate()
    fmt = request.GET.get("format")
    if fmt:
        return table_response(
            filename=f"campagne-{campaign.kind}-{campaign.year}",
            columns=["equipe", "departement", "etat", "transmis_le", "en_retard", "valide_le"],
            rows=[
                [
                    s.team.name,
                    s.team.departement.code if s.team.departement else "",
                    s.get_state_display(),
                    timezone.localtime(s.submitted_at).date().isoformat() if s.submitted_at else "",
                    _("oui") if s.is_late(today) else _("non"),
                    timezone.localtime(s.validated_at).date().isoformat() if s.validated_at else "",
                ]
                for s in rows
            ],
            fmt=fmt,
        )
    return render(
        request,
        "activity/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "today": today,
            "overall": summaries.completeness(rows, today=today),
            "territories": _by_territory(rows),
            "add_form": add_form,
        },
    )


# --- a team's form -----------------------------------------------------------------------


def _submission(request: HttpRequest, pk: int) -> Submission:
    found = (
        Submission.objects.visible_to(request.user)
        .select_related("campaign", "team", "team__departement")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        if Submission.objects.filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return found


def _opens(user: Any, url: str) -> bool:
    """Whether ``user`` may open ``url`` (the audience its view declares), so a source
    link is not offered to someone who would be refused."""
    try:
        view = resolve(urlsplit(url).path).func
    except Resolver404:
        return False
    access = getattr(view, "cratb_access", None)
    return access is not None and access.allows(user_role(user))


def _report_context(
    submission: Submission, form: ReportForm | None, user: Any = None
) -> dict[str, Any]:
    figures = team_figures(submission.campaign.year, submission.team)
    if submission.figures_snapshot is not None:
        frozen = summaries.report_values(submission)
        figures = [replace(f, value=frozen.get(f.key)) for f in figures]
    comments = {c.figure: c.text for c in submission.figure_comments.all()}
    objectives = campaigns.plan_objectives(submission)
    statuses = {s.objective_id: s for s in submission.objective_statuses.all()}
    if form is not None:
        form.add_rows(
            objectives=objectives,
            statuses=statuses,
            figure_keys=[(f.key, str(f.label)) for f in figures],
            comments=comments,
        )
    year = submission.campaign.year
    return {
        "team_audits": team_audits(year, submission.team, on=reference_day(year)),
        "figures": [
            (
                f,
                comments.get(f.key, ""),
                form[f"{ReportForm.FIGURE_PREFIX}{f.key}"] if form else None,
                _opens(user, f.source),
            )
            for f in figures
        ],
        "objective_rows": [
            (
                o,
                statuses.get(o.pk),
                form[f"{ReportForm.STATUS_PREFIX}{o.pk}"] if form else None,
                form[f"{ReportForm.STATUS_COMMENT_PREFIX}{o.pk}"] if form else None,
            )
            for o in objectives
        ],
    }


def _render_form(
    request: HttpRequest,
    submission: Submission,
    *,
    report_form: ReportForm | None = None,
    objective_form: ObjectiveForm | None = None,
    conflict: Submission | None = None,
    status: int = 200,
) -> HttpResponse:
    editable = submission.editable and _may_edit(request.user, submission)
    context: dict[str, Any] = {
        "submission": submission,
        "campaign": submission.campaign,
        "editable": editable,
        "may_edit": _may_edit(request.user, submission),
        "manager": _is_manager(request.user),
        "late": submission.is_late(),
        "today": timezone.localdate(),
        "events": submission.events.select_related("by"),
        "attachments": submission.attachments.all(),
        "conflict": conflict,
        "comment_form": CommentForm(initial={"version": submission.version}),
        "attachment_form": AttachmentForm(initial={"version": submission.version}),
    }
    if submission.is_report:
        if report_form is None and editable:
            report_form = ReportForm(instance=submission, initial={"version": submission.version})
        context["report_form"] = report_form if editable else None
        context.update(_report_context(submission, report_form if editable else None, request.user))
        context["entered"] = [(label, getattr(submission, key)) for key, label in summaries.ENTERED]
        # The audits of the year the team took part in, from the audits app (its own
        # summary, the computation of its pages): shown beside the team's own count.
        context["audit_participations"] = audit_summaries.participations(
            submission.campaign.year, organization_id=submission.team_id
        )
    else:
        context["objectives"] = submission.objectives.all()
        context["objective_form"] = objective_form or ObjectiveForm(
            initial={"version": submission.version}
        )
    return render(request, "activity/submission.html", context, status=status)


def _conflict_message(request: HttpRequest, current: Submission) -> None:
    messages.error(
        request,
        _(
            "Quelqu'un d'autre a enregistré ce formulaire pendant votre saisie (version %(v)s) : "
            "rien n'a été enregistré de votre côté. Relisez la version actuelle ci-dessous ; "
            "votre saisie est conservée, enregistrez-la de nouveau si elle reste juste."
        )
        % {"v": current.version},
    )


@allow(roles(*ACTIVITY_ROLES))
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if request.method != "POST" or not submission.is_report:
        if request.method == "POST":
            return HttpResponse(status=405)
        return _render_form(request, submission)
    if not _may_edit(request.user, submission):
        raise PermissionDenied
    form = ReportForm(request.POST, instance=submission)
    _report_context(submission, form)  # adds the objectives' and figures' fields
    if not form.is_valid():
        return _render_form(request, submission, report_form=form, status=400)
    try:
        _save_report(submission, form)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("activity:submission", pk=pk)
    except StaleEdit as exc:
        _conflict_message(request, exc.current)
        data = request.POST.copy()
        data["version"] = str(exc.current.version)
        kept = ReportForm(data, instance=exc.current)
        kept.is_valid()
        return _render_form(
            request, exc.current, report_form=kept, conflict=exc.current, status=409
        )
    messages.success(request, _("Rapport enregistré."))
    return redirect("activity:submission", pk=pk)


def _save_report(submission: Submission, form: ReportForm) -> None:
    data = form.cleaned_data
    fields = list(ReportForm.Meta.fields)
    with transaction.atomic():
        form.instance.save_edit(expected_version=data["version"], fields=fields)
        for name, value in data.items():
            if name.startswith(ReportForm.FIGURE_PREFIX):
                key = name.removeprefix(ReportForm.FIGURE_PREFIX)
                if value.strip():
                    FigureComment.objects.update_or_create(
                        submission=submission, figure=key, defaults={"text": value.strip()}
                    )
                else:
                    FigureComment.objects.filter(submission=submission, figure=key).delete()
            elif name.startswith(ReportForm.STATUS_COMMENT_PREFIX):
                continue
            elif name.startswith(ReportForm.STATUS_PREFIX):
                objective_id = int(name.removeprefix(ReportForm.STATUS_PREFIX))
                comment = data.get(f"{ReportForm.STATUS_COMMENT_PREFIX}{objective_id}", "")
                if value:
                    ObjectiveStatus.objects.update_or_create(
                        submission=submission,
                        objective_id=objective_id,
                        defaults={"status": value, "comment": comment},
                    )
                else:
                    ObjectiveStatus.objects.filter(
                        submission=submission, objective_id=objective_id
                    ).delete()


def _editable_submission(request: HttpRequest, pk: int) -> Submission:
    submission = _submission(request, pk)
    if not _may_edit(request.user, submission):
        raise PermissionDenied
    return submission


def _version(request: HttpRequest) -> int | None:
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() else None


@allow(roles(*ACTIVITY_ROLES))
@require_POST
def objective_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _editable_submission(request, pk)
    if submission.is_report:
        raise Http404
    form = ObjectiveForm(request.POST)
    if not form.is_valid():
        return _render_form(request, submission, objective_form=form, status=400)
    try:
        with transaction.atomic():
            submission.touch(expected_version=form.cleaned_data["version"])
            objective = form.save(commit=False)
            objective.submission = submission
            objective.save()
    except WorkflowError as exc:
        messages.error(request, str(exc))
    except StaleEdit as exc:
        _conflict_message(request, exc.current)
        data = request.POST.copy()
        data["version"] = str(exc.current.version)
        kept = ObjectiveForm(data)
        kept.is_valid()
        return _render_form(
            request, exc.current, objective_form=kept, conflict=exc.current, status=409
        )
    else:
        messages.success(request, _("Objectif ajouté."))
    return redirect("activity:submission", pk=pk)


@allow(roles(*ACTIVITY_ROLES))
def objective_edit(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    submission = _editable_submission(request, pk)
    objective = get_object_or_404(Objective, pk=objective_pk, submission=submission)
    initial = {"version": submission.version}
    form = ObjectiveForm(request.POST or None, instance=objective, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    submission.touch(expected_version=form.cleaned_data["version"])
                    form.save()
            except WorkflowError as exc:
                messages.error(request, str(exc))
                return redirect("activity:submission", pk=pk)
            except StaleEdit as exc:
                _conflict_message(request, exc.current)
                data = request.POST.copy()
                data["version"] = str(exc.current.version)
                form = ObjectiveForm(data, instance=objective)
                form.is_valid()
                status = 409
            else:
                messages.success(request, _("Objectif enregistré."))
                return redirect("activity:submission", pk=pk)
        else:
            status = 400
    return render(
        request,
        "activity/objective_form.html",
        {"form": form, "submission": submission, "objective": objective},
        status=status,
    )


@allow(roles(*ACTIVITY_ROLES))
@require_POST
def objective_delete(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    submission = _editable_submission(request, pk)
    objective = get_object_or_404(Objective, pk=objective_pk, submission=submission)
    version = _version(request)
    try:
        if version is None:
            raise WorkflowError(_("Version du formulaire absente : rechargez la page."))
        with transaction.atomic():
            submission.touch(expected_version=version)
            objective.delete()
    except WorkflowError as exc:
        messages.error(request, str(exc))
    except StaleEdit as exc:
        _conflict_message(request, exc.current)
    else:
        messages.success(request, _("Objectif supprimé."))
    return redirect("activity:submission", pk=pk)


@allow(roles(*ACTIVITY_ROLES))
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _editable_submission(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Pièce jointe : choisissez un fichier."))
        return redirect("activity:submission", pk=pk)
    try:
        with transaction.atomic():
            submission.touch(expected_version=form.cleaned_data["version"])
            uploads.attach(submission, form.cleaned_data["file"], by=request.user)
    except (WorkflowError, uploads.AttachmentError) as exc:
        messages.error(request, str(exc))
    except StaleEdit as exc:
        _conflict_message(request, exc.current)
    else:
        messages.success(request, _("Pièce jointe ajoutée."))
    return redirect("activity:submission", pk=pk)


@allow(roles(*ACTIVITY_ROLES))
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    submission = _submission(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, submission=submission)
    return uploads.response(attachment)


@allow(roles(*ACTIVITY_ROLES))
@require_POST
def submission_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """submit (the team or coordination), return / validate / reopen (coordination)."""
    submission = _submission(request, pk)
    if action == "submit":
        if not _may_edit(request.user, submission):
            raise PermissionDenied
    elif action in ("return", "validate", "reopen"):
        if not _is_manager(request.user):
            raise PermissionDenied
    else:
        raise Http404
    form = CommentForm(request.POST)
    version = _version(request)
    text = request.POST.get("text", "")
    try:
        if version is None or not form.is_valid():
            raise WorkflowError(_("Version du formulaire absente : rechargez la page."))
        if action == "submit":
            submission.submit(by=request.user, expected_version=version)
            done = (
                _("Transmis à la coordination, après la date limite : il est marqué « en retard ».")
                if submission.late
                else _("Transmis à la coordination.")
            )
        elif action == "return":
            submission.send_back(by=request.user, comment=text, expected_version=version)
            done = _("Renvoyé à l'équipe avec votre commentaire.")
        elif action == "validate":
            snapshot = (
                summaries.snapshot(team_figures(submission.campaign.year, submission.team))
                if submission.is_report
                else None
            )
            submission.validate(by=request.user, expected_version=version, snapshot=snapshot)
            done = _("Validé : le formulaire est verrouillé.")
        else:
            submission.reopen(by=request.user, reason=text, expected_version=version)
            done = _("Rouvert : l'équipe peut de nouveau le modifier.")
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("activity:submission", pk=pk)
    except StaleEdit as exc:
        _conflict_message(request, exc.current)
        return redirect("activity:submission", pk=pk)
    messages.success(request, done)
    return redirect("activity:submission", pk=pk)


# --- syntheses ---------------------------------------------------------------------------


@allow(roles(*SYNTHESIS_ROLES))
def synthesis(request: HttpRequest) -> HttpResponse:
    latest = Campaign.objects.filter(kind=Kind.REPORT).order_by("-year").first()
    year = _year(request, latest.year if latest else timezone.localdate().year - 1)
    found = summaries.ema_synthesis(year)
    fmt = request.GET.get("format")
    if fmt:
        columns = ["departement", "libelle", "equipes", "attendus", "valides", "en_retard"]
        columns += [v.key for v in found.totals]
        rows: list[list[Any]] = [
            [
                t.code,
                t.name,
                t.teams,
                t.completeness.expected,
                t.completeness.validated,
                t.completeness.late,
                *[v.value for v in t.figures],
            ]
            for t in found.territories
        ]
        c = found.completeness
        rows.append(
            ["", _("Région"), c.expected, c.expected, c.validated, c.late]
            + [v.value for v in found.totals]
        )
        return table_response(filename=f"synthese-ema-{year}", columns=columns, rows=rows, fmt=fmt)
    years = sorted(
        set(Campaign.objects.filter(kind=Kind.REPORT).values_list("year", flat=True)) | {year},
        reverse=True,
    )
    return render(
        request,
        "activity/synthesis.html",
        {"synthesis": found, "year": year, "years": years},
    )


# --- the network activity log ------------------------------------------------------------


def _log_functions(user: Any) -> list[str]:
    """The functions under which ``user`` may record actions (all for coordination)."""
    if _is_manager(user):
        return [f.value for f in ACTOR_FUNCTIONS]
    held = PractitionerRole.objects.filter(
        active_on(), practitioner__user=user, function__in=[f.value for f in ACTOR_FUNCTIONS]
    ).values_list("function", flat=True)
    return sorted(set(held))


@allow(roles(*LOG_ROLES))
def network_actions(request: HttpRequest) -> HttpResponse:
    functions = _log_functions(request.user)
    form = None
    if functions:
        form = NetworkActionForm(request.POST or None, functions=functions)
        if request.method == "POST" and form.is_valid():
            action = form.save(commit=False)
            assert isinstance(request.user, User)  # @allow admits logged-in users only
            action.recorded_by = request.user
            action.save()
            messages.success(request, _("Action enregistrée : %(name)s.") % {"name": action})
            return redirect("activity:network-actions")
    elif request.method == "POST":
        raise PermissionDenied
    rows = NetworkAction.objects.visible_to(request.user).select_related("territory")[:200]
    return render(
        request,
        "activity/network_actions.html",
        {"form": form, "actions": rows, "may_record": bool(functions)},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@allow(roles(*LOG_SUMMARY_ROLES))
def network_actions_summary(request: HttpRequest) -> HttpResponse:
    year = _year(request, timezone.localdate().year)
    found = summaries.network_actions_summary(year)
    fmt = request.GET.get("format")
    if fmt:
        rows = [
            [group, r.label, r.actions, r.people_reached]
            for group, part in (
                ("territoire", found.by_territory),
                ("type", found.by_kind),
                ("fonction", found.by_function),
            )
            for r in part
        ]
        return table_response(
            filename=f"actions-reseau-{year}",
            columns=["groupe", "libelle", "actions", "personnes_touchees"],
            rows=rows,
            fmt=fmt,
        )
    years = sorted(
        {d.year for d in NetworkAction.objects.dates("date", "year")} | {year}, reverse=True
    )
    return render(
        request,
        "activity/network_summary.html",
        {"summary": found, "year": year, "years": years},
    )
