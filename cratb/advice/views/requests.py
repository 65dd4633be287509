"""Requests: the public form, the request page and its actions, the requester's side,
attachments (the inbox is in ``inbox.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cratb.accounts.access import PUBLIC, allow, roles
from cratb.accounts.models import Role, User
from cratb.advice import forms, services, tokens, uploads
from cratb.advice.models import (
    AdviceEvent,
    AdviceRequest,
    Answer,
    Attachment,
    EventKind,
    RecommendedAgent,
    StateError,
    Status,
    VersionConflict,
)
from cratb.advice.views.common import (
    ADVICE_ROLES,
    RESPONDERS,
    Page,
    _is_responder,
    _user,
)
from cratb.network.models import Membership, Territory
from cratb.security import client_address, rate_limited


@allow(roles(*ADVICE_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context: dict[str, Any] = {"is_responder": _is_responder(user)}
    if _is_responder(user):
        open_requests = AdviceRequest.objects.open()
        context["counts"] = {
            box: open_requests.inbox(user, box=box).count() for box in ("mine", "team")
        }
    else:
        context["recent"] = (
            AdviceRequest.objects.visible_to(user)
            .select_related("departement")
            .order_by("-created_at")[:5]
        )
    return render(request, "advice/home.html", context)


# --- the public form -------------------------------------------------------------------


def _initial_for(user: User | None) -> dict[str, Any]:
    if user is None or user.role != Role.REQUESTER:
        return {}
    initial: dict[str, Any] = {
        "requester_name": user.get_full_name() or user.username,
        "requester_email": user.email,
    }
    departement = Membership.of(user).territories.filter(kind=Territory.Kind.DEPARTEMENT).first()
    if departement is not None:
        initial["departement"] = departement.code
    return initial


@rate_limited("CRATB_RATE_ADVICE_FORM")
@allow(PUBLIC)
def request_create(request: HttpRequest) -> HttpResponseBase:
    """The request form, open to anyone; a logged-in requester skips the e-mail check."""
    user = request.user if isinstance(request.user, User) else None
    if request.method == "POST":
        form = forms.RequestForm(request.POST, request.FILES)
        if form.is_valid():
            created = services.submit_request(
                fields=form.request_fields(),
                files=form.valid_files,
                pending=form.pending,
                user=user,
            )
            if created.status == Status.UNCONFIRMED:
                request.session["advice_sent_to"] = created.requester_email
                return redirect("advice:request-sent")
            messages.success(request, _("Votre demande est transmise à un infectiologue."))
            return redirect("advice:request-detail", pk=created.pk)
        # The files already checked are kept a short while for the next try, within the
        # visitor's hourly allowance of such files.
        kept = form.pending
        fresh = getattr(form, "valid_files", [])
        size = sum(new.upload.size or 0 for new in fresh)
        if fresh and uploads.may_stash(address=client_address(request), size=size):
            kept = kept + [uploads.stash(new.upload, sniffed=new.sniffed) for new in fresh]
        elif fresh:
            form.add_error(
                "attachments",
                _("Vos fichiers n'ont pas été gardés : joignez-les de nouveau en renvoyant le"
                  " formulaire corrigé."),
            )  # fmt: skip
        data = request.POST.copy()
        data["pending_files"] = uploads.sign_pending(kept)
        form.data = data
        return render(
            request,
            "advice/request_form.html",
            {
                "form": form,
                "pending": kept,
                "logged_in_requester": user and user.role == Role.REQUESTER,
            },
            status=400,
        )
    form = forms.RequestForm(initial=_initial_for(user))
    return render(
        request,
        "advice/request_form.html",
        {"form": form, "pending": [], "logged_in_requester": user and user.role == Role.REQUESTER},
    )


@allow(PUBLIC)
def request_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "advice/request_sent.html", {"email": request.session.get("advice_sent_to", "")}
    )


@allow(PUBLIC)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        advice = tokens.read_confirm_token(token)
    except tokens.BadToken:
        return render(request, "advice/bad_link.html", status=404)
    if services.confirm_request(advice):
        messages.success(
            request,
            _("Merci : votre demande est confirmée et transmise à un infectiologue."),
        )
    else:
        messages.info(request, _("Cette demande était déjà confirmée."))
    return redirect("advice:follow", token=tokens.follow_token(advice))


# --- loading a request -----------------------------------------------------------------


def _load(queryset: Any, pk: int) -> AdviceRequest:
    """The request with what its page shows, in as few queries as its content needs: the
    answers (with their authors and agents, one query), attachments and messages are
    fetched only when the request has some (``with_content_flags``)."""
    found: AdviceRequest = get_object_or_404(
        queryset.select_related("departement", "assignee", "team", "survey")
        .with_content_flags()
        .order_by(),
        pk=pk,
    )
    answers = _answers_with_agents(found.pk) if found.has_answers else []  # type: ignore[attr-defined]
    _set_fetched(found, "answers", answers)
    for name in ("attachments", "messages"):
        if getattr(found, f"has_{name}"):
            prefetch_related_objects([found], name)
        else:
            _set_fetched(found, name, [])
    return found


_ANSWER = ("id", "created_at", "channel", "recommendation", "duration_days", "text")
_ANSWER_MORE = ("recommends_critical", "author_id")
_AUTHOR = ("author__username", "author__first_name", "author__last_name")
_AGENT = ("agents__id", "agents__atc", "agents__route", "agents__aware", "agents__aware_edition")


def _answers_with_agents(request_pk: int) -> list[Answer]:
    """The request's answers with their author and agents, in one query (the answers
    joined to their agents, one row per agent) instead of three."""
    rows = (
        Answer.objects.filter(request_id=request_pk)
        .order_by("created_at", "pk", "agents__id")
        .values_list(*_ANSWER, *_ANSWER_MORE, *_AUTHOR, *_AGENT)
    )
    answers: dict[int, Answer] = {}
    agents: dict[int, list[RecommendedAgent]] = {}
    width = len(_ANSWER) + len(_ANSWER_MORE)
    for row in rows:
        answer_id = row[0]
        if answer_id not in answers:
            author_id = row[width - 1]
            answer = Answer(
                **dict(zip(_ANSWER + _ANSWER_MORE, row[:width], strict=True)),
                request_id=request_pk,
            )
            answer.author = User(
                id=author_id,
                username=row[width],
                first_name=row[width + 1],
                last_name=row[width + 2],
            )
            answers[answer_id] = answer
            agents[answer_id] = []
        agent_id, atc, route, aware, edition = row[width + 3 :]
        if agent_id is not None:
            agents[answer_id].append(
                RecommendedAgent(
                    id=agent_id,
                    answer_id=answer_id,
                    atc=atc,
                    route=route,
                    aware=aware,
                    aware_edition=edition,
                )
            )
    cited = _cited(list(answers))
    for answer_id, answer in answers.items():
        answer._state.adding = False
        _set_fetched(answer, "agents", agents[answer_id])
        answer.cited = cited.get(answer_id, [])  # type: ignore[attr-defined]
    return list(answers.values())


def _cited(answer_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The guidelines and pathways each answer cites: (title, address), two small queries."""
    cited: dict[int, list[tuple[str, str]]] = {}
    if not answer_ids:
        return cited
    documents = Answer.documents.through.objects.filter(answer_id__in=answer_ids)
    for answer_id, pk, title in documents.values_list(
        "answer_id", "document_id", "document__title"
    ):
        url = reverse("guidelines:document", kwargs={"pk": pk})
        cited.setdefault(answer_id, []).append((title, url))
    pathways = Answer.pathways.through.objects.filter(answer_id__in=answer_ids)
    for answer_id, syndrome, title in pathways.values_list(
        "answer_id", "pathway__syndrome", "pathway__title"
    ):
        url = reverse("guidelines:syndrome", kwargs={"code": syndrome})
        cited.setdefault(answer_id, []).append((title, url))
    return cited


