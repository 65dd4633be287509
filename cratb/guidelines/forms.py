"""Coordination's forms: a document (with its PDF or link), a new version, a pathway."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cratb.engine.ast.rules import SITUATIONS, RuleError, load_rules
from cratb.guidelines import pdf
from cratb.guidelines.models import Document, Pathway, PathwayStep
from cratb.security import LimitedFileField

if TYPE_CHECKING:
    DocumentFormBase = forms.ModelForm[Document]
    PathwayFormBase = forms.ModelForm[Pathway]
    StepFormSetBase = forms.BaseInlineFormSet[PathwayStep, Pathway, forms.ModelForm[PathwayStep]]
else:
    DocumentFormBase = forms.ModelForm
    PathwayFormBase = forms.ModelForm

DOCUMENT_FIELDS = (
    "title",
    "summary",
    "sector",
    "syndrome",
    "audience",
    "source",
    "published_on",
    "restricted",
    "url",
)


class DocumentForm(DocumentFormBase):
    """A document's description, and (on creation or a new version) its PDF or link."""

    url = forms.URLField(
        label=_("Lien externe"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("La page du document chez son éditeur (HAS, SPILF, Santé publique France…)."),
    )
    upload = LimitedFileField(
        "CRATB_GUIDELINE_MAX_MB",
        label=_("Fichier PDF"),
        required=False,
        help_text=_("Un PDF (vérifié par son contenu), ou bien un lien externe ci-dessus."),
    )

    class Meta:
        model = Document
        fields = DOCUMENT_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, with_file: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked: pdf.CheckedPdf | None = None
        if not with_file:
            del self.fields["upload"]

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                self.checked = pdf.check(upload)
            except pdf.PdfError as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_file = bool(cleaned.get("upload")) or bool(self.instance.file)
        if "upload" in self.fields and not has_file and not cleaned.get("url"):
            raise forms.ValidationError(
                _("Joignez le PDF du document ou indiquez le lien vers la page de son éditeur.")
            )
        return cleaned

    def build(self, *, by: Any) -> Document:
        """The unsaved document, its PDF written and its text read."""
        document: Document = super().save(commit=False)
        upload = self.cleaned_data.get("upload")
        if upload and self.checked is not None:
            document.file = pdf.store(upload)
            document.file_name = self.checked.name
            document.file_size = self.checked.size
            document.text = self.checked.text
        document.created_by = by
        return document


class PathwayForm(PathwayFormBase):
    class Meta:
        model = Pathway
        fields = ("syndrome", "title", "summary", "protocol", "ast_situation")
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protocol = self.fields["protocol"]
        assert isinstance(protocol, forms.ModelChoiceField)
        protocol.queryset = Document.objects.current()
        situation = self.fields["ast_situation"]
        assert isinstance(situation, forms.ChoiceField)
        try:
            rules = load_rules(rules_dir=settings.CRATB_ENGINE.rules_dir)
        except RuleError:
            return
        situation.choices = [("", "—")] + [
            (code, f"{rules.situations[code].label} ({code})")
            for code in SITUATIONS
            if code in rules.situations
        ]


StepFormSet: type[StepFormSetBase] = forms.inlineformset_factory(
    Pathway,
    PathwayStep,
    fields=("order", "title", "text", "contact", "organization"),
    widgets={"text": forms.Textarea(attrs={"rows": 2})},
    extra=2,
    can_delete=True,
)
