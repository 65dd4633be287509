"""The feedback reports as :class:`cratb.documents.Document`: one per establishment, per
identified community prescriber, per CPTS. The page, the download, the e-mail attachment
and the download link all print the same document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cratb.charts.bars import Bar, Reference, ranked_bars
from cratb.charts.funnel import FunnelPoint, Limits, funnel_plot
from cratb.charts.numbers import format_count, format_number
from cratb.charts.series import Point, time_series
from cratb.dashboards.models import IndicatorValue
from cratb.documents import (
    Block,
    ChartBlock,
    Column,
    Document,
    Figure,
    FigureList,
    Heading,
    Paragraph,
    Section,
    Table,
    render,
)
from cratb.engine.indicators import CATALOGUE
from cratb.feedback import figures
from cratb.feedback.figures import NoReport
from cratb.feedback.models import Kind
from cratb.network.models import Organization, Territory

SUBTITLE = "Rapport de retour d'information du CRAtb"
NOT_AVAILABLE = "non disponible"
SHORT_UNIT = "DDJ/1000 JH"


@dataclass(frozen=True)
class Subject:
    """Whom a report is about: its kind, its key (FINESS, RPPS, CPTS code), its name."""

    kind: str
    key: str
    label: str


def _document(title: str, year: int, sections: tuple[Section, ...], on: date) -> Document:
    return Document(
        title=title,
        subtitle=SUBTITLE,
        notes=(f"Année {year}", f"Données publiées au {on:%d/%m/%Y}"),
        dated=on,
        sections=sections,
    )


# ---- establishment --------------------------------------------------------------------


def establishment(finess: str) -> Organization:
    org = Organization.objects.filter(finess=finess).exclude(finess="").first()
    if org is None or org.kind not in Organization.ESTABLISHMENT_KINDS:
        raise NoReport(f"Aucun établissement de l'annuaire n'a le FINESS « {finess[:12]} ».")
    return org


def establishment_document(org: Organization, year: int, *, on: date | None = None) -> Document:
    on = on or timezone.localdate()
    indicator = CATALOGUE[figures.HOSPITAL]
    unit = indicator.unit
    short = SHORT_UNIT
    series = figures.establishment_series(org.finess)
    mine = series.get(year)
    blocks: list[Block] = []
    if mine is None or mine.value is None:
        blocks.append(
            Paragraph(
                f"Aucune consommation publiée pour {year} : l'établissement n'a pas transmis"
                " sa consommation et ses journées d'hospitalisation de l'année, ou la"
                " publication des indicateurs ne les contient pas encore."
            )
        )
    else:
        blocks.append(
            FigureList(
                (
                    Figure("Consommation", mine.value, short, 1),
                    Figure("DDJ d'antibactériens J01", mine.numerator, "DDJ", 0),
                    Figure("Journées d'hospitalisation (milliers)", mine.denominator, "", 1),
                ),
                title=f"{org.name}, {year}",
            )
        )
        blocks += _peer_blocks(org, year, mine.value, unit)
        blocks.append(Paragraph(f"{short} : {unit}."))
    blocks += _trend_blocks(org, series, year, unit)
    blocks.append(Heading("Par classe d'antibiotiques"))
    classes = figures.establishment_classes(org.finess, year)
    if classes is None:
        blocks.append(
            Paragraph(
                f"Par classe : {NOT_AVAILABLE} (la publication des indicateurs ne contient"
                " pas la consommation par établissement et par classe)."
            )
        )
    elif not classes:
        blocks.append(Paragraph(f"Par classe : {NOT_AVAILABLE} pour {year}."))
    else:
        blocks.append(
            Table(
                (Column("Classe ATC3"), Column(unit, 1), Column("DDJ", 0)),
                tuple((str(r.dimensions.get("atc3", "")), r.value, r.numerator) for r in classes),
                caption="Consommation par classe (numérateur de la classe, dénominateur de"
                " l'établissement)",
            )
        )
    blocks += _sector_blocks(org, year, unit)
    sections = [Section("Consommation d'antibiotiques", tuple(blocks))]
    sections.append(Section("Résistance et antibiogramme ciblé", tuple(_lab_blocks(org, year))))
    return _document(f"{org.name} — consommation et résistance", year, tuple(sections), on)


def _sector_blocks(org: Organization, year: int, unit: str) -> list[Block]:
    rows = figures.establishment_sectors(org.finess, year)
    if rows is None:
        return [
            Paragraph(
                f"Par secteur : {NOT_AVAILABLE} (aucun fichier de consommation publié ne donne"
                " le secteur d'hospitalisation ; colonne facultative sector)."
            )
        ]
    if not rows:
        return [
            Paragraph(
                f"Par secteur : {NOT_AVAILABLE} pour {year} (le fichier de consommation de"
                " l'établissement ne donne pas le secteur, ou ses secteurs n'ont pas de"
                " journées d'hospitalisation déclarées)."
            )
        ]
    bars = [
        Bar(figures.sector_label(str(r.dimensions.get("sector", ""))), r.value)
        for r in rows
        if r.value is not None
    ]
    return [
        Heading("Par secteur d'hospitalisation"),
        Table(
            (
                Column("Secteur"),
                Column(unit, 1),
                Column("DDJ", 0),
                Column("Journées d'hospitalisation", 0),
            ),
            tuple(
                (
                    figures.sector_label(str(r.dimensions.get("sector", ""))),
                    r.value,
                    r.numerator,
                    None if r.denominator is None else r.denominator * 1000.0,
                )
                for r in rows
            ),
            caption="Consommation par secteur (DDJ du secteur ÷ journées du secteur)",
        ),
        ChartBlock(
            ranked_bars(
                bars,
                title=f"{org.name} : consommation par secteur, {year}",
                unit=unit,
                decimals=1,
                language="fr",
                subject="secteurs",
            )
        ),
    ]


def _category_label(org: Organization) -> str:
    return org.get_category_display() if org.category else ""


def _peer_blocks(org: Organization, year: int, value: float, unit: str) -> list[Block]:
    category = _category_label(org)
    peers = figures.peer_values(org.category, year) if org.category else {}
    pos = figures.position(value, list(peers.values()))
    notes: list[Block] = []
    if pos is not None:
        group = f"de la catégorie « {category} »"
    else:
        notes.append(
            Paragraph(
                f"Moins de 3 établissements de la catégorie « {category} » ont une"
                f" consommation publiée en {year} : la comparaison porte sur tous les"
                " établissements."
                if category
                else "La catégorie de l'établissement n'est pas renseignée dans l'annuaire :"
                " la comparaison porte sur tous les établissements."
            )
        )
        peers = figures.peer_values(None, year)
        pos = figures.position(value, list(peers.values()))
        group = "de la région"
        if pos is None:
            return [
                Paragraph(
                    f"Comparaison aux pairs : moins de 3 établissements ont une consommation"
                    f" publiée en {year}."
                ),
            ]
    names = dict(Organization.objects.filter(finess__in=list(peers)).values_list("finess", "name"))
    bars = [
        Bar(("(vous) " if f == org.finess else "") + names.get(f, f), v) for f, v in peers.items()
    ]
    chart = ranked_bars(
        bars,
        title=f"Consommation des établissements {group}, {year}",
        unit=unit,
        decimals=1,
        language="fr",
        reference=Reference(pos.median, "Médiane"),
        subject="établissements",
    )
    return [
        Heading(f"Face aux établissements {group}"),
        *notes,
        FigureList(
            (
                Figure("Établissements comparés", pos.peers, "", 0),
                Figure("1er quartile (P25)", pos.p25, SHORT_UNIT, 1),
                Figure("Médiane (P50)", pos.median, SHORT_UNIT, 1),
                Figure("3e quartile (P75)", pos.p75, SHORT_UNIT, 1),
                Figure(
                    "Position",
                    pos.percentile,
                    "%",
                    0,
                    note="part des établissements comparés à une consommation inférieure ou égale",
                ),
            )
        ),
        ChartBlock(chart, caption="« (vous) » : votre établissement."),
    ]


def _trend_blocks(
    org: Organization, series: dict[int, IndicatorValue], year: int, unit: str
) -> list[Block]:
    points = [
        Point(y, r.value) for y, r in sorted(series.items()) if y <= year and r.value is not None
    ]
    if len(points) < 2:
        return [Paragraph("Évolution : une seule année publiée, pas encore de tendance.")]
    chart = time_series(
        points,
        title=f"{org.name} : consommation par année",
        unit=unit,
        decimals=1,
        language="fr",
    )
    return [Heading("Évolution"), ChartBlock(chart)]


def _lab_blocks(org: Organization, year: int) -> list[Block]:
    lab_id = figures.lab_of(org)
    if not lab_id:
        return [
            Paragraph(
                "Aucun laboratoire n'est rattaché à l'établissement dans le CRAtb : la"
                " résistance de ses isolats et l'antibiogramme ciblé ne sont pas"
                " disponibles."
            )
        ]
    out: list[Block] = [
        Paragraph(
            f"Laboratoire : {lab_id}. Les résistances suivies en priorité (céphalosporines de"
            " 3e génération, fluoroquinolones, carbapénèmes, SARM) ; le détail est sur la"
            " page des résistances."
        )
    ]
    resistance = figures.lab_resistance(lab_id, year)
    if resistance is None:
        out.append(
            Paragraph(
                f"Résistance : {NOT_AVAILABLE} (la publication ne contient pas les valeurs"
                " par laboratoire)."
            )
        )
    elif not resistance:
        out.append(
            Paragraph(f"Résistance : aucun isolat publié pour {year} pour les couples suivis.")
        )
    else:
        out.append(
            Table(
                (
                    Column("Bactérie"),
                    Column("Antibiotique"),
                    Column("Isolats testés", 0),
                    Column("% résistants", 1),
                ),
                tuple(
                    (
                        str(r.dimensions.get("organism", "")),
                        str(r.dimensions.get("antibiotic", "")),
                        r.denominator,
                        r.value,
                    )
                    for r in resistance
                ),
                caption=f"Résistance des premiers isolats du laboratoire, {year}",
            )
        )
    targeted = figures.lab_targeted(lab_id)
    if targeted is None:
        out.append(
            Paragraph(
                f"Antibiogramme ciblé : {NOT_AVAILABLE} (la publication ne contient pas les"
                " valeurs par laboratoire)."
            )
        )
    elif not targeted:
        out.append(Paragraph("Antibiogramme ciblé : aucun ECBU publié pour ce laboratoire."))
    else:
        out.append(
            Table(
                (
                    Column("Année"),
                    Column("ECBU à entérobactéries", 0),
                    Column("Rendus ciblés", 0),
                    Column("% ciblés", 1),
                ),
                tuple(
                    (str(y), r.denominator, r.numerator, r.value)
                    for y, r in sorted(targeted.items())
                ),
                caption="Adoption de l'antibiogramme ciblé par le laboratoire",
            )
        )
    return out


# ---- prescriber -----------------------------------------------------------------------


SHARE_MEANS = (
    "La part mesurée ici est celle des lignes de prescription d'antibiotiques J01 portant"
    " sur l'amoxicilline-acide clavulanique, les céphalosporines de 3e et 4e générations ou"
    " les fluoroquinolones (toutes voies), délivrées en ville. Les objectifs de la ROSP"
    " (intermédiaire 52 %, cible ≤ 32 %) portent sur la part des patients traités par ces"
    " antibiotiques parmi les patients traités par antibiotiques : la comparaison est"
    " indicative."
)


def prescriber_document(prescriber_id: str, year: int, *, on: date | None = None) -> Document:
    on = on or timezone.localdate()
    rpps = figures.check_identified(prescriber_id)
    rows = figures.prescriber_rows(rpps)
    mine = rows.get(year)
    if mine is None:
        raise NoReport(f"Aucune prescription publiée pour le RPPS {rpps} en {year}.")
    name = figures.prescriber_name(rpps)
    specialty = str(mine.dimensions.get("prescriber_specialty", ""))
    extra = mine.extra or {}
    share = mine.value
    status = _rosp_status(share)
    blocks: list[Block] = [
        FigureList(
            (
                Figure("Lignes d'antibiotiques J01 délivrées", mine.denominator, "", 0),
                Figure("DDJ", extra.get("ddd"), "DDJ", 0),
                Figure("Part des antibiotiques à haut risque", share, "%", 1, note=status),
                Figure("Part des pairs de même spécialité", extra.get("peer_share"), "%", 1),
                Figure("Excès de lignes par rapport aux pairs", extra.get("excess_lines"), "", 0),
            ),
            title=f"{name}, {year}",
        ),
        Paragraph(SHARE_MEANS),
    ]
    blocks += _funnel_blocks(rpps, specialty, year, mine)
    points = [Point(y, r.value) for y, r in sorted(rows.items()) if r.value is not None]
    if len(points) >= 2:
        blocks.append(Heading("Évolution"))
        blocks.append(
            ChartBlock(
                time_series(
                    points,
                    title="Part des antibiotiques à haut risque par année",
                    unit="%",
                    decimals=1,
                    language="fr",
                    target=[(points[0].period, figures.ROSP_TARGET), (year, figures.ROSP_TARGET)],
                    target_label="Cible ROSP ≤ 32 %",
                )
            )
        )
    else:
        blocks.append(Paragraph("Évolution : une seule année publiée, pas encore de tendance."))
    return _document(
        f"{name} — prescriptions d'antibiotiques",
        year,
        (Section("Vos prescriptions", tuple(blocks)),),
        on,
    )


def _funnel_blocks(rpps: str, specialty: str, year: int, mine: IndicatorValue) -> list[Block]:
    peers = figures.specialty_peers(specialty, year)
    if len(peers) < 3:
        return [Paragraph("Position parmi les pairs : moins de 3 prescripteurs comparables.")]
    points = []
    limits = []
    for r in peers:
        e = r.extra or {}
        me = r.dimensions.get("prescriber_id") == rpps
        points.append(
            FunnelPoint("Vous" if me else "Un pair", float(r.denominator or 0), float(r.value or 0))
        )
        if None not in (
            e.get("limit_95_low"),
            e.get("limit_95_high"),
            e.get("limit_998_low"),
            e.get("limit_998_high"),
        ):
            limits.append(
                Limits(
                    float(r.denominator or 0),
                    float(e["limit_95_low"]),
                    float(e["limit_95_high"]),
                    float(e["limit_998_low"]),
                    float(e["limit_998_high"]),
                )
            )
    mean = float((peers[0].extra or {}).get("peer_share") or 0.0)
    chart = funnel_plot(
        points,
        limits,
        mean=mean,
        title=f"Part des antibiotiques à haut risque, {figures.specialty_label(specialty)}, {year}",
        unit="%",
        size_title="lignes J01",
        decimals=1,
        language="fr",
        subject="prescripteurs",
        clip=(0.0, 100.0),
    )
    return [
        Heading("Parmi les prescripteurs de même spécialité"),
        ChartBlock(
            chart,
            caption=f"Votre point : {format_count(mine.denominator, language='fr')} lignes,"
            f" {format_number(mine.value, decimals=1, language='fr')} % ;"
            f" {len(peers)} prescripteurs de même spécialité ; limites de contrôle à 95 % et"
            " 99,8 % autour de la part des pairs (graphique en entonnoir).",
        ),
    ]


# ---- CPTS -----------------------------------------------------------------------------


def cpts(code: str) -> Territory:
    found = Territory.objects.filter(kind=Territory.Kind.CPTS, code=code).first()
    if found is None:
        raise NoReport(f"Aucun territoire de CPTS n'a le code « {code[:20]} ».")
    return found


PATIENT_SHARE_MEANS = (
    "La part mesurée ici est celle des patients traités par un antibiotique à haut risque"
    " de résistance (amoxicilline-acide clavulanique, fluoroquinolones, céphalosporines de"
    " 3e génération par voie orale) parmi les patients ayant reçu un antibiotique J01 en"
    " ville dans l'année, comptés par leur identifiant pseudonyme : la mesure des"
    " objectifs de la ROSP (intermédiaire 52 %, cible ≤ 32 %)."
)
LINES_FALLBACK = (
    "La part des patients n'est pas publiée pour ce territoire : la part affichée est celle"
    " des lignes de prescription. Elle n'est pas comparable aux seuils de la ROSP, qui"
    " portent sur des patients."
)


def _rosp_status(share: float | None) -> str:
    if share is None:
        return ""
    if share <= figures.ROSP_TARGET:
        return "à l'objectif (≤ 32 %)"
    if share <= figures.ROSP_INTERMEDIATE:
        return "au-dessus de la cible, sous le seuil intermédiaire"
    return "au-dessus du seuil intermédiaire (52 %)"


def _share_figure(share: figures.CptsShare, year: int) -> Figure:
    value = share.value.value if share.value is not None else None
    level = f"niveau : {share.level}" if share.level else f"{NOT_AVAILABLE} pour {year}"
    if share.basis == "patients":
        if share.masked:
            note = "masquée : moins de 11 patients traités (secret statistique)"
        else:
            note = " ; ".join(x for x in (_rosp_status(value), level) if x)
        label = "Part des patients traités par un antibiotique à haut risque"
        return Figure(label, value, "%", 1, note=note)
    note = "masquée : moins de 11 lignes (secret statistique)" if share.masked else level
    return Figure(
        "Part des lignes de prescription d'antibiotiques « critiques »",
        value,
        "%",
        1,
        note=note + ("" if value is None else " ; non comparable aux seuils ROSP"),
    )


def _boxes_figure(territory: Territory, year: int) -> Figure:
    boxes = figures.cpts_boxes(territory, year)
    if boxes is None:
        note = f"{NOT_AVAILABLE} : la publication ne compte pas les boîtes par CPTS"
    elif boxes.value is None:
        note = "masqué : moins de 11 lignes de ces antibiotiques (secret statistique)"
    else:
        note = "nettes des retours, patients résidant dans la CPTS"
    return Figure(
        "Boîtes d'antibiotiques à haut risque délivrées",
        boxes.value if boxes is not None else None,
        "",
        0,
        note=note,
    )


def _ordering_figure(territory: Territory, year: int) -> Figure:
    row = figures.cpts_ordering(territory, year)
    if row is None:
        note = f"{NOT_AVAILABLE} : pas de répertoire des cabinets ou de commandes de kits publiés"
    elif row.value is None:
        note = "masquée : moins de 11 cabinets au répertoire (secret statistique)"
    else:
        note = (
            f"{format_count(row.numerator, language='fr')} cabinets sur"
            f" {format_count(row.denominator, language='fr')} au répertoire"
        )
    return Figure(
        "Cabinets ayant commandé des kits de TROD angine",
        row.value if row is not None else None,
        "%",
        1,
        note=note,
    )


def cpts_document(territory: Territory, year: int, *, on: date | None = None) -> Document:
    on = on or timezone.localdate()
    share = figures.cpts_share(territory, year)
    blocks: list[Block] = [
        FigureList(
            (
                _boxes_figure(territory, year),
                _share_figure(share, year),
                Figure("Seuil intermédiaire ROSP", figures.ROSP_INTERMEDIATE, "%", 0),
                Figure("Cible ROSP", figures.ROSP_TARGET, "%", 0),
                _ordering_figure(territory, year),
            ),
            title=f"{territory.name}, {year}",
        )
    ]
    if share.basis == "patients":
        blocks.append(Paragraph(PATIENT_SHARE_MEANS))
    else:
        blocks += [Paragraph(LINES_FALLBACK), Paragraph(SHARE_MEANS)]
    if share.level and share.level != "CPTS":
        blocks.append(
            Paragraph(
                "Les indicateurs ne sont pas encore publiés par CPTS : la part affichée est"
                f" celle du {share.level}."
            )
        )
    events = figures.cpts_events(territory, year)
    event_blocks: list[Block] = [
        FigureList(
            (
                Figure("Actions menées", len(events), "", 0),
                Figure("Personnes touchées", sum(e.people_reached for e in events), "", 0),
            )
        )
    ]
    if events:
        event_blocks.append(
            Table(
                (Column("Date"), Column("Action"), Column("Public"), Column("Personnes", 0)),
                tuple(
                    (
                        f"{e.date:%d/%m/%Y}",
                        f"{e.get_kind_display()} — {e.title}",
                        e.get_audience_display(),
                        e.people_reached,
                    )
                    for e in events
                ),
                caption="Actions du journal d'activité du réseau",
            )
        )
    referents = figures.cpts_referents(territory, on)
    people: list[Block] = (
        [
            Table(
                (Column("Référent"), Column("Structure"), Column("Courriel")),
                tuple(
                    (
                        str(r.practitioner),
                        r.organization.name if r.organization else "",
                        r.practitioner.email,
                    )
                    for r in referents
                ),
            )
        ]
        if referents
        else [Paragraph("Aucun référent antibiotiques de CPTS dans l'annuaire.")]
    )
    return _document(
        f"{territory.name} — fiche CPTS",
        year,
        (
            Section("Indicateurs", tuple(blocks)),
            Section("Actions et référents", (*event_blocks, Heading("Référents"), *people)),
        ),
        on,
    )


# ---- one entry point ------------------------------------------------------------------


def subject_and_document(kind: str, key: str, year: int) -> tuple[Subject, Document]:
    """The report of ``kind`` for ``key``; ``NoReport`` with a French reason otherwise."""
    if kind == Kind.ESTABLISHMENT:
        org = establishment(key)
        found = figures.establishment_series(org.finess).get(year)
        if found is None or found.value is None:
            raise NoReport(
                f"Aucune consommation publiée pour {org.name} en {year} : pas de rapport."
            )
        return Subject(kind, org.finess, org.name), establishment_document(org, year)
    if kind == Kind.PRESCRIBER:
        rpps = figures.check_identified(key)
        return Subject(kind, rpps, figures.prescriber_name(rpps)), prescriber_document(rpps, year)
    if kind == Kind.CPTS:
        territory = cpts(key)
        return Subject(kind, territory.code, territory.name), cpts_document(territory, year)
    raise NoReport(f"Type de rapport inconnu « {kind[:20]} ».")


def pdf(document: Document) -> bytes:
    return render(document, "pdf")
