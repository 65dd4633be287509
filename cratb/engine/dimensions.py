"""The dimensions of the indicator tables: the ``--by`` columns, declared once.

Each dimension has its French and English name; the command line, the catalogue and the
web pages (filters, published values) all take them from here. ``TIME_COLUMNS`` and
``GEO_COLUMNS`` are the dimensions every population-based computation knows how to cut
by (CONTRACTS.md section 3).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DIMENSIONS",
    "GEO_COLUMNS",
    "SECTOR_LABELS",
    "SPECIALTY_LABELS",
    "TIME_COLUMNS",
    "Dimension",
    "column_label",
]

TIME_COLUMNS = ("year", "month")
GEO_COLUMNS = ("departement", "region")


@dataclass(frozen=True)
class Dimension:
    """A column an indicator table may be grouped by, and what pages call it."""

    column: str
    label_fr: str
    label_en: str

    def label(self, language: str | None = None) -> str:
        """The name in ``language`` (a language code such as ``fr`` or ``en-gb``); French
        when none is given or the language has no name of its own."""
        return self.label_en if (language or "").lower().startswith("en") else self.label_fr


DIMENSIONS: dict[str, Dimension] = {
    d.column: d
    for d in (
        Dimension("year", "année", "year"),
        Dimension("month", "mois", "month"),
        Dimension("departement", "département", "département"),
        Dimension("region", "région", "region"),
        Dimension("atc", "substance (ATC)", "substance (ATC)"),
        Dimension("atc3", "classe ATC (niveau 3)", "ATC class (level 3)"),
        Dimension("atc4", "classe ATC (niveau 4)", "ATC class (level 4)"),
        Dimension("aware", "catégorie AWaRe", "AWaRe category"),
        Dimension("route", "voie", "route"),
        Dimension("prescriber_id", "prescripteur", "prescriber"),
        Dimension("prescriber_specialty", "spécialité du prescripteur", "prescriber's specialty"),
        Dimension("setting", "lieu de vie", "setting"),
        Dimension("age_band", "tranche d'âge", "age band"),
        Dimension("sex", "sexe", "sex"),
        Dimension("finess", "établissement (FINESS)", "establishment (FINESS)"),
        Dimension("organism", "micro-organisme", "organism"),
        Dimension("antibiotic", "antibiotique", "antibiotic"),
        Dimension("specimen", "prélèvement", "specimen"),
        Dimension("lab_id", "laboratoire", "laboratory"),
        Dimension("age_band", "tranche d'âge", "age band"),
        Dimension("commune", "commune", "commune"),
        Dimension("cpts", "CPTS", "CPTS"),
        Dimension("ght", "GHT", "hospital group (GHT)"),
        Dimension("sector", "secteur d'hospitalisation", "hospital sector"),
        Dimension("test", "test rapide", "rapid test"),
        Dimension("place_kind", "lieu du test", "place of the test"),
        Dimension("place_code", "lieu (code)", "place (code)"),
        Dimension("sex", "sexe", "sex"),
    )
}


#: What pages call the hospital sectors (``patient_days``, ``hospital_consumption``).
SECTOR_LABELS = {
    "acute": "court séjour (MCO)",
    "medicine": "médecine",
    "surgery": "chirurgie",
    "intensive_care": "réanimation",
    "paediatrics": "pédiatrie",
    "gynaecology_obstetrics": "gynécologie-obstétrique",
    "rehabilitation": "soins médicaux et de réadaptation",
    "psychiatry": "psychiatrie",
    "long_term": "soins de longue durée",
    "nursing_home": "EHPAD",
}


#: What pages and reports call the prescriber's specialties (the contract's codes); the
#: web pages translate them (the English catalogue has them).
SPECIALTY_LABELS = {
    "general_practice": "médecine générale",
    "dentistry": "chirurgie dentaire",
    "hospital": "prescripteurs salariés (hôpital)",
    "other_specialty": "autres spécialités médicales",
    "midwifery": "sages-femmes",
    "other": "autres prescripteurs",
}


def column_label(column: str, *, language: str | None = None) -> str:
    """What pages call a ``--by`` column in ``language`` (French by default); an unknown
    column keeps its own name."""
    dimension = DIMENSIONS.get(column)
    return dimension.label(language) if dimension else column
