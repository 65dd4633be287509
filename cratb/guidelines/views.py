"""Guidelines pages: the public repository (search, a page per syndrome with its care
pathway, a page per document and its PDF), and coordination's editing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cratb.accounts.access import PUBLIC, STAFF_ROLES, allow, roles
from cratb.engine import reference
from cratb.engine.ast.rules import RuleError, Ruleset, load_rules
from cratb.guidelines.forms import DocumentForm, PathwayForm, StepFormSet
from cratb.guidelines.models import (
    Document,
    Pathway,
    PathwayStep,
    Sector,
    VersionError,
    may_read_restricted,
)
from cratb.guidelines.syndromes import Syndrome
from cratb.network.models import Organization

#: Coordination edits the repository.
EDITORS = roles(*STAFF_ROLES)
PAGE_SIZE = 30


def _readable(request: HttpRequest, document: Document) -> HttpResponseBase | None:
    """None when the visitor may read ``document``; else the login page (signed out) or a
    refusal (an account that is not a professional's)."""
    if not document.restricted or may_read_restricted(request.user):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


# --- public ------------------------------------------------------------------------------


@allow(PUBLIC)
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    sector = request.GET.get("secteur", "")
    syndrome = request.GET.get("syndrome", "")
    documents = Document.objects.current().visible_to(request.user)
    if query:
        documents = documents.search(query)
    if sector in Sector.values:
        documents = documents.filter(sector__in=(sector, Sector.ALL))
    if syndrome in Syndrome.values:
        documents = documents.filter(syndrome=syndrome)
    covered = set(
        Document.objects.current().visible_to(request.user).values_list("syndrome", flat=True)
    )
    covered |= set(Pathway.objects.values_list("syndrome", flat=True))
    page = Paginator(documents.order_by("-published_on", "title"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    filters = {k: v for k, v in (("q", query), ("secteur", sector), ("syndrome", syndrome)) if v}
    return render(
        request,
        "guidelines/index.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "sector": sector,
            "syndrome": syndrome,
            "sectors": Sector.choices,
            "syndromes": Syndrome.choices,
            "syndrome_pages": [(c, label) for c, label in Syndrome.choices if c in covered],
            "searched": bool(query or sector or syndrome),
            "signed_in": may_read_restricted(request.user),
            "editor": getattr(request.user, "role", None) in STAFF_ROLES,
        },
    )


@allow(PUBLIC)
def document_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = get_object_or_404(Document, pk=pk)
    refused = _readable(request, document)
    if refused is not None:
        return refused
    return render(
        request,
        "guidelines/document.html",
        {
            "document": document,
            "latest": document.latest(),
            "history": document.history(),
            "editor": getattr(request.user, "role", None) in STAFF_ROLES,
        },
    )


@allow(PUBLIC)
def document_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = get_object_or_404(Document, pk=pk)
    refused = _readable(request, document)
    if refused is not None:
        return refused
    if not document.file:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / document.file.name
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        content_type="application/pdf",
        filename=document.file_name or f"document-{document.pk}.pdf",
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline"
    )
    if document.restricted:
        response["Cache-Control"] = "private, no-store"
    return response


def rules_in_use() -> Ruleset | None:
    try:
        return load_rules(rules_dir=settings.CRATB_ENGINE.rules_dir)
    except RuleError:
        return None


@allow(PUBLIC)
def syndrome_page(request: HttpRequest, code: str) -> HttpResponse:
    if code not in Syndrome.values:
        raise Http404
    pathway = Pathway.objects.filter(syndrome=code).select_related("protocol").first()
    steps: list[PathwayStep] = []
    ema: list[Organization] = []
    rule: dict[str, Any] | None = None
    if pathway is not None:
        steps = list(pathway.steps.select_related("organization"))
        if any(s.contact == PathwayStep.Contact.EMA for s in steps):
            ema = list(
                Organization.objects.filter(kind=Organization.Kind.EMA).order_by("name")[:30]
            )
        if pathway.ast_situation:
            rule = _rule(pathway.ast_situation)
    protocol = pathway.protocol if pathway else None
    if protocol is not None and protocol.restricted and not may_read_restricted(request.user):
        protocol = None
    return render(
        request,
        "guidelines/syndrome.html",
        {
            "code": code,
            "label": Syndrome(code).label,
            "pathway": pathway,
            "protocol": protocol,
            "steps": steps,
            "ema": ema,
            "rule": rule,
            "documents": Document.objects.current()
            .visible_to(request.user)
            .filter(syndrome=code)
            .order_by("-published_on"),
        },
    )


def _agent_name(whonet: str) -> str:
    """« amoxicilline (AMX) »: the French name of a WHONET code, or the code alone."""
    agent = reference.by_whonet(whonet)
    return f"{agent.name_fr} ({whonet})" if agent else whonet


def _rule(situation: str) -> dict[str, Any] | None:
    """The targeted-reporting rule of ``situation``: its ranks of agents and their sources."""
    rules = rules_in_use()
    if rules is None or situation not in rules.situations:
        return None
    found = rules.situations[situation]
    ranks = [
        {
            "rank": i,
            "agents": ", ".join(_agent_name(code) for code in tier.agents),
            "source": rules.sources.get(tier.source, ""),
        }
        for i, tier in enumerate(found.tiers, start=1)
    ]
    following = []
    code = found.next
    while code and code in rules.situations and code not in following:
        following.append(code)
        code = rules.situations[code].next
    return {
        "label": found.label,
        "ruleset": rules.label,
        "ranks": ranks,
        "next": [rules.situations[c].label for c in following],
        "esbl": rules.esbl_comment if situation in rules.esbl_situations else "",
    }


# --- coordination ------------------------------------------------------------------------


@allow(EDITORS)
def manage(request: HttpRequest) -> HttpResponse:
    """Every document and pathway, with how many answers to advice requests cited it."""
    documents = Document.objects.annotate(uses=Count("answers", distinct=True)).order_by(
        "title", "-version"
    )
    pathways = Pathway.objects.annotate(uses=Count("answers", distinct=True))
    return render(
        request,
        "guidelines/manage.html",
        {"documents": documents, "pathways": pathways},
    )


def _document_form(
    request: HttpRequest,
    form: DocumentForm,
    *,
    title: str,
    back: str,
    save: Any,
    notice: str = "",
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except VersionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Enregistré : %(name)s.") % {"name": saved})
            return redirect("guidelines:document", pk=saved.pk)
    return render(
        request,
        "guidelines/document_form.html",
        {"form": form, "title": title, "back": back, "notice": notice},
    )


@allow(EDITORS)
def document_create(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None)

    def save(form: DocumentForm) -> Document:
        document = form.build(by=request.user)
        document.save()
        return document

    return _document_form(
        request, form, title=_("Nouveau document"), back=reverse("guidelines:manage"), save=save
    )


@allow(EDITORS)
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a document's description (its file changes only with a new version)."""
    document = get_object_or_404(Document, pk=pk)
    form = DocumentForm(request.POST or None, instance=document, with_file=False)

    def save(form: DocumentForm) -> Document:
        saved: Document = form.save()
        return saved

    return _document_form(
        request,
        form,
        title=_("Modifier : %(name)s") % {"name": document},
        back=reverse("guidelines:document", kwargs={"pk": pk}),
        save=save,
    )


@allow(EDITORS)
def document_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version: the old one stays reachable, marked superseded."""
    document = get_object_or_404(Document, pk=pk)
    initial = {
        name: getattr(document, name)
        for name in (
            "title",
            "summary",
            "sector",
            "syndrome",
            "audience",
            "source",
            "restricted",
            "url",
        )
    }
    form = DocumentForm(request.POST or None, request.FILES or None, initial=initial)
    notice = ""
    if document.superseded:
        notice = _("Cette version est déjà remplacée : partez de la dernière version (v%(v)s).") % {
            "v": document.latest().version
        }

    def save(form: DocumentForm) -> Document:
        return document.new_version(form.build(by=request.user))

    return _document_form(
        request,
        form,
        title=_("Nouvelle version : %(name)s") % {"name": document},
        back=reverse("guidelines:document", kwargs={"pk": pk}),
        save=save,
        notice=notice,
    )


def _pathway_form(request: HttpRequest, pathway: Pathway | None) -> HttpResponse:
    form = PathwayForm(request.POST or None, instance=pathway)
    steps = StepFormSet(request.POST or None, instance=pathway or Pathway(), prefix="steps")
    directory = Organization.objects.filter(
        kind__in=(Organization.Kind.CRATB, Organization.Kind.EMA, Organization.Kind.HOSPITAL)
    ).order_by("name")
    for index, step in enumerate(steps.forms, start=1):
        step.fields["organization"].queryset = directory  # type: ignore[attr-defined]
        if step.instance.pk is None:
            step.initial["order"] = index  # a new step comes after the others
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        with transaction.atomic():
            saved = form.save()
            steps.instance = saved
            steps.save()
        messages.success(request, _("Enregistré : %(name)s.") % {"name": saved})
        return redirect("guidelines:syndrome", code=saved.syndrome)
    title = (
        _("Modifier : %(name)s") % {"name": pathway} if pathway else _("Nouvelle fiche parcours")
    )
    return render(
        request,
        "guidelines/pathway_form.html",
        {"form": form, "steps": steps, "title": title, "back": reverse("guidelines:manage")},
    )


@allow(EDITORS)
def pathway_create(request: HttpRequest) -> HttpResponse:
    return _pathway_form(request, None)


@allow(EDITORS)
def pathway_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _pathway_form(request, get_object_or_404(Pathway, pk=pk))
