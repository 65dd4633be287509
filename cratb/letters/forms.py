"""Forms of the news items, the letters and the public subscription."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cratb.guidelines.models import Document
from cratb.letters.models import Audience, Letter, NewsItem
from cratb.network.models import Territory


class NewsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = NewsItem
        fields = ["title", "summary", "body", "date", "published"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class LetterForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Letter
        fields = [
            "subject",
            "introduction",
            "audience",
            "territory",
            "include_subscribers",
            "news",
            "documents",
        ]
        widgets = {
            "news": forms.CheckboxSelectMultiple,
            "documents": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        territory = self.fields["territory"]
        news = self.fields["news"]
        documents = self.fields["documents"]
        assert isinstance(territory, forms.ModelChoiceField)
        assert isinstance(news, forms.ModelMultipleChoiceField)
        assert isinstance(documents, forms.ModelMultipleChoiceField)
        territory.queryset = Territory.objects.exclude(kind=Territory.Kind.REGION).order_by(
            "kind", "code"
        )
        news.queryset = NewsItem.objects.published()
        documents.queryset = Document.objects.current().order_by("title")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience") == Audience.PRESCRIBERS and not data.get("territory"):
            self.add_error("territory", _("Choisissez le territoire des prescripteurs."))
        if (
            not data.get("introduction", "").strip()
            and not data.get("news")
            and not data.get("documents")
        ):
            raise forms.ValidationError(
                _(
                    "La lettre est vide : écrivez une introduction ou choisissez une actualité"
                    " ou un document."
                )
            )
        return data


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Votre adresse électronique"), max_length=254)
    consent = forms.BooleanField(
        label=_(
            "J'accepte de recevoir les lettres du CRAtb à cette adresse ; je peux me"
            " désinscrire à tout moment par le lien de chaque lettre."
        ),
    )
