"""The demo region's annual activity report: a draft for the demo year (``cratb demo``).

The coordination has written the text of every section but one (the surveillance one
twice, so its history shows two versions); the training section has no text yet, and the report is
not validated: the demo shows a report being prepared. The figures are never written
here: the report computes them from the demo's records and published indicators.

Safe to run twice: an existing report of the year is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from cratb.accounts.models import Role, User
from cratb.reports.models import AnnualReport

TEXTS: tuple[tuple[str, str], ...] = (
    (
        "surveillance",
        "La consommation d'antibiotiques en ville poursuit sa baisse depuis 2019, sans "
        "atteindre l'objectif national.",
    ),
    (
        "surveillance",
        "La consommation d'antibiotiques en ville poursuit sa baisse depuis 2019, mais reste "
        "au-dessus de l'objectif national de 650 prescriptions pour 1000 habitants.\n\n"
        "Les écarts entre départements sont faibles ; la part des antibiotiques Access reste "
        "proche de l'objectif européen de 65 % : les actions de l'année prochaine porteront "
        "sur les infections urinaires et respiratoires en ville.",
    ),
    (
        "advice",
        "La ligne de conseil a répondu à la quasi-totalité des demandes dans le délai cible "
        "d'un jour ouvré. Les infections urinaires et respiratoires restent les premiers "
        "motifs de demande ; la majorité des antibiotiques recommandés appartiennent à la "
        "catégorie Access de l'OMS.",
    ),
    (
        "network",
        "Les conventions avec les EMA couvrent une partie des EHPAD de la région ; les "
        "établissements et EHPAD sans appui, listés ci-dessous, sont la priorité de l'année "
        "à venir.",
    ),
    (
        "ema",
        "Toutes les équipes n'ont pas encore transmis leur rapport d'activité : la synthèse "
        "ci-dessous ne compte que les rapports validés par la coordination, et sera complétée "
        "avant la validation de ce rapport. Les équipes font état d'une participation "
        "régulière aux commissions de coordination des EHPAD et aux CAI/CLIN des "
        "établissements qu'elles accompagnent.",
    ),
    (
        "audits",
        "L'audit des cystites de la femme en ville est mené en deux tours : entre le "
        "premier et le second, la réalisation de la bandelette urinaire et le choix de la "
        "fosfomycine en première intention progressent. L'audit des durées "
        "d'antibiothérapie en établissement sera reconduit l'an prochain.",
    ),
    (
        "network_actions",
        "Les actions de sensibilisation et les événements en pharmacie et en milieu scolaire "
        "touchent le plus de personnes ; les ateliers entre pairs et les visites de cabinet, "
        "plus nombreux, réunissent de petits groupes de médecins généralistes.",
    ),
)


@dataclass(frozen=True)
class ReportDemo:
    year: int
    created: bool
    versions: int

    @property
    def summary(self) -> str:
        if not self.created:
            return f"rapport annuel {self.year} déjà présent"
        return f"projet de rapport annuel {self.year} ({self.versions} versions de textes)"


def build_demo(*, year: int) -> ReportDemo:
    """A draft report of ``year`` with texts by the demo coordinator."""
    author = User.objects.filter(role=Role.COORDINATOR, username="demo-coordination").first()
    with transaction.atomic():
        report, created = AnnualReport.objects.get_or_create(year=year)
        if not created:
            return ReportDemo(year=year, created=False, versions=0)
        versions: dict[str, int] = {}
        for key, text in TEXTS:
            report.save_text(key, text, author=author, base_version=versions.get(key, 0))
            versions[key] = versions.get(key, 0) + 1
    return ReportDemo(year=year, created=True, versions=sum(versions.values()))