def _set_fetched(instance: Any, name: str, rows: list[Any]) -> None:
    """Give ``instance`` the related rows ``name`` as a prefetch would (so the template's
    ``.<name>.all`` runs no query): rows fetched here, or none without a query."""
    fetched = getattr(instance, name).all()
    fetched._result_cache = rows
    fetched._prefetch_done = True
    cache: dict[str, Any] = getattr(instance, "_prefetched_objects_cache", {})
    cache[name] = fetched
    instance._prefetched_objects_cache = cache


def _visible(request: HttpRequest, pk: int) -> AdviceRequest:
    """The request if the user may open it; 404 otherwise (its existence is not told)."""
    user = _user(request)
    advice = _load(AdviceRequest.objects.with_scope_of(user), pk)
    if not advice.is_visible_to(user):
        raise Http404
    return advice


def _events(advice: AdviceRequest) -> list[AdviceEvent]:
    return list(advice.events.all().order_by("at", "pk"))


def _mark_viewed(advice: AdviceRequest, user: User, events: list[AdviceEvent]) -> None:
    """One « viewed » event per responder and version: a trace, not a log of every refresh."""
    for event in events:
        if (
            event.kind == EventKind.VIEWED
            and event.actor_id == user.pk
            and event.version == advice.version
        ):
            return
    events.append(advice.mark_viewed(by=user))


