"""Forms of the audit pages: a grid's YAML, a campaign, and the case form built from the
grid's fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cratb.audits.grids import NOT_APPLICABLE_ANSWER, Grid
from cratb.audits.models import AuditCampaign, GridVersion
from cratb.network.models import Organization, Practitioner


class GridForm(forms.Form):
    text = forms.CharField(
        label=_("Définition de la grille (YAML)"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "code", "spellcheck": "false"}),
        required=False,
        help_text=_(
            "Champs (fields) : code, label, type (yes_no, number, choice), options, "
            "réponse attendue (expected), applies_if, not_applicable. Chaque enregistrement "
            "crée une nouvelle version ; les audits déjà lancés gardent la leur."
        ),
    )
    upload = forms.FileField(label=_("ou un fichier YAML"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload is not None:
            try:
                data["text"] = upload.read(200_000).decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("Le fichier n'est pas un texte UTF-8.")) from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Collez la définition YAML ou joignez un fichier."))
        return data


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    grid_version = forms.ModelChoiceField(
        label=_("Grille (version)"), queryset=GridVersion.objects.select_related("grid")
    )
    period_start = forms.DateField(
        label=_("Début de la période"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Fin de la période"), widget=forms.DateInput(attrs={"type": "date"})
    )
    previous_round = forms.ModelChoiceField(
        label=_("Second tour de"),
        queryset=AuditCampaign.objects.all(),
        required=False,
        help_text=_(
            "Pour mesurer l'évolution : même grille ; sans participant choisi, ceux du "
            "premier tour."
        ),
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Établissements et structures participants"),
        queryset=Organization.objects.exclude(
            kind__in=[Organization.Kind.CRATB, Organization.Kind.AGENCY, Organization.Kind.LAB]
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    practitioners = forms.ModelMultipleChoiceField(
        label=_("Prescripteurs participants"),
        queryset=Practitioner.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )


YES_NO = [("", _("— non renseigné —")), ("oui", _("Oui")), ("non", _("Non"))]
NA_CHOICE = (NOT_APPLICABLE_ANSWER, _("Sans objet"))


class CaseForm(forms.Form):
    """One field per field of the grid, none required (a blank is counted apart), and a
    short comment with no patient identity."""

    def __init__(self, grid: Grid, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grid = grid
        for f in grid.fields:
            help_text = f.help
            if f.is_criterion:
                help_text = (help_text + " " if help_text else "") + str(
                    _("Attendu : %(rule)s.") % {"rule": f.rule_text()}
                )
            field: forms.Field
            if f.kind == "number":
                low, high = f.bounds
                field = forms.DecimalField(
                    label=f.label + (f" ({f.unit})" if f.unit else ""),
                    required=False,
                    min_value=low,
                    max_value=high,
                    decimal_places=2,
                    localize=True,
                )
                if f.not_applicable:
                    # A number cannot say « sans objet »: a box beside it does.
                    self.fields[f"{f.code}__na"] = forms.BooleanField(
                        label=_("%(label)s : sans objet") % {"label": f.label}, required=False
                    )
            else:
                choices: list[tuple[str, Any]] = (
                    list(YES_NO)
                    if f.kind == "yes_no"
                    else [("", _("— non renseigné —"))] + [(o.code, o.label) for o in f.options]
                )
                if f.not_applicable:
                    choices.append(NA_CHOICE)
                field = forms.ChoiceField(label=f.label, choices=choices, required=False)
            field.help_text = help_text
            self.fields[f.code] = field
        self.fields["comment"] = forms.CharField(
            label=_("Commentaire (facultatif)"),
            max_length=300,
            required=False,
            help_text=_("Aucune identité de patient : ni nom, ni date de naissance, ni NIR."),
        )

    def answers(self) -> dict[str, Any]:
        """The raw answers for ``AuditCampaign.add_case``."""
        raw: dict[str, Any] = {}
        for f in self.grid.fields:
            value = self.cleaned_data.get(f.code)
            if f.kind == "number":
                if self.cleaned_data.get(f"{f.code}__na"):
                    raw[f.code] = NOT_APPLICABLE_ANSWER
                else:
                    raw[f.code] = None if value is None else str(value)
            else:
                raw[f.code] = value or None
        return raw
