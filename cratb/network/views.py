"""Pages of the directory: public "whom to ask", directory, map, gaps, bulk import/export.

Audiences (``@allow``) and row rules (``access.py``):
- the public directory is public;
- the directory (organisations, people, territories) is for the coordination, the EMA
  members and the administrator; contact details follow ``access.contact_visible_ids``;
- the map and the gap analysis are aggregates: the agency sees them too;
- creating, editing and bulk import/export are for the coordination and the administrator.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cratb.accounts.access import PUBLIC, allow, roles
from cratb.accounts.models import Role
from cratb.accounts.navigation import may_see
from cratb.engine import reference
from cratb.network import bulk, directory, gaps, history, pending
from cratb.network.access import contact_visible_ids, manages_directory, team_organizations
from cratb.network.forms import (
    AgreementForm,
    ImportForm,
    OrganizationForm,
    PractitionerForm,
    RoleForm,
    TerritoryForm,
)
from cratb.network.maps import Fill, departement_centre, departement_map
from cratb.network.models import (
    CoverageAgreement,
    EditConflict,
    Organization,
    Practitioner,
    PractitionerRole,
    Territory,
    Versioned,
)
from cratb.network.tabular import table_response
from cratb.security import without_paths

#: Home of the section: the directory for the network, the aggregates for the agency.
NETWORK_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.AGENCY_VIEWER, Role.ADMIN)
#: The directory itself names people: for the network's own team.
DIRECTORY_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.ADMIN)
#: Aggregates: map and gap figures.
AGGREGATE_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN)
GAP_ROLES = (Role.COORDINATOR, Role.AGENCY_VIEWER, Role.ADMIN)
MANAGER_ROLES = (Role.COORDINATOR, Role.ADMIN)

PAGE_SIZE = 50

HOME_LINKS = (
    (
        "network:public-directory",
        gettext_lazy("Qui contacter ?"),
        gettext_lazy("Les référents, EMA et infectiologues d'une commune ou d'un établissement."),
    ),
    (
        "network:organization-list",
        gettext_lazy("Organisations"),
        gettext_lazy("Établissements, EHPAD, laboratoires, CPTS et EMA, avec leurs FINESS."),
    ),
    (
        "network:practitioner-list",
        gettext_lazy("Personnes"),
        gettext_lazy("Infectiologues, référents, ambassadeurs : rôles, dates et ETP."),
    ),
    (
        "network:territory-list",
        gettext_lazy("Territoires"),
        gettext_lazy("GHT et territoires de CPTS, avec les communes couvertes."),
    ),
    (
        "network:map",
        gettext_lazy("Carte de couverture"),
        gettext_lazy("ETP pour 1000 lits de court séjour et appui des établissements."),
    ),
    (
        "network:gaps",
        gettext_lazy("Lacunes"),
        gettext_lazy("Établissements sans appui, CPTS sans référent formé, EHPAD sans convention."),
    ),
    (
        "network:import",
        gettext_lazy("Import et export"),
        gettext_lazy("Organisations, personnes et rôles en CSV ou Excel."),
    ),
)


@allow(roles(*NETWORK_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    counts = Organization.objects.aggregate(
        establishments=Count("pk", filter=Q(kind__in=Organization.ESTABLISHMENT_KINDS)),
        ema=Count("pk", filter=Q(kind=Organization.Kind.EMA)),
        cpts=Count("pk", filter=Q(kind=Organization.Kind.CPTS)),
    )
    counts["people"] = Practitioner.objects.count()
    links = [
        (reverse(name), title, text)
        for name, title, text in HOME_LINKS
        if may_see(request.user, name)
    ]
    return render(request, "network/home.html", {"counts": counts, "links": links})


# --- public ------------------------------------------------------------------------------


@allow(PUBLIC)
def public_directory(request: HttpRequest) -> HttpResponse:
    """Whom to ask, for a commune (name, postal or INSEE code) or an establishment."""
    context: dict[str, Any] = {"q": request.GET.get("q", "").strip()}
    code = request.GET.get("commune", "").strip()
    establishment_q = request.GET.get("etablissement", "").strip()
    if code:
        commune = reference.commune(code)
        if commune is None:
            context["error"] = _("Commune inconnue : « %(code)s ».") % {"code": code}
        else:
            context["answer"] = directory.for_commune(commune)
    elif context["q"]:
        found = reference.find_communes(context["q"])
        if len(found) == 1:
            context["answer"] = directory.for_commune(found[0])
        else:
            context["communes"] = found
            if not found:
                context["error"] = _(
                    "Aucune commune ne correspond à « %(q)s » : essayez son nom ou son code postal."
                ) % {"q": context["q"]}
    if establishment_q:
        context["establishment_q"] = establishment_q
        pk = request.GET.get("id")
        if pk and pk.isdigit():
            org = get_object_or_404(Organization, pk=pk, kind__in=Organization.ESTABLISHMENT_KINDS)
            context["establishment_answer"] = directory.for_establishment(org)
        else:
            found_orgs = directory.search_establishments(establishment_q)
            if len(found_orgs) == 1:
                context["establishment_answer"] = directory.for_establishment(found_orgs[0])
            else:
                context["establishments"] = found_orgs
    return render(request, "network/public_directory.html", context)


# --- directory ---------------------------------------------------------------------------


@allow(roles(*DIRECTORY_ROLES))
def organization_list(request: HttpRequest) -> HttpResponse:
    rows = Organization.objects.select_related("departement", "ght").order_by("name")
    kind = request.GET.get("kind", "")
    if kind in Organization.Kind.values:
        rows = rows.filter(kind=kind)
    dep = request.GET.get("departement", "")
    if dep:
        rows = rows.filter(departement__code=dep)
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(finess=q))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/organization_list.html",
        {
            "page": page,
            "kinds": Organization.Kind.choices,
            "departements": Territory.objects.departements()
            .filter(organizations__isnull=False)
            .distinct(),
            "filters": {"kind": kind, "departement": dep, "q": q},
            "may_edit": manages_directory(request.user),
        },
    )


@allow(roles(*DIRECTORY_ROLES))
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(
        Organization.objects.select_related("departement", "ght", "host", "served_territory"),
        pk=pk,
    )
    role_rows = list(
        org.roles.select_related("practitioner").order_by(
            "-end", "function", "practitioner__last_name"
        )
    )
    visible = contact_visible_ids(request.user, [r.practitioner for r in role_rows])
    agreements = CoverageAgreement.objects.select_related("ema", "establishment").filter(
        Q(ema=org) | Q(establishment=org)
    )
    manager = manages_directory(request.user)
    own_team = org.pk in team_organizations(request.user)
    coverage = None
    if org.kind == Organization.Kind.EMA:
        try:
            on = parse_date(request.GET.get("au", ""))
        except ValueError:  # a well-formed but impossible date: today's figures
            on = None
        coverage = gaps.team_coverage(org, on=on)
    return render(
        request,
        "network/organization_detail.html",
        {
            "org": org,
            "roles": role_rows,
            "visible": visible,
            "agreements": agreements if manager or own_team else None,
            "agreement_count": agreements.count(),
            "hosted": org.hosted.all(),
            "may_edit": manager,
            "changes": history.of(org) if manager else None,
            "coverage": coverage,
        },
    )


@allow(roles(*DIRECTORY_ROLES))
def practitioner_list(request: HttpRequest) -> HttpResponse:
    active_roles = Prefetch(
        "roles",
        queryset=PractitionerRole.objects.active().select_related("organization", "territory"),
        to_attr="active_roles",
    )
    rows = Practitioner.objects.prefetch_related(active_roles).order_by("last_name", "first_name")
    function = request.GET.get("function", "")
    if function in PractitionerRole.Function.values:
        rows = rows.filter(roles__function=function).distinct()
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(
            Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(rpps=q.replace(" ", ""))
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/practitioner_list.html",
        {
            "page": page,
            "functions": PractitionerRole.Function.choices,
            "filters": {"function": function, "q": q},
            "visible": contact_visible_ids(request.user, list(page.object_list)),
            "may_edit": manages_directory(request.user),
        },
    )


@allow(roles(*DIRECTORY_ROLES))
def practitioner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Practitioner, pk=pk)
    manager = manages_directory(request.user)
    changes = None
    if manager:
        role_changes = [
            history.changes(
                list(records), model=PractitionerRole, subject=_("Rôle : %(role)s") % {"role": role}
            )
            for role, records in _role_histories(person)
        ]
        changes = history.merged([history.of(person), *role_changes])
    return render(
        request,
        "network/practitioner_detail.html",
        {
            "person": person,
            "changes": changes,
            "roles": person.roles.select_related("organization", "territory").order_by("-start"),
            "contact_visible": person.pk in contact_visible_ids(request.user, [person]),
            "registrations": person.registrations.select_related("session")
            if manages_directory(request.user)
            else None,
            "may_edit": manages_directory(request.user),
        },
    )


def _role_histories(person: Practitioner) -> list[tuple[Any, list[Any]]]:
    """Each of the person's roles (deleted ones included) with its history, newest first."""
    rows = PractitionerRole.history.filter(practitioner_id=person.pk).select_related("history_user")
    by_role: dict[int, list[Any]] = {}
    for record in rows:
        by_role.setdefault(record.id, []).append(record)
    return [(records[0].get_function_display(), records) for records in by_role.values()]


