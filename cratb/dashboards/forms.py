"""The dashboards' forms: filters of the published values, publication, upload.

The names of the ``--by`` columns come from the engine, where each dimension is declared
once (``cratb.engine.dimensions``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cratb.engine import dimensions
from cratb.engine.indicators import CATALOGUE
from cratb.engine.indicators.catalogue import STANDARD_GROUPINGS
from cratb.security import LimitedFileField


def indicator_title(indicator: Any) -> str:
    """The indicator's title in the language of the page."""
    english = (get_language() or "fr").startswith("en")
    return str(indicator.title_en if english else indicator.title_fr)


def indicator_choices() -> list[tuple[str, str]]:
    """The catalogue's indicators (in the catalogue's order) by title, in the page's
    language."""
    return [(ind.id, f"{indicator_title(ind)} ({ind.id})") for ind in CATALOGUE.values()]


def column_label(column: str) -> str:
    """What the pages call a --by column, in the language of the page."""
    return dimensions.column_label(column, language=get_language())


def grouping_label(grouping: str) -> str:
    if not grouping:
        return str(_("ensemble du territoire"))
    return " × ".join(column_label(c) for c in grouping.split(","))


class ValueFilterForm(forms.Form):
    """Filters of the published values page (GET)."""

    indicator = forms.ChoiceField(label=_("Indicateur"), required=False)
    year = forms.TypedChoiceField(label=_("Année"), required=False, coerce=int, empty_value=None)
    grouping = forms.ChoiceField(label=_("Regroupement"), required=False)
    departement = forms.ChoiceField(label=_("Département"), required=False)

    def __init__(
        self,
        *args: Any,
        years: list[int],
        groupings: list[str],
        departements: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[str, Any]]] = {
            "indicator": [("", _("Tous les indicateurs")), *indicator_choices()],
            "year": [("", _("Toutes les années")), *((str(y), str(y)) for y in years)],
            "grouping": [
                ("", _("Tous les regroupements")),
                *((g if g else "-", grouping_label(g)) for g in groupings),
            ],
            "departement": [("", _("Tous les territoires")), *departements],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options


class PublishForm(forms.Form):
    """Start a publication of the catalogue (POST)."""

    years = forms.CharField(
        label=_("Années"),
        required=False,
        help_text=_(
            "Séparées par des virgules, ex. 2024, 2025 ; vide : toutes les années des données."
        ),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicateurs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tout le catalogue."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicators"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = indicator_choices()

    def clean_years(self) -> list[int]:
        text = self.cleaned_data["years"] or ""
        years = []
        for item in text.replace(";", ",").split(","):
            item = item.strip()
            if not item:
                continue
            if not item.isdigit() or not 1990 <= int(item) <= 2100:
                raise forms.ValidationError(
                    _("« %(value)s » n'est pas une année (attendu : 2025)."),
                    params={"value": item},
                )
            years.append(int(item))
        return sorted(set(years))


__all__ = [
    "STANDARD_GROUPINGS",
    "DataImportForm",
    "PublishForm",
    "ValueFilterForm",
    "grouping_label",
]


class DataImportForm(forms.Form):
    """Upload an input file of CONTRACTS.md section 1 (POST, multipart)."""

    kind = forms.ChoiceField(label=_("Type de fichier"))
    file = LimitedFileField(
        "CRATB_IMPORT_MAX_MB",
        label=_("Fichier"),
        help_text=_(
            "CSV (virgule ou point-virgule, UTF-8 ou Latin-1, avec en-tête) ou Parquet, "
            "aux colonnes décrites dans la documentation des formats."
        ),
    )
    hash_ids = forms.BooleanField(
        label=_("Hacher les identifiants pseudonymes (patient, prescripteur)"),
        required=False,
        help_text=_(
            "Avec le sel secret CRATB_ID_SALT du serveur : les identifiants en clair "
            "n'entrent pas dans l'entrepôt."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from cratb.dashboards.models import DataImport

        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = DataImport.Kind.choices
