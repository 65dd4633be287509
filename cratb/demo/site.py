"""The demo region's site pages (``cratb demo``): the home page's text, the centre, its
team, its phone lines (one per sub-region, with its hours and the hospital that answers),
how to ask for advice, the awareness week and the legal notices.

Names of hospitals come from the demo directory; people are invented; the phone numbers
are in the ranges ARCEP keeps for fiction (01 99 00, 02 61 91, 03 53 01, 04 65 71,
05 36 49…), so no real line is printed. A page that exists (by its slug) is left as the
coordination may have edited it: a second run writes nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from wagtail.models import Page

from cratb.cms.models import (
    ContentPage,
    HomePage,
    LegalNoticesPage,
    PhoneLine,
    PhoneLinesPage,
    TeamMember,
    TeamPage,
)
from cratb.network.models import Organization, Territory

#: Numbers reserved by ARCEP for fiction, one block per sub-region.
FICTION_NUMBERS = (
    "01 99 00 14 20",
    "02 61 91 27 40",
    "03 53 01 36 60",
    "04 65 71 48 10",
    "05 36 49 52 30",
)
HOURS = "Du lundi au vendredi, de 9 h à 17 h 30 (hors jours fériés)"

TEAM = (
    ("Dr Claire Dumas", "Infectiologue, coordinatrice médicale du CRAtb"),
    ("Dr Karim Benali", "Infectiologue, responsable de la ligne d'avis"),
    ("Julien Marchand", "Pharmacien, coordinateur du bon usage en ville"),
    ("Dr Hélène Cordier", "Microbiologiste, référente de la surveillance des résistances"),
    ("Sophie Lefèvre", "Infirmière, chargée de mission EHPAD et établissements médico-sociaux"),
    ("Anne Roussel", "Chargée de projet : formations, semaine de sensibilisation, lettres"),
    ("Thomas Girard", "Data manager : indicateurs de consommation et de résistance"),
)

ABOUT = """
<p>Le centre régional en antibiothérapie (CRAtb) est l'une des structures régionales
d'appui créées par l'instruction du 15 mai 2020 relative au bon usage des antibiotiques.
Il travaille avec l'agence régionale de santé, l'assurance maladie, le centre d'appui pour la
prévention des infections associées aux soins (CPias) et les équipes de la région.</p>
<h2>Ses missions</h2>
<ul>
<li>Conseiller les prescripteurs, en ville comme en établissement : une ligne d'avis et un
formulaire en ligne, avec une réponse d'infectiologue dans la journée ouvrée.</li>
<li>Animer le réseau des équipes multidisciplinaires en antibiothérapie (EMA), des référents
en établissement et des médecins généralistes ambassadeurs.</li>
<li>Suivre la consommation d'antibiotiques et les résistances bactériennes, et en rendre
compte par territoire.</li>
<li>Former les professionnels et sensibiliser le public.</li>
</ul>
<h2>Son organisation</h2>
<p>Le centre s'appuie sur une antenne par sous-région, rattachée à un établissement de
référence : chacune répond aux appels de son territoire et anime ses EMA.</p>
"""

ADVICE = """
<p>Un médecin, un pharmacien, un chirurgien-dentiste, une sage-femme ou une équipe d'EHPAD
peut demander l'avis d'un infectiologue sur un traitement antibiotique : choix de la
molécule, posologie, durée, adaptation à un antibiogramme, allergie.</p>
<h2>Trois façons de demander</h2>
<ol>
<li><b>Par téléphone</b>, aux heures ouvrées : le numéro de votre sous-région figure sur la
page « Lignes téléphoniques ».</li>
<li><b>Par le formulaire en ligne</b>, sans compte : un lien de confirmation vous est envoyé
par courriel, puis la réponse écrite de l'infectiologue.</li>
<li><b>Depuis votre espace</b>, si vous avez un compte de professionnel de santé : vos demandes
et leurs réponses y restent consultables.</li>
</ol>
<h2>Ce qu'il faut préparer</h2>
<ul>
<li>l'âge, le sexe, le poids et la fonction rénale du patient ;</li>
<li>le site de l'infection, les prélèvements et l'antibiogramme s'il existe ;</li>
<li>les traitements en cours et les allergies.</li>
</ul>
<p><b>Ne transmettez jamais le nom d'un patient</b> : ces éléments suffisent.</p>
"""

WEEK = """
<p>Chaque année en novembre, la semaine mondiale pour un bon usage des antibiotiques rappelle
que les antibiotiques ne sont pas automatiques et que leur mésusage favorise les bactéries
résistantes.</p>
<h2>Ce que propose le CRAtb</h2>
<ul>
<li>des affiches et un quiz pour les salles d'attente, les officines et les établissements ;</li>
<li>des ateliers animés par les EMA dans les établissements et les CPTS ;</li>
<li>une séance pour les écoles, avec le kit pédagogique e-Bug de Santé publique France ;</li>
<li>un webinaire ouvert à tous les professionnels, inscrit dans l'agenda des formations.</li>
</ul>
<p>Pour recevoir le matériel, écrivez à l'équipe de coordination ou inscrivez-vous aux
lettres du centre.</p>
"""


@dataclass(frozen=True)
class SiteDemo:
    created: int
    total: int

    @property
    def summary(self) -> str:
        return f"{self.total} pages du site ({self.created} créées)"


def _reference_hospital(departements: list[Territory]) -> str:
    """The hospital that hosts an antenna: a CHU of the sub-region, else its largest
    hospital, from the demo directory."""
    hospitals = Organization.objects.filter(
        kind=Organization.Kind.HOSPITAL, departement__in=departements
    )
    chosen = hospitals.filter(category="chu").order_by("name").first() or (
        hospitals.exclude(beds=None).order_by("-beds", "name").first()
    )
    return chosen.name if chosen is not None else f"Centre hospitalier de {departements[0].name}"


def _sub_regions(region: Territory) -> list[list[Territory]]:
    """The region's départements in at most five groups of neighbours (by code)."""
    departements = list(
        Territory.objects.filter(kind=Territory.Kind.DEPARTEMENT, parent=region).order_by("code")
    )
    count = min(len(departements), len(FICTION_NUMBERS), max(1, (len(departements) + 1) // 2))
    size = -(-len(departements) // count) if departements else 1
    return [departements[i : i + size] for i in range(0, len(departements), size)]


def _add(home: HomePage, page: Page) -> bool:
    """Add and publish ``page`` under the home page, unless its slug is taken."""
    if home.get_children().filter(slug=page.slug).exists():
        return False
    home.add_child(instance=page)
    page.save_revision().publish()
    return True


@transaction.atomic
def build_demo(*, region_code: str) -> SiteDemo:
    region = Territory.objects.get(kind=Territory.Kind.REGION, code=region_code)
    home = HomePage.objects.get()
    groups = _sub_regions(region)
    seat = _reference_hospital(groups[0]) if groups else f"CHU de la région {region.name}"

    if not home.body:
        home.title = f"CRAtb {region.name} — Centre régional en antibiothérapie"
        home.draft_title = home.title
        home.body = (
            "<p>Le centre conseille les professionnels de santé de la région sur les "
            "traitements antibiotiques, anime le réseau des équipes multidisciplinaires en "
            "antibiothérapie et suit la consommation d'antibiotiques et les résistances "
            f"bactériennes. Il est porté par le {seat}.</p>"
        )
        home.save_revision().publish()

    pages: list[Page] = [
        ContentPage(
            title="Le centre",
            slug="le-centre",
            lead=f"Le centre régional en antibiothérapie de la région {region.name} : ses "
            "missions, ses partenaires et son organisation.",
            body=ABOUT,
            search_description=f"Missions, partenaires et organisation du CRAtb {region.name}.",
            show_in_menus=True,
        ),
        TeamPage(
            title="L'équipe",
            slug="equipe",
            lead="L'équipe de coordination et les responsables des antennes.",
            search_description=f"Les membres de l'équipe du CRAtb {region.name} et leurs "
            "fonctions.",
            show_in_menus=True,
            members=[
                TeamMember(
                    name=name,
                    function=function,
                    antenna=_reference_hospital(groups[i % len(groups)]) if groups else seat,
                )
                for i, (name, function) in enumerate(TEAM)
            ],
        ),
        PhoneLinesPage(
            title="Lignes téléphoniques",
            slug="lignes-telephoniques",
            lead="Un infectiologue répond aux professionnels de santé de chaque sous-région "
            "aux heures ouvrées.",
            outside_hours="En dehors de ces horaires, posez votre question avec le formulaire "
            "en ligne : la réponse arrive le jour ouvré suivant. En cas d'urgence vitale, "
            "appelez le 15.",
            search_description="Le numéro de la ligne d'avis en antibiothérapie de chaque "
            "sous-région, ses horaires et l'antenne qui répond.",
            show_in_menus=True,
            lines=[
                PhoneLine(
                    sub_region=", ".join(f"{d.name} ({d.code})" for d in group),
                    number=FICTION_NUMBERS[i],
                    hours=HOURS,
                    antenna=_reference_hospital(group),
                )
                for i, group in enumerate(groups)
            ],
        ),
        ContentPage(
            title="Demander un avis",
            slug="demander-un-avis",
            lead="Comment demander l'avis d'un infectiologue sur un traitement antibiotique.",
            body=ADVICE,
            show_advice_button=True,
            search_description="Demander un avis sur un traitement antibiotique : par "
            "téléphone, par le formulaire en ligne ou depuis votre espace.",
            show_in_menus=True,
        ),
        ContentPage(
            title="Semaine mondiale du bon usage des antibiotiques",
            slug="semaine-antibiotiques",
            lead="Du 18 au 24 novembre : affiches, quiz, ateliers et webinaire.",
            body=WEEK,
            search_description="La semaine mondiale pour un bon usage des antibiotiques dans "
            "la région : matériel, ateliers, écoles.",
            show_in_menus=True,
        ),
        LegalNoticesPage(
            title="Mentions légales",
            slug="mentions-legales",
            publisher=f"CRAtb {region.name}, porté par le {seat}\n"
            "Service des maladies infectieuses et tropicales\n"
            "Téléphone du secrétariat : 01 99 00 14 00",
            publication_director=f"La directrice générale du {seat}",
            host=f"GCS e-santé {region.name}, hébergeur certifié pour les données de santé "
            "(HDS)\nSiège administratif de la région",
            data_protection_contact="dpo@demo.cratb.localhost",
            body="<p>Ce site n'enregistre aucune donnée identifiant un patient. Les cookies "
            "déposés servent seulement à la connexion et à la protection des formulaires ; "
            "aucun outil de mesure d'audience tiers n'est utilisé.</p>",
            search_description="Éditeur, directeur de la publication, hébergeur et contact "
            "pour les données personnelles du site du CRAtb.",
            show_in_menus=True,
        ),
    ]
    created = sum(_add(home, page) for page in pages)
    return SiteDemo(created=created, total=len(pages))
