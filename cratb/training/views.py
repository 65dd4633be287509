"""Training pages: public agenda and registration, the participant's own page (by the secret
link of the confirmation e-mail: status, cancellation, questionnaire, certificate), and the
coordination's plan, sessions, attendance and figures."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cratb.accounts.access import PUBLIC, allow, roles
from cratb.accounts.models import Role
from cratb.network.tabular import table_response
from cratb.security import rate_limited
from cratb.training import figures
from cratb.training.certificates import certificate_pdf
from cratb.training.forms import PlanForm, RegistrationForm, SatisfactionForm, SessionForm
from cratb.training.models import (
    Registration,
    RegistrationError,
    RegistrationEvent,
    TrainingPlan,
    TrainingSession,
)

#: Sessions and registrations concern those who train and are trained.
TRAINING_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.ADMIN)
MANAGER_ROLES = (Role.COORDINATOR, Role.ADMIN)
#: Figures are aggregates: the agency sees them too.
FIGURE_ROLES = (Role.COORDINATOR, Role.AGENCY_VIEWER, Role.ADMIN)


@allow(roles(*TRAINING_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    email = getattr(request.user, "email", "")
    mine = (
        Registration.objects.filter(email__iexact=email).select_related("session")
        if email
        else Registration.objects.none()
    )
    manager = request.user.has_role(*MANAGER_ROLES)  # type: ignore[union-attr]
    return render(
        request,
        "training/home.html",
        {
            "mine": mine.order_by("-session__starts_at"),
            "manager": manager,
            "plans": TrainingPlan.objects.all() if manager else None,
            "upcoming": TrainingSession.objects.published().upcoming().with_counts()[:5],
        },
    )


# --- public ------------------------------------------------------------------------------


@allow(PUBLIC)
def agenda(request: HttpRequest) -> HttpResponse:
    sessions = TrainingSession.objects.published().upcoming().with_counts()
    fmt = request.GET.get("format", "")
    if fmt in TrainingSession.Format.values:
        sessions = sessions.filter(format=fmt)
    return render(
        request,
        "training/agenda.html",
        {
            "sessions": sessions.select_related("departement"),
            "formats": TrainingSession.Format.choices,
            "format": fmt,
        },
    )


@rate_limited("CRATB_RATE_TRAINING_REGISTRATION")
@allow(PUBLIC)
def session_public(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = get_object_or_404(
        TrainingSession.objects.published().select_related("departement", "plan"), pk=pk
    )
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "consent"}
        try:
            registration = Registration.register(session=session, **data)
        except RegistrationError as exc:
            form.add_error(None, str(exc))
        else:
            _send_confirmation(request, registration)
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(
                    request,
                    _(
                        "Inscription confirmée. Un courriel de confirmation a été envoyé "
                        "à %(email)s."
                    )
                    % {"email": registration.email},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "La session est complète : vous êtes inscrit sur la liste d'attente "
                        "(position %(position)s). Un courriel vous a été envoyé à %(email)s ; "
                        "vous serez prévenu si une place se libère."
                    )
                    % {"position": registration.waiting_position(), "email": registration.email},
                )
            return redirect("training:registration", token=registration.token)
    return render(
        request,
        "training/session_public.html",
        {
            "session": session,
            "form": form,
            "places_left": session.places_left(),
            "trainers": session.trainers.all(),
        },
    )


def _send_confirmation(request: HttpRequest, registration: Registration) -> None:
    link = request.build_absolute_uri(
        reverse("training:registration", kwargs={"token": registration.token})
    )
    context = {"registration": registration, "session": registration.session, "link": link}
    subject = render_to_string("training/email/registration_subject.txt", context).strip()
    body = render_to_string("training/email/registration_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [registration.email])


def _registration(token: uuid.UUID) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("session", "session__departement"), token=token
    )


@allow(PUBLIC)
def registration_detail(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """The participant's page, reached by the secret link of their e-mail."""
    registration = _registration(token)
    answered = hasattr(registration, "satisfaction")
    form = None
    if registration.may_get_certificate and not answered:
        form = SatisfactionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            response = form.save(commit=False)
            response.registration = registration
            response.save()
            registration._log(RegistrationEvent.Kind.ANSWERED)
            messages.success(request, _("Merci : votre avis a été enregistré."))
            return redirect("training:registration", token=token)
    return render(
        request,
        "training/registration_detail.html",
        {
            "registration": registration,
            "session": registration.session,
            "position": registration.waiting_position(),
            "form": form,
            "answered": answered,
        },
    )