@allow(roles(*DIRECTORY_ROLES))
def territory_list(request: HttpRequest) -> HttpResponse:
    rows = (
        Territory.objects.filter(kind__in=[Territory.Kind.GHT, Territory.Kind.CPTS])
        .select_related("parent")
        .prefetch_related("covered_departements")
        .annotate(commune_count=Count("communes", distinct=True))
        .order_by("kind", "code")
    )
    return render(
        request,
        "network/territory_list.html",
        {"territories": rows, "may_edit": manages_directory(request.user)},
    )


# --- editing -----------------------------------------------------------------------------


def _edit(
    request: HttpRequest,
    *,
    form_class: type[ModelForm[Any]],
    instance: Any = None,
    title: str,
    back: str,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        if isinstance(instance, Versioned):
            try:
                saved = _save_checked(form, instance)
            except EditConflict as exc:
                return _conflict(request, form, exc, title=title, back=back)
        else:
            saved = form.save()
        if isinstance(form, TerritoryForm):
            form.save_communes(saved)
        messages.success(request, _("Enregistré : %(name)s.") % {"name": saved})
        return redirect(_after_save(saved))
    return render(request, "network/form.html", {"form": form, "title": title, "back": back})


def _save_checked(form: ModelForm[Any], instance: Versioned) -> Any:
    """The edit, saved only if nobody saved the record since the version it was made from."""
    saved = form.save(commit=False)
    saved.save_checked(expected_version=form.cleaned_data["version"])
    form.save_m2m()
    return saved


def _conflict(
    request: HttpRequest, form: ModelForm[Any], exc: EditConflict, *, title: str, back: str
) -> HttpResponse:
    """Show what the other person saved and keep this person's input, ready to be sent
    again on top of the current version."""
    data = request.POST.copy()
    data["version"] = str(exc.current.version)  # type: ignore[attr-defined]
    kept = type(form)(data, instance=exc.current)
    kept.is_valid()
    return render(
        request,
        "network/form.html",
        {
            "form": kept,
            "title": title,
            "back": back,
            "conflict": exc,
            "conflict_changes": history.since(exc.current, version=exc.expected),
        },
        status=409,
    )


def _after_save(saved: Any) -> str:
    if isinstance(saved, Organization):
        return reverse("network:organization-detail", args=[saved.pk])
    if isinstance(saved, Practitioner):
        return reverse("network:practitioner-detail", args=[saved.pk])
    if isinstance(saved, PractitionerRole):
        return reverse("network:practitioner-detail", args=[saved.practitioner_id])
    if isinstance(saved, CoverageAgreement):
        return reverse("network:organization-detail", args=[saved.establishment_id])
    return reverse("network:territory-list")


@allow(roles(*MANAGER_ROLES))
def organization_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=OrganizationForm,
        title=_("Nouvelle organisation"),
        back=reverse("network:organization-list"),
    )


