"""Indicator values published from the engine to the web database.

A ``Publication`` is one run of the catalogue over chosen years (from ``cratb indicators
publish`` or a background job started from the web); it records who asked, its progress,
the reference editions used and its warnings. Its values (``IndicatorValue``) replace, for
the indicators and years it covers, the values of earlier publications, so the pages always
show one consistent computation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cratb.accounts.models import Role

if TYPE_CHECKING:
    from cratb.accounts.models import User


class Publication(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        FAILED = "failed", _("Échec")

    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publications",
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    backend = models.CharField(_("moteur"), max_length=10, default="duckdb")
    years = models.JSONField(_("années"), default=list, blank=True)
    indicators = models.JSONField(_("indicateurs"), default=list, blank=True)
    steps_done = models.PositiveIntegerField(_("étapes faites"), default=0)
    steps_total = models.PositiveIntegerField(_("étapes prévues"), default=0)
    message = models.TextField(_("message"), blank=True)
    editions = models.JSONField(_("éditions des référentiels"), default=dict, blank=True)
    warnings = models.JSONField(_("avertissements"), default=list, blank=True)
    values_count = models.PositiveIntegerField(_("valeurs publiées"), default=0)

    class Meta:
        verbose_name = _("publication d'indicateurs")
        verbose_name_plural = _("publications d'indicateurs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} — {self.get_status_display()}"

    @property
    def percent(self) -> int:
        if not self.steps_total:
            return 0
        return min(100, round(100 * self.steps_done / self.steps_total))

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def start(self, *, steps_total: int, years: list[int]) -> None:
        self.status = self.Status.RUNNING
        self.started_at = timezone.now()
        self.steps_total = steps_total
        self.years = years
        self.save(update_fields=["status", "started_at", "steps_total", "years"])

    def advance(self, *, message: str) -> None:
        self.steps_done += 1
        self.message = message
        self.save(update_fields=["steps_done", "message"])

    def fail(self, message: str) -> None:
        self.status = self.Status.FAILED
        self.finished_at = timezone.now()
        self.message = message
        self.save(update_fields=["status", "finished_at", "message"])


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
        from cratb.network.models import Territory

        mine = user.territories.all()
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


class DataImport(models.Model):
    """A file uploaded from the web and imported into the warehouse by a background job,
    with the import's report (counts, first rejections and their reasons)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        REFUSED = "refused", _("Fichier refusé")
        FAILED = "failed", _("Échec")

    class Kind(models.TextChoices):
        DISPENSATIONS = "dispensations", _("Délivrances en ville (dispensations)")
        PRODUCTS = "products", _("Catalogue des produits (products)")
        POPULATION = "population", _("Population (population)")
        HOSPITAL_CONSUMPTION = (
            "hospital_consumption",
            _("Consommation des établissements (hospital_consumption)"),
        )
        PATIENT_DAYS = "patient_days", _("Journées d'hospitalisation (patient_days)")
        ISOLATES = "isolates", _("Résultats d'antibiogrammes (isolates)")

    created_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_imports",
    )
    kind = models.CharField(_("type de fichier"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("fichier"), upload_to=_upload_path)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    hash_ids = models.BooleanField(_("identifiants hachés"), default=False)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("étape"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    read = models.PositiveBigIntegerField(_("lignes lues"), null=True, blank=True)
    accepted = models.PositiveBigIntegerField(_("lignes acceptées"), null=True, blank=True)
    rejected = models.PositiveBigIntegerField(_("lignes rejetées"), null=True, blank=True)
    already_imported = models.BooleanField(_("déjà importé"), default=False)
    report = models.JSONField(_("rapport"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def set_stage(self, stage: str) -> None:
        self.status = self.Status.RUNNING
        self.stage = stage
        self.save(update_fields=["status", "stage"])

    def finish(self, *, status: str, message: str = "") -> None:
        self.status = status
        self.message = message
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "message", "finished_at"])
