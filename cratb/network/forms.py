"""Forms of the directory. Validation rules live on the models (``clean``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cratb.engine import identifiers, reference
from cratb.network.bulk import KINDS
from cratb.network.models import (
    CoverageAgreement,
    Organization,
    Practitioner,
    PractitionerRole,
    Territory,
    TerritoryCommune,
)
from cratb.security import LimitedFileField

# ModelForm is generic for the type checker only; subscripting it at run time fails.
if TYPE_CHECKING:
    OrganizationFormBase = forms.ModelForm[Organization]
    PractitionerFormBase = forms.ModelForm[Practitioner]
    RoleFormBase = forms.ModelForm[PractitionerRole]
    AgreementFormBase = forms.ModelForm[CoverageAgreement]
    TerritoryFormBase = forms.ModelForm[Territory]
else:
    OrganizationFormBase = PractitionerFormBase = RoleFormBase = forms.ModelForm
    AgreementFormBase = TerritoryFormBase = forms.ModelForm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class VersionField(forms.IntegerField):
    """The version of the record the person edits (optimistic locking)."""

    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, min_value=1, required=False)


def set_version(form: forms.ModelForm[Any]) -> None:
    """An edit of a stored record must say which version it was made from."""
    if form.instance.pk is not None:
        form.fields["version"].required = True
        form.initial.setdefault("version", form.instance.version)


class OrganizationForm(OrganizationFormBase):
    # Typed as printed ("75 000 001 0"), normalised here, checked by the model.
    finess = forms.CharField(label=_("FINESS"), max_length=20, required=False)
    version = VersionField()

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "finess",
            "category",
            "departement",
            "commune_code",
            "beds",
            "acute_beds",
            "ght",
            "served_territory",
            "host",
            "address",
            "phone",
            "email",
        ]

    def validate_unique(self) -> None:
        """``Organization.clean`` names the organisation holding the FINESS already."""

    def clean_finess(self) -> str:
        return identifiers.normalize(self.cleaned_data.get("finess", ""))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_version(self)
        self.fields["host"].queryset = Organization.objects.establishments()  # type: ignore[attr-defined]
        self.fields["served_territory"].queryset = Territory.objects.exclude(  # type: ignore[attr-defined]
            kind=Territory.Kind.REGION
        )


class PractitionerForm(PractitionerFormBase):
    rpps = forms.CharField(
        label=_("RPPS"),
        max_length=20,
        required=False,
        help_text=_("11 chiffres, le dernier est une clé."),
    )
    version = VersionField()

    class Meta:
        model = Practitioner
        fields = [
            "last_name",
            "first_name",
            "rpps",
            "profession",
            "specialty",
            "email",
            "phone",
            "listed",
        ]

    def validate_unique(self) -> None:
        """``Practitioner.clean`` names the person already there; no second message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_version(self)

    def clean_rpps(self) -> str:
        return identifiers.normalize(self.cleaned_data.get("rpps", ""))


class RoleForm(RoleFormBase):
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_version(self)

    class Meta:
        model = PractitionerRole
        fields = [
            "practitioner",
            "function",
            "organization",
            "territory",
            "start",
            "end",
            "fte",
            "trained_on",
        ]
        widgets = {"start": DateInput(), "end": DateInput(), "trained_on": DateInput()}


class AgreementForm(AgreementFormBase):
    class Meta:
        model = CoverageAgreement
        fields = ["ema", "establishment", "level", "start", "end"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = Organization.objects.establishments()  # type: ignore[attr-defined]


class TerritoryForm(TerritoryFormBase):
    """A GHT or a CPTS, with the communes it covers typed as INSEE codes."""

    communes = forms.CharField(
        label=_("communes couvertes (codes INSEE)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Séparés par des espaces, virgules ou retours à la ligne, ex. 94028 94033."),
    )

    class Meta:
        model = Territory
        fields = ["kind", "code", "name", "parent", "covered_departements"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [
            (k, label)
            for k, label in Territory.Kind.choices
            if k in (Territory.Kind.GHT, Territory.Kind.CPTS)
        ]
        self.fields["parent"].queryset = Territory.objects.filter(  # type: ignore[attr-defined]
            kind__in=[Territory.Kind.REGION, Territory.Kind.DEPARTEMENT]
        )
        self.fields["parent"].label = _("région ou département principal")
        self.fields["covered_departements"].queryset = Territory.objects.departements()  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["communes"] = " ".join(c.code for c in self.instance.communes.all())

    def clean_communes(self) -> list[str]:
        raw = self.cleaned_data.get("communes", "")
        codes = sorted({c.upper() for c in raw.replace(",", " ").split()})
        unknown = [c for c in codes if reference.commune(c) is None]
        if unknown:
            raise forms.ValidationError(
                _("Codes INSEE inconnus : %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("communes") and not data.get("covered_departements"):
            raise forms.ValidationError(_("Indiquez les communes ou les départements couverts."))
        if data.get("kind") == Territory.Kind.CPTS and data.get("communes"):
            self._check_cpts_overlap(data["communes"])
        return data

    def _check_cpts_overlap(self, codes: list[str]) -> None:
        """A commune belongs to one CPTS only: the figures by CPTS would count it twice."""
        taken = (
            TerritoryCommune.objects.filter(territory__kind=Territory.Kind.CPTS, code__in=codes)
            .exclude(territory_id=self.instance.pk)
            .select_related("territory")
            .order_by("code")
        )
        clashes = [
            _("%(commune)s (déjà dans la CPTS « %(cpts)s »)")
            % {"commune": str(c), "cpts": c.territory.name}
            for c in taken[:5]
        ]
        if clashes:
            self.add_error(
                "communes",
                _("Une commune n'appartient qu'à une CPTS : %(list)s.")
                % {"list": ", ".join(clashes)},
            )

    def save_communes(self, territory: Territory) -> None:
        codes = set(self.cleaned_data["communes"])
        territory.communes.exclude(code__in=codes).delete()
        existing = set(territory.communes.values_list("code", flat=True))
        TerritoryCommune.objects.bulk_create(
            TerritoryCommune(territory=territory, code=code) for code in sorted(codes - existing)
        )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("contenu du fichier"),
        choices=[
            ("organizations", _("Organisations (établissements, EHPAD, CPTS, EMA…)")),
            ("practitioners", _("Personnes")),
            ("roles", _("Rôles")),
        ],
    )
    file = LimitedFileField(
        "CRATB_SPREADSHEET_MAX_MB",
        label=_("fichier CSV ou Excel"),
        help_text=_("CSV (virgule ou point-virgule, UTF-8 ou Latin-1) ou classeur .xlsx."),
    )

    def clean_kind(self) -> str:
        kind: str = self.cleaned_data["kind"]
        if kind not in KINDS:
            raise forms.ValidationError(_("Type d'import inconnu."))
        return kind