@allow(roles(*MANAGER_ROLES))
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    return _edit(
        request,
        form_class=OrganizationForm,
        instance=org,
        title=_("Modifier : %(name)s") % {"name": org},
        back=reverse("network:organization-detail", args=[pk]),
    )


@allow(roles(*MANAGER_ROLES))
def practitioner_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=PractitionerForm,
        title=_("Nouvelle personne"),
        back=reverse("network:practitioner-list"),
    )


@allow(roles(*MANAGER_ROLES))
def practitioner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Practitioner, pk=pk)
    return _edit(
        request,
        form_class=PractitionerForm,
        instance=person,
        title=_("Modifier : %(name)s") % {"name": person},
        back=reverse("network:practitioner-detail", args=[pk]),
    )


@allow(roles(*MANAGER_ROLES))
def role_create(request: HttpRequest) -> HttpResponse:
    initial = {
        key: request.GET[key] for key in ("practitioner", "organization") if request.GET.get(key)
    }
    return _edit(
        request,
        form_class=RoleForm,
        title=_("Nouveau rôle"),
        back=reverse("network:practitioner-list"),
        initial=initial,
    )


@allow(roles(*MANAGER_ROLES))
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(PractitionerRole, pk=pk)
    return _edit(
        request,
        form_class=RoleForm,
        instance=role,
        title=_("Modifier le rôle : %(role)s") % {"role": role},
        back=reverse("network:practitioner-detail", args=[role.practitioner_id]),
    )