@require_POST
@allow(PUBLIC)
def registration_cancel(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    registration = _registration(token)
    if registration.status == Registration.Status.CANCELLED or registration.session.is_past:
        messages.error(request, _("Cette inscription ne peut plus être annulée."))
        return redirect("training:registration", token=token)
    promoted = registration.cancel(by=request.user)
    if promoted is not None:
        _send_confirmation(request, promoted)
    messages.success(request, _("Votre inscription est annulée."))
    return redirect("training:registration", token=token)


@allow(PUBLIC)
def certificate(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    registration = _registration(token)
    if not registration.may_get_certificate:
        raise Http404(_("L'attestation est disponible une fois la présence enregistrée."))
    response = HttpResponse(certificate_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-{registration.session.pk}-{registration.pk}.pdf"'
    )
    return response


# --- coordination ------------------------------------------------------------------------


@allow(roles(*MANAGER_ROLES))
def plan_detail(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(TrainingPlan, year=year)
    sessions = plan.sessions.with_counts().select_related("departement")
    return render(request, "training/plan_detail.html", {"plan": plan, "sessions": sessions})


def _edit(request: HttpRequest, form: Any, *, title: str, back: str) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Enregistré : %(name)s.") % {"name": saved})
        if isinstance(saved, TrainingPlan):
            return redirect("training:plan", year=saved.year)
        return redirect("training:session-manage", pk=saved.pk)
    return render(request, "network/form.html", {"form": form, "title": title, "back": back})


@allow(roles(*MANAGER_ROLES))
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    return _edit(request, form, title=_("Nouveau plan de formation"), back=reverse("training:home"))


@allow(roles(*MANAGER_ROLES))
def plan_edit(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(TrainingPlan, year=year)
    form = PlanForm(request.POST or None, instance=plan)
    return _edit(
        request,
        form,
        title=_("Modifier : %(name)s") % {"name": plan},
        back=reverse("training:plan", kwargs={"year": year}),
    )


@allow(roles(*MANAGER_ROLES))
def session_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    plan_year = request.GET.get("plan")
    if plan_year and plan_year.isdigit():
        initial["plan"] = TrainingPlan.objects.filter(year=int(plan_year)).first()
    form = SessionForm(request.POST or None, initial=initial)
    return _edit(request, form, title=_("Nouvelle session"), back=reverse("training:home"))


@allow(roles(*MANAGER_ROLES))
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(TrainingSession, pk=pk)
    form = SessionForm(request.POST or None, instance=session)
    return _edit(
        request,
        form,
        title=_("Modifier : %(name)s") % {"name": session},
        back=reverse("training:session-manage", kwargs={"pk": pk}),
    )


@allow(roles(*MANAGER_ROLES))
def session_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Registrations of a session; attendance marked here, one radio button per person."""
    session = get_object_or_404(
        TrainingSession.objects.select_related("plan", "departement").prefetch_related(
            Prefetch("registrations", queryset=Registration.objects.select_related("departement"))
        ),
        pk=pk,
    )
    registrations = list(session.registrations.all())
    if request.method == "POST":
        changed = 0
        for registration in registrations:
            value = request.POST.get(f"attendance-{registration.pk}", "")
            if value not in ("present", "absent"):
                continue
            attended = value == "present"
            if registration.attended != attended:
                try:
                    registration.mark_attendance(attended=attended, by=request.user)
                except RegistrationError as exc:
                    messages.error(request, str(exc))
                    continue
                changed += 1
        messages.success(
            request,
            ngettext(
                "Présences enregistrées : %(n)s modification.",
                "Présences enregistrées : %(n)s modifications.",
                changed,
            )
            % {"n": changed},
        )
        return redirect("training:session-manage", pk=pk)
    if request.GET.get("format"):
        columns = ["nom", "prenom", "courriel", "profession", "structure", "departement", "etat",
                   "present"]  # fmt: skip
        rows = [
            [r.last_name, r.first_name, r.email, r.get_profession_display(), r.organization_name,
             r.departement.code if r.departement else "", r.get_status_display(),
             "" if r.attended is None else ("oui" if r.attended else "non")]
            for r in registrations
        ]  # fmt: skip
        return table_response(
            filename=f"inscriptions-session-{session.pk}",
            columns=columns,
            rows=rows,
            fmt=request.GET["format"],
        )
    return render(
        request,
        "training/session_manage.html",
        {
            "session": session,
            "registrations": registrations,
            "confirmed": sum(1 for r in registrations if r.status == Registration.Status.CONFIRMED),
            "started": session.starts_at <= timezone.now(),
        },
    )


@allow(roles(*FIGURE_ROLES))
def training_figures(request: HttpRequest) -> HttpResponse:
    available = figures.years()
    year_text = request.GET.get("annee", "")
    default = figures.latest_year_with_attendance() or (available[0] if available else None)
    year = int(year_text) if year_text.isdigit() else default
    if year is not None and year not in available:
        year = default
    context: dict[str, Any] = {
        "years": available,
        "year": year,
        "by_year": figures.trained_by_year(),
        "by_profession": figures.trained_by_profession(year),
        "by_departement": figures.trained_by_departement(year),
        "cpts": figures.cpts_figures(),
        "satisfaction": figures.satisfaction(year),
        "by_team": figures.sessions_by_team(year),
    }
    fmt = request.GET.get("format")
    if fmt:
        rows: list[list[Any]] = [
            ["annee", str(r["year"]), "", r["people"]] for r in context["by_year"]
        ]
        rows += [["profession", str(year), label, n] for label, n in context["by_profession"]]
        rows += [["departement", str(year), f"{code} {name}", n]
                 for code, name, n in context["by_departement"]]  # fmt: skip
        return table_response(
            filename=f"personnes-formees-{year}",
            columns=["groupe", "annee", "valeur", "personnes_formees"],
            rows=rows,
            fmt=fmt,
        )
    return render(request, "training/figures.html", context)
