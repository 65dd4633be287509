"""Forms of the activity pages: campaigns, a team's action plan and activity report,
the network activity log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.activity.models import (
    Campaign,
    Kind,
    NetworkAction,
    Objective,
    ObjectiveStatus,
    Submission,
)
from cratb.network.models import Organization, Territory


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.ModelForm[Campaign]):
    teams = forms.ModelMultipleChoiceField(
        label=_("Équipes EMA concernées"),
        queryset=Organization.objects.filter(kind=Organization.Kind.EMA).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Toutes les EMA de la région par défaut."),
    )
    others = forms.ModelMultipleChoiceField(
        label=_("Autres structures ajoutées"),
        queryset=Organization.objects.exclude(kind=Organization.Kind.EMA).order_by("name"),
        required=False,
        help_text=_("Par exemple le CRAtb lui-même ou une équipe d'établissement."),
    )

    class Meta:
        model = Campaign
        fields = ["year", "kind", "opens_on", "deadline"]
        widgets = {"opens_on": DateInput(), "deadline": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, kind = data.get("year"), data.get("kind")
        if year and kind and Campaign.objects.filter(year=year, kind=kind).exists():
            raise forms.ValidationError(
                _("Une campagne « %(kind)s %(year)s » existe déjà : complétez-la plutôt.")
                % {"kind": dict(Kind.choices)[kind], "year": year}
            )
        if not data.get("teams") and not data.get("others"):
            raise forms.ValidationError(_("Équipes : cochez au moins une équipe concernée."))
        return data


class AddTeamForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Ajouter une structure"), queryset=Organization.objects.order_by("name")
    )


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput


class ObjectiveForm(forms.ModelForm[Objective]):
    version = VersionField()

    class Meta:
        model = Objective
        fields = ["axis", "title", "actions", "target", "indicator", "scope", "fte_planned"]
        widgets = {"actions": forms.Textarea(attrs={"rows": 3})}


class ReportForm(forms.ModelForm[Submission]):
    """What only the team knows; the objectives' statuses and the figures' comments are
    added as fields named after them (:meth:`add_rows`)."""

    version = VersionField()

    class Meta:
        model = Submission
        fields = [
            "commissions_count",
            "commissions_list",
            "committees_count",
            "committees_list",
            "meetings_count",
            "audits_list",
            "fte_worked",
            "free_text",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("commissions_list", "committees_list", "audits_list", "free_text")
        }
        # The audits carried out are no longer typed: they are counted from the audits app
        # (a computed figure above); the team comments on them here.
        labels = {"audits_list": _("Audits : commentaire de l'équipe")}
        help_texts = {
            "audits_list": _(
                "Les audits de pratiques enregistrés dans cratb sont comptés et listés plus "
                "haut. Précisez-les ici, ou citez un audit mené hors de cratb."
            )
        }

    STATUS_PREFIX = "status-"
    STATUS_COMMENT_PREFIX = "status-comment-"
    FIGURE_PREFIX = "figure-comment-"

    def add_rows(
        self,
        *,
        objectives: list[Objective],
        statuses: dict[int, ObjectiveStatus],
        figure_keys: list[tuple[str, str]],
        comments: dict[str, str],
    ) -> None:
        for objective in objectives:
            found = statuses.get(objective.pk)
            self.fields[f"{self.STATUS_PREFIX}{objective.pk}"] = forms.ChoiceField(
                label=objective.title,
                choices=[("", "—"), *ObjectiveStatus.Status.choices],
                required=False,
                initial=found.status if found else "",
                # In a table cell: named by aria-label (a hidden label would overflow).
                widget=forms.Select(
                    attrs={"aria-label": _("Réalisation : %(title)s") % {"title": objective.title}}
                ),
            )
            self.fields[f"{self.STATUS_COMMENT_PREFIX}{objective.pk}"] = forms.CharField(
                label=_("Commentaire"),
                required=False,
                initial=found.comment if found else "",
                widget=forms.Textarea(
                    attrs={
                        "rows": 2,
                        "aria-label": _("Commentaire : %(label)s") % {"label": objective.title},
                    }
                ),
            )
        for key, label in figure_keys:
            self.fields[f"{self.FIGURE_PREFIX}{key}"] = forms.CharField(
                label=_("Correction ou commentaire"),
                required=False,
                initial=comments.get(key, ""),
                max_length=2000,
                widget=forms.Textarea(
                    attrs={"rows": 1, "aria-label": _("Commentaire : %(label)s") % {"label": label}}
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in list(self.fields):
            if name.startswith(self.STATUS_COMMENT_PREFIX):
                pk = name.removeprefix(self.STATUS_COMMENT_PREFIX)
                status = data.get(f"{self.STATUS_PREFIX}{pk}")
                if data.get(name) and not status:
                    self.add_error(
                        f"{self.STATUS_PREFIX}{pk}",
                        _("Réalisation : choisissez où en est l'objectif « %(title)s ».")
                        % {"title": self.fields[f"{self.STATUS_PREFIX}{pk}"].label},
                    )
        if data.get("commissions_list") and not data.get("commissions_count"):
            self.add_error(
                "commissions_count",
                _("Commissions : indiquez le nombre de participations de la liste."),
            )
        if data.get("committees_list") and not data.get("committees_count"):
            self.add_error(
                "committees_count",
                _("CAI/CLIN : indiquez le nombre de participations de la liste."),
            )
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Pièce jointe (PDF ou image, 10 Mo au plus)"))
    version = VersionField()


class CommentForm(forms.Form):
    version = VersionField()
    text = forms.CharField(
        label=_("Commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NetworkActionForm(forms.ModelForm[NetworkAction]):
    class Meta:
        model = NetworkAction
        fields = [
            "actor_function",
            "kind",
            "title",
            "date",
            "territory",
            "audience",
            "people_reached",
            "notes",
        ]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, functions: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.exclude(  # type: ignore[attr-defined]
            kind=Territory.Kind.REGION
        ).order_by("kind", "name")
        if functions is not None:
            field = self.fields["actor_function"]
            field.choices = [c for c in field.choices if c[0] in functions]  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()