@allow(roles(*MANAGER_ROLES))
def agreement_create(request: HttpRequest) -> HttpResponse:
    initial = {key: request.GET[key] for key in ("ema", "establishment") if request.GET.get(key)}
    return _edit(
        request,
        form_class=AgreementForm,
        title=_("Nouvelle convention EMA"),
        back=reverse("network:organization-list"),
        initial=initial,
    )


@allow(roles(*MANAGER_ROLES))
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(CoverageAgreement, pk=pk)
    return _edit(
        request,
        form_class=AgreementForm,
        instance=agreement,
        title=_("Modifier la convention : %(agreement)s") % {"agreement": agreement},
        back=reverse("network:organization-detail", args=[agreement.establishment_id]),
    )


@allow(roles(*MANAGER_ROLES))
def territory_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=TerritoryForm,
        title=_("Nouveau GHT ou territoire de CPTS"),
        back=reverse("network:territory-list"),
    )


@allow(roles(*MANAGER_ROLES))
def territory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    territory = get_object_or_404(
        Territory, pk=pk, kind__in=[Territory.Kind.GHT, Territory.Kind.CPTS]
    )
    return _edit(
        request,
        form_class=TerritoryForm,
        instance=territory,
        title=_("Modifier : %(name)s") % {"name": territory},
        back=reverse("network:territory-list"),
    )


# --- map and gaps ------------------------------------------------------------------------

#: Colour-blind-safe classes (ColorBrewer PuOr), each with a text label in the legend
#: (lazy: translated in the language of each page, not once at import).
FTE_CLASSES = {
    "far": ("#e66101", gettext_lazy("moins de la moitié de la référence"), "cross"),
    "below": ("#fdb863", gettext_lazy("sous la référence"), "lines"),
    "met": ("#5e3c99", gettext_lazy("référence atteinte (3,6 ETP)"), ""),
    "none": ("#d9d9d9", gettext_lazy("aucun lit de court séjour"), "dots"),
}
COVERAGE_CLASSES = {
    "low": ("#e66101", gettext_lazy("moins de 50 % des établissements appuyés"), "cross"),
    "mid": ("#fdb863", gettext_lazy("50 à 89 %"), "lines"),
    "high": ("#5e3c99", gettext_lazy("90 % ou plus"), ""),
    "none": ("#d9d9d9", gettext_lazy("aucun établissement"), "dots"),
}
#: Each CPTS class has its own shape as well as its colour.
CPTS_CLASSES = {
    "ok": ("#1b7837", "circle", gettext_lazy("CPTS avec référent formé (rond)")),
    "untrained": ("#fdb863", "triangle", gettext_lazy("CPTS avec référent non formé (triangle)")),
    "none": ("#b2182b", "square", gettext_lazy("CPTS sans référent (carré)")),
}


