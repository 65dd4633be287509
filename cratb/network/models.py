"""Directory of the regional network. The foundation holds territories and
organisations; people, roles and coverage agreements come with the network issue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Territory(models.Model):
    """A region or a département, by its INSEE COG code."""

    class Kind(models.TextChoices):
        REGION = "region", _("Région")
        DEPARTEMENT = "departement", _("Département")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code INSEE"), max_length=5)
    name = models.CharField(_("nom"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("région"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("année de la population"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="territory_unique_kind_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Organization(models.Model):
    """A hospital, clinic, nursing home, lab, CPTS, EMA team or the CRAtb itself."""

    class Kind(models.TextChoices):
        CRATB = "cratb", _("CRAtb")
        HOSPITAL = "hospital", _("Établissement de santé")
        CLINIC = "clinic", _("Clinique")
        NURSING_HOME = "nursing_home", _("EHPAD")
        LAB = "lab", _("Laboratoire de biologie médicale")
        CPTS = "cpts", _("CPTS")
        EMA = "ema", _("Équipe multidisciplinaire en antibiothérapie (EMA)")
        AGENCY = "agency", _("Agence ou assurance maladie")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    finess = models.CharField(_("FINESS"), max_length=9, blank=True)
    departement = models.ForeignKey(
        Territory,
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        limit_choices_to={"kind": Territory.Kind.DEPARTEMENT},
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
