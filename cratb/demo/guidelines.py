"""The demo region's guidelines and care pathways (``cratb demo``).

- a handful of real public references: title, source, date and the link to their
  publisher's page only (nothing of their text is copied);
- a regional protocol that is the demo's own, marked as a demonstration, restricted to
  signed-in professionals, in two versions (the first superseded), with a small PDF written
  here so that the search over the PDFs' text has something to find;
- two care pathways (cystitis, pyelonephritis) with their steps, protocol and targeted
  antibiogram situation.

Written by natural keys (title and version, syndrome): a second run writes nothing new.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from cratb.guidelines import pdf
from cratb.guidelines.models import Audience, Document, Pathway, PathwayStep, Sector


@dataclass(frozen=True)
class Reference:
    title: str
    summary: str
    sector: str
    syndrome: str
    audience: str
    source: str
    published_on: datetime.date
    url: str


#: Public references (links checked against the publishers' pages in December 2026).
REFERENCES = (
    Reference(
        title=(
            "Choix et durées d'antibiothérapies : cystite aiguë simple, à risque de "
            "complication ou récidivante, de la femme"
        ),
        summary=(
            "Fiche mémo de la HAS, élaborée avec la SPILF : diagnostic par bandelette "
            "urinaire, traitements de première et deuxième intention, durées les plus courtes."
        ),
        sector=Sector.COMMUNITY,
        syndrome="uti_cystitis",
        audience=Audience.PRESCRIBERS,
        source="Haute Autorité de santé (HAS), SPILF",
        published_on=datetime.date(2021, 8, 27),
        url=(
            "https://www.has-sante.fr/jcms/c_2722827/fr/choix-et-durees-d-antibiotherapies-"
            "cystite-aigue-simple-a-risque-de-complication-ou-recidivante-de-la-femme"
        ),
    ),
    Reference(
        title="Choix et durée de l'antibiothérapie : pyélonéphrite aiguë de la femme",
        summary=(
            "Fiche mémo de la HAS, élaborée avec la SPILF : pyélonéphrite simple ou à risque "
            "de complication, examens, traitement probabiliste puis adapté, durées."
        ),
        sector=Sector.COMMUNITY,
        syndrome="uti_pyelonephritis",
        audience=Audience.PRESCRIBERS,
        source="Haute Autorité de santé (HAS), SPILF",
        published_on=datetime.date(2021, 8, 27),
        url="https://www.has-sante.fr/jcms/c_2722914/fr/pyelonephrite-aigue-de-la-femme",
    ),
    Reference(
        title=(
            "Recommandations pour la prise en charge des infections urinaires "
            "communautaires de l'adulte (actualisation 2017)"
        ),
        summary=(
            "Recommandations de la SPILF (Caron F. et al., Médecine et maladies infectieuses "
            "2018;48(5):327-358) : colonisation, cystites, pyélonéphrites, infections "
            "urinaires masculines et de la femme enceinte."
        ),
        sector=Sector.ALL,
        syndrome="uti_pyelonephritis",
        audience=Audience.PRESCRIBERS,
        source="Société de pathologie infectieuse de langue française (SPILF)",
        published_on=datetime.date(2018, 8, 1),
        url="https://doi.org/10.1016/j.medmal.2018.03.005",
    ),
    Reference(
        title="Antibio'Malin : bien utiliser les antibiotiques",
        summary=(
            "L'espace d'information du public sur les antibiotiques et les infections "
            "courantes (angine, otite, cystite…) : quand un antibiotique est utile, comment "
            "le prendre, comment se soigner sans."
        ),
        sector=Sector.ALL,
        syndrome="",
        audience=Audience.PATIENTS,
        source="Ministère de la Santé, Santé publique France (sante.fr)",
        published_on=datetime.date(2019, 11, 18),
        url="https://www.sante.fr/antibiomalin",
    ),
)

PROTOCOL_TITLE = "Pyélonéphrite aiguë de l'adulte en ville : protocole régional (démonstration)"
PROTOCOL_VERSIONS = (
    (
        datetime.date(2025, 3, 1),
        "Version de démonstration 2025 : relais oral guidé par l'antibiogramme ciblé.",
    ),
    (
        datetime.date(2026, 9, 1),
        "Version de démonstration 2026 : relais oral guidé par l'antibiogramme ciblé ; "
        "avis de l'EMA du territoire en cas de BLSE ou d'échec à 72 heures.",
    ),
)


def _protocol_pdf(summary: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(PROTOCOL_TITLE)
    lines = [
        "DOCUMENT DE DEMONSTRATION - aucun usage clinique",
        PROTOCOL_TITLE,
        summary,
        "Signes de gravite : avis du CRAtb (ligne d'avis) ou orientation aux urgences.",
        "Relais oral selon l'antibiogramme cible : amoxicilline si sensible.",
        "Echec a 72 heures, BLSE : avis de l'EMA du territoire.",
    ]
    y = 800
    for line in lines:
        page.drawString(50, y, line[:110])
        y -= 18
    page.save()
    return buffer.getvalue()


def _document(**fields: object) -> tuple[Document, bool]:
    found = Document.objects.filter(title=str(fields["title"]), version=1)
    if found.exists():
        return found.get(), False
    document = Document(**fields)
    document.save()
    return document, True


def _protocol() -> tuple[Document, int]:
    written = 0
    previous: Document | None = None
    for version, (published_on, summary) in enumerate(PROTOCOL_VERSIONS, start=1):
        existing = Document.objects.filter(title=PROTOCOL_TITLE, version=version).first()
        if existing is not None:
            previous = existing
            continue
        data = _protocol_pdf(summary)
        upload = SimpleUploadedFile("protocole-pna-demo.pdf", data, "application/pdf")
        checked = pdf.check(upload)
        document = Document(
            title=PROTOCOL_TITLE,
            summary=summary,
            sector=Sector.COMMUNITY,
            syndrome="uti_pyelonephritis",
            audience=Audience.PRESCRIBERS,
            source="CRAtb de la région de démonstration",
            published_on=published_on,
            restricted=True,
            file=pdf.store(upload),
            file_name=checked.name,
            file_size=checked.size,
            text=checked.text,
        )
        if previous is None:
            document.save()
        else:
            previous.new_version(document)
        previous = document
        written += 1
    assert previous is not None
    return previous, written


def _pathways(protocol: Document, cystitis_sheet: Document) -> int:
    written = 0
    specs = (
        (
            "uti_pyelonephritis",
            "Pyélonéphrite aiguë de l'adulte en ville",
            "Qui appeler, à quel moment, pour une pyélonéphrite aiguë traitée en ville.",
            protocol,
            "pyelonephritis",
            (
                (
                    "Signes de gravité ou doute diagnostique",
                    "Orienter aux urgences si sepsis.",
                    PathwayStep.Contact.ADVICE,
                ),
                (
                    "Traitement probabiliste puis relais",
                    "Selon le protocole régional ; ECBU avec antibiogramme ciblé.",
                    PathwayStep.Contact.NONE,
                ),
                ("BLSE ou échec à 72 heures", "Avis spécialisé.", PathwayStep.Contact.EMA),
            ),
        ),
        (
            "uti_cystitis",
            "Cystite de la femme",
            "Cystite simple : pas d'ECBU ; à risque de complication : ECBU et traitement adapté.",
            cystitis_sheet,
            "simple_cystitis",
            (
                (
                    "Cystite simple",
                    "Fosfomycine-trométamol, selon la fiche mémo HAS.",
                    PathwayStep.Contact.NONE,
                ),
                (
                    "Récidive, échec ou résistance",
                    "ECBU ; demander un avis.",
                    PathwayStep.Contact.ADVICE,
                ),
            ),
        ),
    )
    for syndrome, title, summary, doc, situation, steps in specs:
        pathway, created = Pathway.objects.get_or_create(
            syndrome=syndrome,
            defaults={
                "title": title,
                "summary": summary,
                "protocol": doc,
                "ast_situation": situation,
            },
        )
        if created:
            written += 1
            PathwayStep.objects.bulk_create(
                PathwayStep(pathway=pathway, order=n, title=t, text=text, contact=contact)
                for n, (t, text, contact) in enumerate(steps, start=1)
            )
    return written


@dataclass(frozen=True)
class GuidelinesDemo:
    documents: int
    pathways: int

    @property
    def summary(self) -> str:
        return f"{self.documents} document(s) et {self.pathways} fiche(s) parcours écrits"


def build_demo() -> GuidelinesDemo:
    with transaction.atomic():
        written = 0
        sheets: dict[str, Document] = {}
        for ref in REFERENCES:
            document, created = _document(**ref.__dict__)
            sheets[ref.syndrome] = sheets.get(ref.syndrome) or document
            written += created
        protocol, protocol_written = _protocol()
        pathways = _pathways(protocol, sheets["uti_cystitis"])
    return GuidelinesDemo(documents=written + protocol_written, pathways=pathways)