@allow(roles(*AGGREGATE_ROLES))
def coverage_map(request: HttpRequest) -> HttpResponse:
    region = directory.current_region(request.user)
    departements = list(
        Territory.objects.departements().filter(parent=region).order_by("code") if region else []
    )
    measure = "coverage" if request.GET.get("mesure") == "couverture" else "fte"
    fte_rows = {row.territory.code: row for row in gaps.fte_by_territory(departements)}
    coverage = gaps.coverage_by_departement()
    table = []
    fills = {}
    for dep in departements:
        fte = fte_rows[dep.code]
        covered = coverage.get(dep.code, gaps.CoverageRow(covered=0, establishments=0))
        if measure == "fte":
            colour, legend, texture = FTE_CLASSES[fte.status]
        else:
            colour, legend, texture = COVERAGE_CLASSES[covered.status]
        fills[dep.code] = Fill(colour, f"{dep.name} ({dep.code}) : {legend}", texture=texture)
        table.append(
            {
                "departement": dep,
                "fte": fte,
                "covered": covered.covered,
                "establishments": covered.establishments,
                "share": covered.share,
                "colour": colour,
                "legend": legend,
                "texture": texture,
            }
        )
    points: list[tuple[float, float, str, str, str] | tuple[float, float, str, str, str, str]] = []
    cpts_table = []
    for row in gaps.cpts_referents(Organization.objects.filter(departement__in=departements)):
        colour, shape, label = CPTS_CLASSES[row.status]
        place = _territory_point(row.cpts.served_territory) or _commune_point(row.cpts.commune_code)
        if place:
            points.append((place[0], place[1], colour, f"{row.cpts.name} : {label}", shape))
        cpts_table.append({"row": row, "colour": colour, "label": label, "shape": shape})
    ght_table = []
    ghts = list(Territory.objects.filter(kind=Territory.Kind.GHT, parent=region).order_by("code"))
    for fte in gaps.fte_by_territory(ghts):
        colour, legend, texture = FTE_CLASSES[fte.status]
        place = _territory_point(fte.territory) or _departements_point(fte.territory)
        if place:
            title = f"{fte.territory.name} : {legend}"
            points.append((place[0], place[1], colour, title, "diamond", texture))
        ght_table.append({"fte": fte, "colour": colour, "legend": legend, "texture": texture})
    svg = departement_map([d.code for d in departements], fills, points=points)
    classes = FTE_CLASSES if measure == "fte" else COVERAGE_CLASSES
    return render(
        request,
        "network/coverage_map.html",
        {
            "region": region,
            "map": svg,
            "measure": measure,
            "legend": list(classes.values()),
            "cpts_legend": [(c, s, label) for c, s, label in CPTS_CLASSES.values()],
            "table": table,
            "cpts_table": cpts_table,
            "ght_table": ght_table,
            "benchmark": gaps.FTE_BENCHMARK,
        },
    )


