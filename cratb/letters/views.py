"""The news pages and feed, the public subscription (double opt-in, one-click
unsubscription), and coordination's editing and sending of news and letters."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.mail import EmailMessage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cratb.accounts.access import PUBLIC, STAFF_ROLES, allow, roles
from cratb.letters import audiences, sending, tokens
from cratb.letters.feeds import NewsFeed
from cratb.letters.forms import LetterForm, NewsForm, SubscribeForm
from cratb.letters.models import Bounce, Consent, Letter, NewsItem
from cratb.letters.tasks import schedule
from cratb.security import rate_limited

EDITORS = roles(*STAFF_ROLES)
logger = logging.getLogger(__name__)
FORM_SOURCE = "formulaire du site public"


def _notice(request: HttpRequest, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(request, "letters/notice.html", {"title": title, "text": text}, status=status)


# --- public ----------------------------------------------------------------------------------


@allow(PUBLIC)
def news_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(NewsItem.objects.published(), 10).get_page(request.GET.get("page"))
    editor = getattr(request.user, "role", None) in STAFF_ROLES
    return render(request, "letters/news_list.html", {"page": page, "editor": editor})


@allow(PUBLIC)
def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    editor = getattr(request.user, "role", None) in STAFF_ROLES
    items = NewsItem.objects.all() if editor else NewsItem.objects.published()
    item = get_object_or_404(items, pk=pk)
    return render(request, "letters/news_detail.html", {"item": item, "editor": editor})


feed = allow(PUBLIC)(NewsFeed())


@allow(PUBLIC)
@rate_limited("CRATB_RATE_LETTERS_SUBSCRIBE")
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        with transaction.atomic():
            Consent.objects.create(email=email, action=Consent.Action.REQUESTED, source=FORM_SOURCE)
        link = tokens.absolute("letters:confirm", tokens.confirm_token(email))
        body = _(
            "Bonjour,\n\nVous avez demandé à recevoir les lettres du CRAtb à cette adresse."
            " Pour confirmer votre inscription, ouvrez ce lien (valable 7 jours) :\n%(link)s\n\n"
            "Si vous n'avez rien demandé, ignorez ce message : vous ne recevrez rien.\n\n"
            "L'équipe du CRAtb\n"
        ) % {"link": link}
        try:
            EmailMessage(
                _("CRAtb — confirmez votre inscription aux lettres"),
                body,
                settings.DEFAULT_FROM_EMAIL,
                [email],
            ).send()
        except Exception:
            logger.exception("letters: confirmation mail to a subscriber not sent")
            return _notice(
                request,
                _("Courriel non envoyé"),
                _(
                    "Le courriel de confirmation n'a pas pu être envoyé à %(email)s :"
                    " vérifiez l'adresse ou réessayez plus tard."
                )
                % {"email": email},
                status=503,
            )
        return _notice(
            request,
            _("Vérifiez votre messagerie"),
            _(
                "Un courriel vient d'être envoyé à %(email)s : ouvrez le lien qu'il contient"
                " pour confirmer votre inscription. Sans confirmation, vous ne recevrez rien."
            )
            % {"email": email},
        )
    return render(
        request,
        "letters/subscribe.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@allow(PUBLIC)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = tokens.read_confirm(token)
    except tokens.LinkError as exc:
        return _notice(request, _("Lien invalide"), str(exc), status=400)
    if Consent.last_action(email) == Consent.Action.CONFIRMED:
        return _notice(
            request, _("Inscription déjà confirmée"), _("Vous recevez déjà les lettres du CRAtb.")
        )
    Consent.objects.create(
        email=email, action=Consent.Action.CONFIRMED, source="lien de confirmation"
    )
    return _notice(
        request,
        _("Inscription confirmée"),
        _(
            "Vous recevrez les lettres du CRAtb à %(email)s. Chaque lettre porte un lien"
            " pour vous désinscrire en un clic."
        )
        % {"email": email},
    )


@csrf_exempt  # the token authenticates; mail clients post List-Unsubscribe=One-Click
@allow(PUBLIC)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = tokens.read_unsubscribe(token)
    except tokens.LinkError as exc:
        return _notice(request, _("Lien invalide"), str(exc), status=400)
    if request.method != "POST":
        return render(request, "letters/unsubscribe.html", {"email": email})
    if Consent.last_action(email) != Consent.Action.WITHDRAWN:
        Consent.objects.create(
            email=email, action=Consent.Action.WITHDRAWN, source="lien de désinscription"
        )
    return _notice(
        request,
        _("Désinscription faite"),
        _("%(email)s ne recevra plus les lettres du CRAtb.") % {"email": email},
    )


# --- coordination ----------------------------------------------------------------------------


@allow(EDITORS)
def manage(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "letters/manage.html",
        {
            "news": NewsItem.objects.all()[:50],
            "letters": Letter.objects.all()[:50],
            "subscribers": len(Consent.subscribed()),
            "consents": Consent.objects.all()[:20],
            "bounces": Bounce.objects.count(),
        },
    )


def _news_form(request: HttpRequest, item: NewsItem | None) -> HttpResponse:
    form = NewsForm(request.POST if request.method == "POST" else None, instance=item)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Enregistré : %(name)s.") % {"name": saved})
        return redirect("letters:news", pk=saved.pk)
    title = _("Modifier l'actualité") if item else _("Nouvelle actualité")
    return render(
        request,
        "letters/form.html",
        {"form": form, "title": title},
        status=400 if form.is_bound else 200,
    )


@allow(EDITORS)
def news_create(request: HttpRequest) -> HttpResponse:
    return _news_form(request, None)


@allow(EDITORS)
def news_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _news_form(request, get_object_or_404(NewsItem, pk=pk))


def _letter_form(request: HttpRequest, letter: Letter | None) -> HttpResponse:
    if letter is not None and not letter.is_draft:
        return _notice(
            request, _("Lettre déjà envoyée"), _("Une lettre envoyée ne se modifie plus."), 409
        )
    form = LetterForm(request.POST if request.method == "POST" else None, instance=letter)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if saved.requested_by_id is None:
            saved.requested_by = request.user
        saved.save()
        form.save_m2m()
        return redirect("letters:letter", pk=saved.pk)
    title = _("Modifier la lettre") if letter else _("Nouvelle lettre")
    return render(
        request,
        "letters/form.html",
        {"form": form, "title": title},
        status=400 if form.is_bound else 200,
    )


@allow(EDITORS)
def letter_create(request: HttpRequest) -> HttpResponse:
    return _letter_form(request, None)


@allow(EDITORS)
def letter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _letter_form(request, get_object_or_404(Letter, pk=pk))


@allow(EDITORS)
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview (the text as sent), the number of recipients, the delivery log."""
    letter = get_object_or_404(Letter, pk=pk)
    context: dict[str, Any] = {
        "letter": letter,
        "preview": sending.body(letter),
        "recipients": len(audiences.recipients(letter)),
        "log": letter.log.all(),
        "per_minute": settings.CRATB_LETTERS_PER_MINUTE,
    }
    return render(request, "letters/letter.html", context)


@require_POST
@allow(EDITORS)
def letter_send(request: HttpRequest, pk: int) -> HttpResponseBase:
    letter = get_object_or_404(Letter, pk=pk)
    if not letter.is_draft:
        return _notice(request, _("Lettre déjà envoyée"), _("Cette lettre est déjà partie."), 409)
    try:
        sending.check_audience(letter)
    except sending.EmptyAudience as exc:
        return _notice(request, _("Envoi refusé"), str(exc), status=400)
    letter.submitted_at = timezone.now()
    letter.requested_by = request.user  # type: ignore[assignment]
    letter.save(update_fields=["submitted_at", "requested_by"])
    transaction.on_commit(lambda: schedule(letter.pk))
    messages.success(request, _("Envoi lancé : la lettre part en arrière-plan."))
    return redirect("letters:letter", pk=letter.pk)