def _survey(advice: AdviceRequest) -> Any:
    try:
        return advice.survey
    except AdviceRequest.survey.RelatedObjectDoesNotExist:
        return None


def _staff_context(advice: AdviceRequest, **overrides: Any) -> dict[str, Any]:
    version = {"version": advice.version}
    # Built only if the page shows them (a closed request shows none of the answer,
    # question and reassignment forms).
    context: dict[str, Any] = {
        "advice": advice,
        "survey": _survey(advice),
        "staff": True,
        "answer_form": SimpleLazyObject(lambda: forms.AnswerForm(initial=version)),
        "ask_form": SimpleLazyObject(lambda: forms.AskForm(initial=version)),
        "reassign_form": SimpleLazyObject(lambda: forms.ReassignForm(initial=version)),
        "attach_form": SimpleLazyObject(forms.RequesterAttachForm),
        # Forms sent back with the person's input: drawn afresh, not from the cache of
        # the empty forms' fields (request_detail.html).
        "kept_forms": set(overrides),
    }
    context.update(overrides)
    return context


def _requester_context(
    advice: AdviceRequest, *, action_url: str, **overrides: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "advice": advice,
        "survey": _survey(advice),
        "staff": False,
        "action_url": action_url,
        "reply_form": forms.ReplyForm(),
        "survey_form": forms.SurveyForm(),
        "attach_form": forms.RequesterAttachForm(),
    }
    context.update(overrides)
    return context


@allow(roles(*ADVICE_ROLES))
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    advice = _visible(request, pk)
    events = _events(advice)
    if _is_responder(user):
        _mark_viewed(advice, user, events)
        return render(
            request, "advice/request_detail.html", {**_staff_context(advice), "events": events}
        )
    return render(
        request,
        "advice/request_detail.html",
        {
            **_requester_context(advice, action_url=reverse("advice:request-requester", args=[pk])),
            "events": events,
        },
    )