def _mean(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not points:
        return None
    return sum(x for x, _y in points) / len(points), sum(y for _x, y in points) / len(points)


def _territory_point(territory: Territory | None) -> tuple[float, float] | None:
    """The centre of a territory's communes (their town halls)."""
    if territory is None:
        return None
    places = [reference.commune(c.code) for c in territory.communes.all()]
    return _mean([(p.lon, p.lat) for p in places if p and p.lon is not None and p.lat is not None])


def _departements_point(territory: Territory) -> tuple[float, float] | None:
    centres = [departement_centre(d.code) for d in territory.covered_departements.all()]
    return _mean([c for c in centres if c is not None])


def _commune_point(code: str) -> tuple[float, float] | None:
    place = reference.commune(code) if code else None
    if place and place.lon is not None and place.lat is not None:
        return place.lon, place.lat
    return None


def _gap_tables(request: HttpRequest) -> dict[str, Any]:
    region = directory.current_region(request.user)
    departements = list(
        Territory.objects.departements().filter(parent=region).order_by("code") if region else []
    )
    scope = Organization.objects.filter(departement__in=departements)
    ghts = list(Territory.objects.filter(kind=Territory.Kind.GHT, parent=region).order_by("code"))
    cpts = gaps.cpts_referents(scope)
    return {
        "region": region,
        "uncovered": gaps.uncovered_establishments(scope),
        "fte_departements": gaps.fte_by_territory(departements),
        "fte_ghts": gaps.fte_by_territory(ghts),
        "cpts": cpts,
        "cpts_missing": [row for row in cpts if row.status != "ok"],
        "nursing_homes": gaps.nursing_homes_without_agreement(scope),
        "benchmark": gaps.FTE_BENCHMARK,
        "target": gaps.CPTS_REFERENT_TARGET,
    }


@allow(roles(*GAP_ROLES))
def gap_analysis(request: HttpRequest) -> HttpResponse:
    return render(request, "network/gaps.html", _gap_tables(request))


@allow(roles(*GAP_ROLES))
def gap_export(request: HttpRequest) -> HttpResponse:
    """Every gap in one table: one row per finding, with its kind."""
    tables = _gap_tables(request)
    rows: list[list[Any]] = []
    for org in tables["uncovered"]:
        rows.append(
            [_("établissement sans référent ni EMA"), org.finess, org.name,
             org.get_kind_display(), org.departement.code if org.departement else "",
             "", "", "", ""]
        )  # fmt: skip
    for org in tables["nursing_homes"]:
        rows.append(
            [_("EHPAD sans convention"), org.finess, org.name, org.get_kind_display(),
             org.departement.code if org.departement else "", "", "", "", ""]
        )  # fmt: skip
    for cpts in tables["cpts_missing"]:
        rows.append(
            [_("CPTS sans référent formé"), cpts.cpts.finess, cpts.cpts.name,
             cpts.cpts.get_kind_display(),
             cpts.cpts.departement.code if cpts.cpts.departement else "",
             "", "", "", f"{cpts.trained}/{cpts.referents}"]
        )  # fmt: skip
    for fte in [*tables["fte_departements"], *tables["fte_ghts"]]:
        rows.append(
            [_("ETP pour 1000 lits de court séjour"), "", fte.territory.name,
             fte.territory.get_kind_display(), fte.territory.code, fte.acute_beds, fte.fte,
             fte.per_1000, str(fte.needed)]
        )  # fmt: skip
    columns = [
        "constat", "finess", "nom", "type", "territoire", "lits_court_sejour", "etp",
        "etp_pour_1000_lits", "manque_etp_ou_referents_formes",
    ]  # fmt: skip
    return table_response(
        filename="lacunes-reseau", columns=columns, rows=rows, fmt=request.GET.get("format", "csv")
    )


# --- bulk import and export --------------------------------------------------------------

SESSION_KEY = "network-import"


@allow(roles(*MANAGER_ROLES))
def bulk_import(request: HttpRequest) -> HttpResponse:
    """Upload, preview (every row checked, nothing written), then confirm (one transaction).

    Between the two steps the file waits on disk (cratb/network/pending.py); the session
    holds its token only."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": bulk.COLUMNS, "required": bulk.REQUIRED}
    if request.method == "POST" and request.POST.get("confirm"):
        waiting = request.session.pop(SESSION_KEY, None) or {}
        path = pending.path_of(str(waiting.get("token", "")))
        if path is None:
            messages.error(request, _("Aucun fichier en attente : déposez-le à nouveau."))
            return redirect("network:import")
        kind, filename = waiting["kind"], waiting["filename"]
        try:
            report = bulk.import_rows(kind, bulk.read_table(path, filename=filename), commit=True)
        except bulk.BulkFileError as exc:
            messages.error(request, without_paths(str(exc)))
            return redirect("network:import")
        finally:
            pending.discard(waiting["token"])
        context.update(report=report, filename=filename)
        return render(request, "network/import.html", context)
    if request.method == "POST" and form.is_valid():
        pending.purge()
        previous = request.session.pop(SESSION_KEY, None) or {}
        pending.discard(str(previous.get("token", "")))
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        token = pending.keep(upload)
        path = pending.folder() / token
        try:
            report = bulk.import_rows(
                kind, bulk.read_table(path, filename=upload.name), commit=False
            )
        except bulk.BulkFileError as exc:
            pending.discard(token)
            form.add_error("file", without_paths(str(exc)))
        else:
            request.session[SESSION_KEY] = {
                "token": token,
                "kind": kind,
                "filename": upload.name,
            }
            context.update(report=report, filename=upload.name, preview=True)
    return render(request, "network/import.html", context)


@allow(roles(*MANAGER_ROLES))
def directory_export(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "organizations")
    if kind not in bulk.KINDS:
        raise Http404("kind")
    columns, rows = bulk.export_rows(kind)
    names = {"organizations": "organisations", "practitioners": "personnes", "roles": "roles"}
    return table_response(
        filename=f"annuaire-{names[kind]}", columns=columns, rows=rows,
        fmt=request.GET.get("format", "csv"),
    )  # fmt: skip
