"""The coded vocabularies of an advice request and its answer.

Codes are stable (stored in the database, exported in CSV, counted in the annual
report): a label may be reworded, a code never changes meaning. New codes are added
at the end of a list; a retired code stays, so that old requests keep their meaning.
"""

from __future__ import annotations

import functools

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cratb.guidelines import syndromes


class Channel(models.TextChoices):
    WEB = "web", _("Formulaire en ligne")
    PHONE = "phone", _("Téléphone")
    TELE_EXPERTISE = "tele_expertise", _("Télé-expertise")
    EMAIL = "email", _("Courriel")


class Setting(models.TextChoices):
    COMMUNITY = "community", _("Ville (soins de ville)")
    NURSING_HOME = "nursing_home", _("EHPAD")
    HOSPITAL = "hospital", _("Établissement de santé")
    MEDICO_SOCIAL = "medico_social", _("Autre établissement médico-social")


class Profession(models.TextChoices):
    GP = "gp", _("Médecin généraliste")
    PHARMACIST = "pharmacist", _("Pharmacien d'officine")
    DENTIST = "dentist", _("Chirurgien-dentiste")
    NURSING_HOME_DOCTOR = "nursing_home_doctor", _("Médecin coordonnateur d'EHPAD")
    NURSE = "nurse", _("Infirmier ou infirmière")
    MIDWIFE = "midwife", _("Sage-femme")
    HOSPITAL_DOCTOR = "hospital_doctor", _("Médecin hospitalier")
    HOSPITAL_PHARMACIST = "hospital_pharmacist", _("Pharmacien hospitalier")
    OTHER_SPECIALIST = "other_specialist", _("Autre médecin spécialiste")
    OTHER = "other", _("Autre professionnel")


# The syndromes are shared with the guidelines (a lower layer): declared there, once.
Syndrome = syndromes.Syndrome


class Resistance(models.TextChoices):
    UNKNOWN = "unknown", _("Inconnue ou non recherchée")
    NONE = "none", _("Pas de résistance particulière")
    ESBL = "esbl", _("Entérobactérie productrice de BLSE")
    AMPC = "ampc", _("Céphalosporinase hyperproduite")
    CPE = "cpe", _("Entérobactérie productrice de carbapénémase (EPC)")
    MRSA = "mrsa", _("Staphylococcus aureus résistant à la méticilline (SARM)")
    VRE = "vre", _("Entérocoque résistant aux glycopeptides (ERG)")
    OTHER = "other", _("Autre résistance")


class AgeBand(models.TextChoices):
    UNDER_3 = "0-2", _("Moins de 3 ans")
    CHILD = "3-15", _("3 à 15 ans")
    ADULT = "16-64", _("16 à 64 ans")
    SENIOR = "65-74", _("65 à 74 ans")
    ELDERLY = "75-84", _("75 à 84 ans")
    OLDEST = "85+", _("85 ans et plus")


class Sex(models.TextChoices):
    FEMALE = "F", _("Femme")
    MALE = "M", _("Homme")


class RenalFunction(models.TextChoices):
    UNKNOWN = "unknown", _("Inconnue")
    NORMAL = "normal", _("Normale (DFG ≥ 60 mL/min)")
    MODERATE = "moderate", _("Insuffisance modérée (DFG 30 à 59)")
    SEVERE = "severe", _("Insuffisance sévère (DFG 15 à 29)")
    FAILURE = "failure", _("Insuffisance terminale ou dialyse (DFG < 15)")


class Pregnancy(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", _("Sans objet")
    NO = "no", _("Non")
    PREGNANT = "pregnant", _("Grossesse en cours")
    BREASTFEEDING = "breastfeeding", _("Allaitement")
    UNKNOWN = "unknown", _("Ne sait pas")


class Allergy(models.TextChoices):
    NONE = "none", _("Aucune allergie connue")
    PENICILLIN = "penicillin", _("Allergie aux pénicillines")
    BETA_LACTAM = "beta_lactam", _("Allergie à d'autres bêta-lactamines")
    OTHER = "other", _("Autre allergie à un antibiotique")
    UNKNOWN = "unknown", _("Ne sait pas")


class Recommendation(models.TextChoices):
    START = "start", _("Débuter une antibiothérapie")
    DO_NOT_START = "do_not_start", _("Ne pas débuter d'antibiotique")
    CHANGE = "change", _("Changer d'antibiotique")
    NARROW = "narrow", _("Réduire le spectre (désescalade)")
    STOP = "stop", _("Arrêter l'antibiotique")
    SHORTEN = "shorten", _("Raccourcir la durée")
    REFER = "refer", _("Adresser à l'hôpital")
    OTHER = "other", _("Autre recommandation")


class Route(models.TextChoices):
    """WHO route letters, as the AWaRe table uses them (route-aware categories)."""

    ORAL = "O", _("voie orale")
    PARENTERAL = "P", _("voie injectable")


class Followed(models.TextChoices):
    YES = "yes", _("Oui, entièrement")
    PARTLY = "partly", _("En partie")
    NO = "no", _("Non")


class Outcome(models.TextChoices):
    CURED = "cured", _("Guérison ou amélioration")
    NO_CHANGE = "no_change", _("Pas d'amélioration")
    WORSE = "worse", _("Aggravation")
    HOSPITALISED = "hospitalised", _("Hospitalisation")
    UNKNOWN = "unknown", _("Ne sait pas")


#: Context fields shown on the request page and exported, in order.
CONTEXT_FIELDS = (
    "setting",
    "profession",
    "departement",
    "syndrome",
    "organism",
    "resistance",
    "agents_considered",
    "agents_given",
    "allergy",
    "allergy_detail",
    "renal_function",
    "pregnancy",
    "age_band",
    "sex",
)


@functools.cache
def _labels(enum: type[models.TextChoices], language: str | None) -> dict[str, str]:
    return {code: str(text) for code, text in enum.choices}


def label(enum: type[models.TextChoices], code: str) -> str:
    """The label of ``code`` in the current language, from a per-language cache.

    Django's ``get_FOO_display`` rebuilds a dict of lazy labels on each call, which
    showed in long lists (the inbox).
    """
    return _labels(enum, get_language()).get(code, code)
