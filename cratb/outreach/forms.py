"""Forms of the campaign pages: a new campaign, and a visit (assignment, date, outcome)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cratb.network.models import Territory
from cratb.outreach.models import Campaign, Invitation, Programme, Target, Visit


class CampaignForm(forms.ModelForm[Campaign]):
    class Meta:
        model = Campaign
        fields = ["title", "reference_year", "territory", "rule", "top_n", "start_date"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.departements().order_by("code")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("rule") == Campaign.Rule.LARGEST_EXCESS and not data.get("top_n"):
            self.add_error(
                "top_n",
                _("Nombre de prescripteurs : à indiquer pour la règle des N plus grands excès."),
            )
        year = data.get("reference_year")
        if year is not None and not 2000 <= year <= 2100:
            self.add_error("reference_year", _("Année du profil : entre 2000 et 2100."))
        return data


class VisitForm(forms.Form):
    """A visit of one of the campaign's targets, named by their identifier."""

    prescriber_id = forms.CharField(label=_("Identifiant du prescripteur"), max_length=40)
    visitor_kind = forms.ChoiceField(label=_("Visiteur"), choices=Visit.Visitor.choices)
    visitor_name = forms.CharField(label=_("Nom du visiteur"), max_length=150)
    visit_date = forms.DateField(
        label=_("Date de la visite"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Vide tant que la visite n'a pas eu lieu."),
    )
    outcome = forms.ChoiceField(
        label=_("Résultat"), choices=[("", "—"), *Visit.Outcome.choices], required=False
    )
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.target: Target | None = None

    def clean_prescriber_id(self) -> str:
        value: str = self.cleaned_data["prescriber_id"].strip()
        self.target = self.campaign.targets.filter(prescriber_id=value).first()
        if self.target is None:
            raise forms.ValidationError(
                _("Prescripteur %(id)s : absent de la liste des cibles de cette campagne.")
                % {"id": value}
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.target is None:
            return data
        try:
            visit = self.target.visit
        except Visit.DoesNotExist:
            visit = Visit(target=self.target)
        for name in ("visitor_kind", "visitor_name", "visit_date", "outcome", "notes"):
            if name in data:
                setattr(visit, name, data[name] or ("" if name != "visit_date" else None))
        try:
            visit.clean()
        except forms.ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        self.visit = visit
        return data

    def save(self) -> Visit:
        self.visit.save()
        return self.visit


class ProgrammeForm(forms.ModelForm[Programme]):
    class Meta:
        model = Programme
        fields = ["title", "territory", "started_on"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class InvitationForm(forms.ModelForm[Invitation]):
    class Meta:
        model = Invitation
        fields = ["prescriber", "invited_on", "signed_on", "took_part", "outside_zone"]
        widgets = {
            "invited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.programme = programme

    def clean_prescriber(self) -> str:
        value: str = self.cleaned_data["prescriber"].strip()
        others = Invitation.objects.filter(programme=self.instance.programme, prescriber=value)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Prescripteur %(name)s : déjà invité à ce programme.") % {"name": value}
            )
        return value
