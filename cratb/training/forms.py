"""Forms of the training pages. Rules live on the models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cratb.network.models import Profession, Territory
from cratb.training.models import Registration, SatisfactionResponse, TrainingPlan, TrainingSession

if TYPE_CHECKING:
    PlanFormBase = forms.ModelForm[TrainingPlan]
    SessionFormBase = forms.ModelForm[TrainingSession]
    RegistrationFormBase = forms.ModelForm[Registration]
    SatisfactionFormBase = forms.ModelForm[SatisfactionResponse]
else:
    PlanFormBase = SessionFormBase = RegistrationFormBase = SatisfactionFormBase = forms.ModelForm


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PlanForm(PlanFormBase):
    class Meta:
        model = TrainingPlan
        fields = ["year", "title", "objectives"]


class SessionForm(SessionFormBase):
    audience = forms.MultipleChoiceField(
        label=_("professions visées"),
        choices=Profession.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : tous publics."),
    )

    class Meta:
        model = TrainingSession
        fields = [
            "plan",
            "title",
            "theme",
            "format",
            "description",
            "audience",
            "trainers",
            "trainers_note",
            "starts_at",
            "ends_at",
            "duration_hours",
            "online",
            "venue",
            "departement",
            "capacity",
            "waiting_list",
            "label",
            "published",
        ]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}


class RegistrationForm(RegistrationFormBase):
    consent = forms.BooleanField(
        label=_(
            "J'accepte que ces informations servent à l'organisation de la formation et à "
            "l'attestation de présence."
        ),
    )

    class Meta:
        model = Registration
        fields = [
            "first_name",
            "last_name",
            "email",
            "profession",
            "organization_name",
            "departement",
        ]

    #: The registrant's own details: the browser may fill them in (WCAG 1.3.5).
    AUTOCOMPLETE = {
        "first_name": "given-name",
        "last_name": "family-name",
        "email": "email",
        "organization_name": "organization",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["departement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Territory.objects.departements().order_by("code")
        field.required = True
        for name, token in self.AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token

    def validate_unique(self) -> None:
        """``Registration.register`` refuses a second registration with its own message."""


class SatisfactionForm(SatisfactionFormBase):
    SCALE = [(n, str(n)) for n in range(1, 6)]

    class Meta:
        model = SatisfactionResponse
        fields = ["overall", "usefulness", "would_recommend", "comment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("overall", "usefulness"):
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=self.SCALE,
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.fields["would_recommend"] = forms.TypedChoiceField(
            label=_("Recommanderiez-vous cette formation ?"),
            choices=[("1", _("oui")), ("0", _("non"))],
            coerce=lambda value: value == "1",
            widget=forms.RadioSelect,
        )
