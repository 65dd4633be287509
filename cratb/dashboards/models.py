"""Indicator values published from the engine to the web database.

A ``Publication`` is one run of the catalogue over chosen years (from ``cratb indicators
publish`` or a background job started from the web); it records who asked, its progress,
the reference editions used and its warnings. Its values (``IndicatorValue``) replace, for
the indicators and years it covers, the values of earlier publications, so the pages always
show one consistent computation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cratb.accounts.models import Role
from cratb.engine.sources import KINDS
from cratb.jobs import Job, status_field
from cratb.network.models import Membership, Territory

if TYPE_CHECKING:
    from cratb.accounts.models import User


class Publication(Job):
    """One run of the indicator catalogue over chosen years (a job: ``cratb.jobs``)."""

    status = status_field(done=_("Terminée"))
    backend = models.CharField(_("moteur"), max_length=10, default="duckdb")
    years = models.JSONField(_("années"), default=list, blank=True)
    indicators = models.JSONField(_("indicateurs"), default=list, blank=True)
    editions = models.JSONField(_("éditions des référentiels"), default=dict, blank=True)
    warnings = models.JSONField(_("avertissements"), default=list, blank=True)
    values_count = models.PositiveIntegerField(_("valeurs publiées"), default=0)

    class Meta(Job.Meta):
        verbose_name = _("publication d'indicateurs")
        verbose_name_plural = _("publications d'indicateurs")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} — {self.get_status_display()}"


class IndicatorValueQuerySet(models.QuerySet["IndicatorValue"]):
    def visible_to(self, user: User) -> IndicatorValueQuerySet:
        """Values a user may read: rows about one prescriber only for the CRAtb's
        coordination and the administrator; rows of a département only within the user's
        territories (a region covers its départements), regional rows for everyone."""
        qs = self
        if user.role not in (Role.COORDINATOR, Role.ADMIN):
            qs = qs.filter(individual=False)
        if user.role == Role.ADMIN:
            return qs
        mine = Membership.of(user).territories.all()
        codes = Territory.objects.filter(Q(pk__in=mine) | Q(parent__in=mine)).values("code")
        return qs.filter(Q(departement="") | Q(departement__in=codes))

    def current(self) -> IndicatorValueQuerySet:
        return self.filter(publication__status=Publication.Status.DONE)


class IndicatorValue(models.Model):
    """One row of an indicator table (CONTRACTS.md section 3) for one period."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.CharField(_("indicateur"), max_length=80)
    grouping = models.CharField(_("regroupement"), max_length=200, blank=True)
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    month = models.CharField(_("mois"), max_length=7, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    region = models.CharField(_("région"), max_length=3, blank=True)
    dimensions = models.JSONField(_("autres colonnes"), default=dict, blank=True)
    individual = models.BooleanField(_("ligne d'un prescripteur"), default=False)
    numerator = models.FloatField(_("numérateur"), null=True, blank=True)
    denominator = models.FloatField(_("dénominateur"), null=True, blank=True)
    value = models.FloatField(_("valeur"), null=True, blank=True)
    ci_low = models.FloatField(_("IC 95 % bas"), null=True, blank=True)
    ci_high = models.FloatField(_("IC 95 % haut"), null=True, blank=True)
    extra = models.JSONField(_("compléments"), default=dict, blank=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateurs")
        ordering = ["indicator", "grouping", "year", "month", "departement", "id"]
        indexes = [
            models.Index(fields=["indicator", "grouping", "year"], name="value_indicator_idx"),
            models.Index(fields=["departement"], name="value_departement_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.grouping or 'total'} {self.period_start}: {self.value}"

    def dimension_items(self) -> list[tuple[str, Any]]:
        """The other --by columns, with the names the pages give them."""
        from cratb.engine.dimensions import column_label

        language = get_language()
        return sorted((column_label(k, language=language), v) for k, v in self.dimensions.items())


def _upload_path(instance: DataImport, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{filename}"


#: The name each input kind of the engine (``cratb.engine.sources.KINDS``) bears on the
#: import page; a kind without one stops the platform at start-up.
KIND_LABELS = {
    "dispensations": _("Délivrances en ville (dispensations)"),
    "products": _("Catalogue des produits (products)"),
    "population": _("Population (population)"),
    "hospital_consumption": _("Consommation des établissements (hospital_consumption)"),
    "patient_days": _("Journées d'hospitalisation (patient_days)"),
    "isolates": _("Résultats d'antibiogrammes (isolates)"),
    "rapid_tests": _("Tests rapides : TROD angine, bandelettes urinaires (rapid_tests)"),
    "rapid_test_kits": _("Kits de tests rapides commandés (rapid_test_kits)"),
    "rapid_test_places": _("Répertoire des lieux de tests rapides (rapid_test_places)"),
}


class DataImport(Job):
    """A file uploaded from the web and imported into the warehouse by a background job
    (``cratb.jobs``), with the import's report (counts, first rejections and their
    reasons)."""

    #: The engine's input kinds, in its order (Django's functional form of choices, which
    #: the type stubs do not describe).
    Kind = models.TextChoices(  # type: ignore[call-overload]
        "Kind", [(kind.upper(), (kind, KIND_LABELS[kind])) for kind in KINDS]
    )

    status = status_field(refused=_("Fichier refusé"))
    kind = models.CharField(_("type de fichier"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("fichier"), upload_to=_upload_path)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    hash_ids = models.BooleanField(_("identifiants hachés"), default=False)
    read = models.PositiveBigIntegerField(_("lignes lues"), null=True, blank=True)
    accepted = models.PositiveBigIntegerField(_("lignes acceptées"), null=True, blank=True)
    rejected = models.PositiveBigIntegerField(_("lignes rejetées"), null=True, blank=True)
    already_imported = models.BooleanField(_("déjà importé"), default=False)
    report = models.JSONField(_("rapport"), default=dict, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"