@allow(roles(Role.REQUESTER))
def my_requests(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = (
        AdviceRequest.objects.filter(requester=user)
        .select_related("departement")
        .order_by("-created_at", "-pk")
    )
    page = Page.of(rows, request.GET.get("page"))
    return render(request, "advice/my_requests.html", {"page": page})


# --- responders' actions -----------------------------------------------------------------


def _conflict(
    request: HttpRequest, exc: VersionConflict, *, pk: int, **forms_kept: Any
) -> HttpResponse:
    """Show the other person's change and keep this person's text in their form."""
    advice = _visible(request, pk)
    kept = dict(forms_kept.items())
    for form in kept.values():
        # A resubmission now applies on top of the version just shown.
        if "version" in form.fields:
            data = form.data.copy()
            data["version"] = str(advice.version)
            form.data = data
    return render(
        request,
        "advice/request_detail.html",
        {
            **_staff_context(advice, **kept),
            "events": _events(advice),
            "conflict": exc,
            "conflict_changes": exc.changes,
        },
        status=409,
    )


def _invalid(request: HttpRequest, *, pk: int, **forms_kept: Any) -> HttpResponse:
    advice = _visible(request, pk)
    return render(
        request,
        "advice/request_detail.html",
        {
            **_staff_context(advice, **forms_kept),
            "events": _events(advice),
            # base.html starts the title with « Erreur : » (the form sent back is not `form`).
            "page_has_errors": any(f.errors for f in forms_kept.values()),
        },
        status=400,
    )


def _refused(request: HttpRequest, exc: StateError, pk: int) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect("advice:request-detail", pk=pk)


VersionFormT = TypeVar("VersionFormT", bound=forms.VersionForm)


def _act(
    request: HttpRequest,
    pk: int,
    form_class: type[VersionFormT],
    *,
    act: Callable[[AdviceRequest, VersionFormT, User], object],
    done: str,
    kept_as: str | None = None,
) -> HttpResponseBase:
    """One action of the request page: check the form, apply the change (``act``), then
    back to the page with ``done``. A change made meanwhile by someone else (409) shows
    it and keeps the person's input (in the form named ``kept_as``); a change the
    request's state refuses comes back as a message."""
    advice = _visible(request, pk)
    form = form_class(request.POST)
    kept = {kept_as: form} if kept_as else {}
    if not form.is_valid():
        return _invalid(request, pk=pk, **kept)
    try:
        act(advice, form, _user(request))
    except VersionConflict as exc:
        return _conflict(request, exc, pk=pk, **kept)
    except StateError as exc:
        return _refused(request, exc, pk)
    messages.success(request, done)
    return redirect("advice:request-detail", pk=pk)


@require_POST
@allow(roles(*RESPONDERS))
def request_take(request: HttpRequest, pk: int) -> HttpResponseBase:
    def act(advice: AdviceRequest, form: forms.VersionForm, by: User) -> None:
        advice.take(by=by, expected_version=form.cleaned_data["version"])

    return _act(
        request, pk, forms.VersionForm, act=act, done=_("Vous prenez en charge cette demande.")
    )


@require_POST
@allow(roles(*RESPONDERS))
def request_reassign(request: HttpRequest, pk: int) -> HttpResponseBase:
    def act(advice: AdviceRequest, form: forms.ReassignForm, by: User) -> None:
        services.reassign(
            request=advice,
            to=form.cleaned_data["to"],
            by=by,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )

    return _act(
        request,
        pk,
        forms.ReassignForm,
        act=act,
        done=_("Demande réattribuée."),
        kept_as="reassign_form",
    )


@require_POST
@allow(roles(*RESPONDERS))
def request_ask(request: HttpRequest, pk: int) -> HttpResponseBase:
    def act(advice: AdviceRequest, form: forms.AskForm, by: User) -> None:
        services.ask_requester(
            request=advice,
            by=by,
            text=form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"],
        )

    return _act(
        request,
        pk,
        forms.AskForm,
        act=act,
        done=_("Votre question est envoyée au demandeur."),
        kept_as="ask_form",
    )


@require_POST
@allow(roles(*RESPONDERS))
def request_answer(request: HttpRequest, pk: int) -> HttpResponseBase:
    def act(advice: AdviceRequest, form: forms.AnswerForm, by: User) -> None:
        services.give_answer(
            request=advice,
            by=by,
            recommendation=form.cleaned_data["recommendation"],
            agents=form.agents(),
            duration_days=form.cleaned_data["duration_days"],
            text=form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"],
            documents=list(form.cleaned_data["documents"]),
            pathways=list(form.cleaned_data["pathways"]),
        )

    return _act(
        request,
        pk,
        forms.AnswerForm,
        act=act,
        done=_("Votre avis est enregistré et envoyé au demandeur."),
        kept_as="answer_form",
    )


@require_POST
@allow(roles(*RESPONDERS))
def request_close(request: HttpRequest, pk: int) -> HttpResponseBase:
    def act(advice: AdviceRequest, form: forms.CloseForm, by: User) -> None:
        advice.close(
            by=by, expected_version=form.cleaned_data["version"], reason=form.cleaned_data["reason"]
        )

    return _act(request, pk, forms.CloseForm, act=act, done=_("Demande close."))


@require_POST
@allow(roles(*RESPONDERS))
def request_reopen(request: HttpRequest, pk: int) -> HttpResponseBase:
    def act(advice: AdviceRequest, form: forms.VersionForm, by: User) -> None:
        advice.reopen(by=by, expected_version=form.cleaned_data["version"])

    return _act(request, pk, forms.VersionForm, act=act, done=_("Demande rouverte."))


@allow(roles(*RESPONDERS))
def request_coding(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Correct the coded context, on its own page (the request page stays light)."""
    advice = _visible(request, pk)
    if request.method != "POST":
        form = forms.CodingForm(initial=forms.CodingForm.initial_for(advice))
        return render(request, "advice/coding_form.html", {"advice": advice, "form": form})
    form = forms.CodingForm(request.POST)
    if not form.is_valid():
        return render(
            request, "advice/coding_form.html", {"advice": advice, "form": form}, status=400
        )
    try:
        changed = advice.edit_coding(
            by=_user(request), changes=form.changes(), expected_version=form.cleaned_data["version"]
        )
    except VersionConflict as exc:
        data = request.POST.copy()
        data["version"] = str(exc.request.version)
        form.data = data
        return render(
            request,
            "advice/coding_form.html",
            {"advice": exc.request, "form": form, "conflict": exc, "conflict_changes": exc.changes},
            status=409,
        )
    if changed:
        messages.success(request, _("Codage corrigé."))
    else:
        messages.info(request, _("Aucun changement."))
    return redirect("advice:request-detail", pk=pk)


@allow(roles(*RESPONDERS))
def phone_create(request: HttpRequest) -> HttpResponse:
    """A phone advice recorded in under a minute: context, question and answer at once."""
    user = _user(request)
    if request.method == "POST":
        form = forms.PhoneAdviceForm(request.POST)
        if form.is_valid():
            created = services.record_phone_advice(
                by=user,
                fields=form.request_fields(),
                received_at=form.cleaned_data["received_at"],
                recommendation=form.cleaned_data["recommendation"],
                agents=form.agents(),
                duration_days=form.cleaned_data["duration_days"],
                text=form.cleaned_data["text"],
                close=form.cleaned_data["close"],
            )
            messages.success(request, _("Avis téléphonique enregistré."))
            return redirect("advice:request-detail", pk=created.pk)
        return render(request, "advice/phone_form.html", {"form": form}, status=400)
    initial = {}
    departement = Membership.of(user).territories.filter(kind=Territory.Kind.DEPARTEMENT).first()
    if departement is not None:
        initial["departement"] = departement.code
    return render(
        request, "advice/phone_form.html", {"form": forms.PhoneAdviceForm(initial=initial)}
    )


# --- the requester's side (logged in, or by the signed link) ------------------------------


def _requester_action(
    request: HttpRequest, advice: AdviceRequest, *, by: User | None, action_url: str, done_url: str
) -> HttpResponse:
    """Reply, attach or fill the survey, from the requester's page."""
    action = request.POST.get("action")
    overrides: dict[str, Any] = {}
    try:
        if action == "reply":
            reply_form = forms.ReplyForm(request.POST)
            if reply_form.is_valid():
                services.requester_reply(
                    request=advice, text=reply_form.cleaned_data["text"], by=by
                )
                messages.success(request, _("Votre réponse est transmise à l'infectiologue."))
                return HttpResponseRedirect(done_url)
            overrides["reply_form"] = reply_form
        elif action == "survey":
            survey_form = forms.SurveyForm(request.POST)
            if survey_form.is_valid():
                advice.record_survey(
                    followed=survey_form.cleaned_data["followed"],
                    outcome=survey_form.cleaned_data["outcome"],
                    comment=survey_form.cleaned_data["comment"],
                    by=by,
                )
                messages.success(request, _("Merci d'avoir répondu au questionnaire de suivi."))
                return HttpResponseRedirect(done_url)
            overrides["survey_form"] = survey_form
        elif action == "attach":
            attach_form = forms.RequesterAttachForm(request.POST, request.FILES)
            if attach_form.is_valid() and attach_form.valid_files:
                services.add_attachments(
                    request=advice, files=attach_form.valid_files, by=by, from_requester=True
                )
                messages.success(request, _("Pièce jointe ajoutée."))
                return HttpResponseRedirect(done_url)
            overrides["attach_form"] = attach_form
        else:
            raise Http404
    except StateError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(done_url)
    return render(
        request,
        "advice/request_detail.html",
        {
            **_requester_context(advice, action_url=action_url, **overrides),
            "events": _events(advice),
        },
        status=400,
    )


@require_POST
@allow(roles(Role.REQUESTER))
def request_requester(request: HttpRequest, pk: int) -> HttpResponseBase:
    advice = _visible(request, pk)
    url = reverse("advice:request-requester", args=[pk])
    return _requester_action(
        request,
        advice,
        by=_user(request),
        action_url=url,
        done_url=reverse("advice:request-detail", args=[pk]),
    )


def _from_token(token: str) -> AdviceRequest:
    try:
        found = tokens.read_follow_token(token)
    except tokens.BadToken:
        raise Http404 from None
    if found.status == Status.UNCONFIRMED:
        raise Http404
    return _load(AdviceRequest.objects.all(), found.pk)


@allow(PUBLIC)
def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The requester's page, opened by the signed link of their e-mails."""
    try:
        advice = _from_token(token)
    except Http404:
        return render(request, "advice/bad_link.html", status=404)
    url = reverse("advice:follow", args=[token])
    if request.method == "POST":
        return _requester_action(request, advice, by=None, action_url=url, done_url=url)
    return render(
        request,
        "advice/request_detail.html",
        {**_requester_context(advice, action_url=url), "events": _events(advice), "token": token},
    )


@require_POST
@allow(roles(*RESPONDERS))
def request_attach(request: HttpRequest, pk: int) -> HttpResponseBase:
    advice = _visible(request, pk)
    form = forms.RequesterAttachForm(request.POST, request.FILES)
    if not form.is_valid() or not form.valid_files:
        return _invalid(request, pk=pk, attach_form=form)
    services.add_attachments(
        request=advice, files=form.valid_files, by=_user(request), from_requester=False
    )
    messages.success(request, _("Pièce jointe ajoutée."))
    return redirect("advice:request-detail", pk=pk)


def _send_file(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@allow(roles(*ADVICE_ROLES))
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = get_object_or_404(
        Attachment.objects.filter(request__in=AdviceRequest.objects.visible_to(_user(request))),
        pk=pk,
    )
    return _send_file(attachment)


@allow(PUBLIC)
def follow_attachment(request: HttpRequest, token: str, pk: int) -> HttpResponseBase:
    advice = _from_token(token)
    return _send_file(get_object_or_404(advice.attachments.all(), pk=pk))
