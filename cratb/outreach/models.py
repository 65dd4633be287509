"""Big-prescriber campaigns: the targets a campaign picked from the prescriber profile,
the visits assigned to GP ambassadors or health-insurance delegates, and the measured
effect 6 and 12 months after the campaign's start.

Prescribers are known by their identifier in the dispensing data (RPPS or the
health insurance's number), never by a patient's identity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cratb.accounts.models import Role
from cratb.network.models import Territory

if TYPE_CHECKING:
    from cratb.accounts.models import User


class VisitingCampaignQuerySet(models.QuerySet["Campaign"]):
    def visible_to(self, user: User) -> VisitingCampaignQuerySet:
        if user.role in (Role.COORDINATOR, Role.ADMIN, Role.INSURANCE_VIEWER):
            return self
        return self.none()


class Campaign(models.Model):
    """A visiting campaign among the big prescribers of a year's profile."""

    class Rule(models.TextChoices):
        ABOVE_998 = "above_998", _("Au-dessus de la limite à 99,8 % de l'entonnoir")
        LARGEST_EXCESS = "largest_excess", _("Les N plus grands excès de lignes critiques")

    title = models.CharField(_("intitulé"), max_length=200)
    reference_year = models.PositiveSmallIntegerField(_("année du profil"))
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": Territory.Kind.DEPARTEMENT},
        help_text=_("Vide : toute la région."),
    )
    rule = models.CharField(_("règle de sélection"), max_length=20, choices=Rule.choices)
    top_n = models.PositiveSmallIntegerField(
        _("nombre de prescripteurs (N)"), null=True, blank=True
    )
    start_date = models.DateField(_("début de la campagne"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitingCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne auprès des gros prescripteurs")
        verbose_name_plural = _("campagnes auprès des gros prescripteurs")
        ordering = ["-start_date", "-pk"]

    def __str__(self) -> str:
        return self.title


#: The prescriber specialties of the dispensing contract (CONTRACTS.md), as pages name them.
SPECIALTY_LABELS = {
    "general_practice": _("Médecine générale"),
    "dentistry": _("Chirurgie dentaire"),
    "hospital": _("Prescription hospitalière"),
    "other_specialty": _("Autre spécialité médicale"),
    "midwifery": _("Sage-femme"),
    "other": _("Autre"),
}


class Target(models.Model):
    """A prescriber picked by the campaign, with the profile figures that picked them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    prescriber_id = models.CharField(_("identifiant du prescripteur"), max_length=40)
    specialty = models.CharField(_("spécialité"), max_length=100, blank=True)
    prescriptions = models.PositiveIntegerField(_("lignes J01"))
    share = models.FloatField(_("part des antibiotiques critiques (%)"))
    peer_share = models.FloatField(_("part des pairs (%)"))
    limit_998_high = models.FloatField(_("limite haute à 99,8 % (%)"), null=True)
    excess_lines = models.FloatField(_("excès de lignes critiques"))

    class Meta:
        verbose_name = _("prescripteur ciblé")
        verbose_name_plural = _("prescripteurs ciblés")
        ordering = ["-excess_lines", "prescriber_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "prescriber_id"], name="outreach_target_unique"
            )
        ]

    def __str__(self) -> str:
        return self.prescriber_id

    @property
    def specialty_label(self) -> str:
        return str(SPECIALTY_LABELS.get(self.specialty, self.specialty))


class Visit(models.Model):
    """A target's visit: who is assigned, and once done its date and outcome."""

    class Visitor(models.TextChoices):
        AMBASSADOR = "ambassador", _("Médecin généraliste ambassadeur")
        DELEGATE = "delegate", _("Délégué de l'assurance maladie")

    class Outcome(models.TextChoices):
        DONE = "done", _("Visite faite, échange constructif")
        RELUCTANT = "reluctant", _("Visite faite, prescripteur réservé")
        REFUSED = "refused", _("Visite refusée")
        UNREACHABLE = "unreachable", _("Prescripteur injoignable")

    #: Outcomes of a visit that took place (the prescriber counts as visited).
    VISITED = (Outcome.DONE, Outcome.RELUCTANT)

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="visit")
    visitor_kind = models.CharField(_("visiteur"), max_length=20, choices=Visitor.choices)
    visitor_name = models.CharField(_("nom du visiteur"), max_length=150)
    visit_date = models.DateField(_("date de la visite"), null=True, blank=True)
    outcome = models.CharField(_("résultat"), max_length=20, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visite")
        verbose_name_plural = _("visites")

    def __str__(self) -> str:
        return f"{self.target} — {self.visitor_name}"

    @property
    def visited(self) -> bool:
        return self.visit_date is not None and self.outcome in self.VISITED

    def clean(self) -> None:
        start = self.target.campaign.start_date
        if self.visit_date and self.visit_date < start:
            raise ValidationError(
                {
                    "visit_date": _(
                        "Date de la visite : elle précède le début de la campagne (%(start)s)."
                    )
                    % {"start": start.strftime("%d/%m/%Y")}
                }
            )
        if self.visit_date and not self.outcome:
            raise ValidationError({"outcome": _("Résultat : à indiquer pour une visite datée.")})
        if self.outcome and not self.visit_date:
            raise ValidationError(
                {"visit_date": _("Date de la visite : à indiquer avec son résultat.")}
            )


class Measure(models.Model):
    """The campaign's effect at 6 or 12 months, as computed on ``computed_at``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="measures")
    horizon = models.PositiveSmallIntegerField(_("mois après le début"))
    computed_at = models.DateTimeField(auto_now=True)
    visited = models.PositiveIntegerField(default=0)
    control = models.PositiveIntegerField(default=0)
    mean_change_visited = models.FloatField(null=True)
    mean_change_control = models.FloatField(null=True)
    difference = models.FloatField(null=True)
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    message = models.CharField(max_length=300, blank=True)
    rows = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["horizon"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "horizon"], name="outreach_measure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.horizon} mois"


class Programme(models.Model):
    """A targeted-reporting programme the coordination runs with prescribers (the
    Hauts-de-France example: 137 invited, 112 signed, 98 took part)."""

    title = models.CharField(_("intitulé"), max_length=200)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Vide : toute la région."),
    )
    started_on = models.DateField(_("début"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme de rendu ciblé")
        verbose_name_plural = _("programmes de rendu ciblé")
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """A prescriber invited to a programme: whether they signed, whether they took part."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitations")
    prescriber = models.CharField(_("prescripteur (nom ou identifiant RPPS)"), max_length=150)
    invited_on = models.DateField(_("invité le"))
    signed_on = models.DateField(_("engagement signé le"), null=True, blank=True)
    took_part = models.BooleanField(_("a participé"), default=False)
    outside_zone = models.BooleanField(_("hors de la zone du programme"), default=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["prescriber"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "prescriber"], name="outreach_invitation_unique"
            )
        ]

    def __str__(self) -> str:
        return self.prescriber

    def clean(self) -> None:
        if self.signed_on and self.invited_on and self.signed_on < self.invited_on:
            raise ValidationError(
                {"signed_on": _("Engagement signé le : avant la date de l'invitation.")}
            )
        if self.took_part and not self.signed_on:
            raise ValidationError(
                {"took_part": _("A participé : seulement après un engagement signé.")}
            )
