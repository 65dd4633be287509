"""Forms of the report pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.reports.models import MAX_TEXT
from cratb.reports.services import FIRST_YEAR


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Année du rapport"),
        error_messages={"invalid": _("Année : un nombre entier, par exemple 2025.")},
    )

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        last = timezone.localdate().year
        if not FIRST_YEAR <= year <= last:
            raise forms.ValidationError(
                _("Année : entre %(first)s et %(last)s.") % {"first": FIRST_YEAR, "last": last}
            )
        return year


class SectionTextForm(forms.Form):
    text = forms.CharField(
        label=_("Texte de la section"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"max_length": _("Texte trop long : au plus %(limit_value)d caractères.")},
    )
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
