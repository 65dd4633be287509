"""The form of a sending."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cratb.engine import identifiers
from cratb.engine.errors import EngineError
from cratb.feedback.models import Delivery, Kind


class BatchForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rapports"), choices=Kind.choices)
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    delivery = forms.ChoiceField(label=_("Envoi"), choices=Delivery.choices)
    link_days = forms.IntegerField(
        label=_("Validité du lien (jours)"), min_value=1, max_value=90, initial=30
    )
    prescribers = forms.CharField(
        label=_("Prescripteurs (RPPS, un par ligne)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Pour les rapports de prescripteurs : vide, tous les prescripteurs identifiés."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        numbers: list[str] = []
        for n, line in enumerate((data.get("prescribers") or "").splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            try:
                numbers.append(identifiers.check_rpps(text))
            except EngineError as exc:
                self.add_error("prescribers", _("Ligne %(n)s : %(error)s") % {"n": n, "error": exc})
        if numbers and data.get("kind") != Kind.PRESCRIBER:
            self.add_error(
                "prescribers",
                _("Une liste de RPPS ne vaut que pour les rapports de prescripteurs."),
            )
        data["targets"] = list(dict.fromkeys(numbers))
        return data
