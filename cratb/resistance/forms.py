"""Forms of the resistance pages: antibiogram request, code table edits, API tokens."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cratb.engine import reference
from cratb.engine.sources.lab_codes import ALL_LABS
from cratb.security import LimitedFileField

SETTING_CHOICES = [
    ("community", _("Ville")),
    ("nursing_home", _("EHPAD et établissements médico-sociaux")),
    ("hospital", _("Établissements de santé")),
]
SPECIMEN_CHOICES = [
    ("", _("Tous les prélèvements")),
    ("urine", _("Urines")),
    ("blood", _("Hémocultures")),
    ("respiratory", _("Prélèvements respiratoires")),
    ("skin", _("Peau et tissus mous")),
    ("other", _("Autres prélèvements")),
]


def default_period() -> tuple[date, date]:
    """The last whole calendar year: a cumulative antibiogram covers a year."""
    year = date.today().year - 1
    return date(year, 1, 1), date(year, 12, 31)


FIRST_ISOLATE_CHOICES = [
    ("episode", _("Épisode de 365 jours (CLSI M39, par défaut)")),
    ("phenotype", _("Épisode, plus changement d'antibiogramme (variante phénotypique)")),
]


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La date de début est après la date de fin."))
        return data


class ComparisonForm(PeriodForm):
    specimen = forms.ChoiceField(label=_("Prélèvement"), choices=SPECIMEN_CHOICES, required=False)
    field_order = ("specimen", "date_from", "date_to")


class ContraryForm(PeriodForm):
    lab_id = forms.CharField(
        label=_("Laboratoire"),
        max_length=40,
        required=False,
        help_text=_("Identifiant lab_id ; vide : tous les laboratoires."),
    )
    field_order = ("lab_id", "date_from", "date_to")


class AntibiogramForm(forms.Form):
    setting = forms.ChoiceField(label=_("Secteur"), choices=SETTING_CHOICES)
    specimen = forms.ChoiceField(label=_("Prélèvement"), choices=SPECIMEN_CHOICES, required=False)
    date_from = forms.DateField(
        label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    first_isolate = forms.ChoiceField(
        label=_("Premier isolat"), choices=FIRST_ISOLATE_CHOICES, required=False
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La date de début est après la date de fin."))
        return data


def _whonet_choices() -> list[tuple[str, str]]:
    agents = sorted((a.whonet, a.name_fr) for a in reference.antibacterials().values() if a.whonet)
    return [(code, f"{code} — {name}") for code, name in agents]


class LabCodeForm(forms.Form):
    lab_id = forms.CharField(
        label=_("Laboratoire"),
        max_length=40,
        help_text=_("Identifiant lab_id du laboratoire, ou * pour tous les laboratoires."),
        initial=ALL_LABS,
    )
    lab_code = forms.CharField(label=_("Code du laboratoire"), max_length=40)
    whonet = forms.ChoiceField(label=_("Code WHONET"), choices=_whonet_choices)
    note = forms.CharField(label=_("Motif de la modification"), max_length=200, required=False)


class LabCodeUploadForm(forms.Form):
    file = LimitedFileField(
        "CRATB_SPREADSHEET_MAX_MB",
        label=_("Fichier CSV"),
        help_text=_(
            "Colonnes lab_id, lab_code, whonet (séparateur virgule ou point-virgule) : le"
            " fichier remplace toute la table, dans une nouvelle version."
        ),
    )
    note = forms.CharField(label=_("Motif de la modification"), max_length=200, required=False)


class TokenForm(forms.Form):
    label = forms.CharField(
        label=_("Libellé"),
        max_length=100,
        required=False,
        help_text=_("Pour reconnaître le jeton, ex. « logiciel du laboratoire, site A »."),
    )
