"""The main navigation, derived from each view's declared audience.

A link is shown only to the roles its view admits (``@allow``), so the menu never
leads a user to a "forbidden" page and cannot drift from the access rules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import get_urlconf, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cratb.accounts.access import Access
from cratb.accounts.models import User

ACCOUNT_URL_NAME = "accounts:account"


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str | Promise
    icon: str
    summary: str | Promise


#: The three missions of a CRAtb (surveillance, advice, network), then the training
#: plan and activity reports that belong to them. The order is the menu's order.
SECTIONS: tuple[Section, ...] = (
    Section(
        "dashboards:home",
        _("Surveillance"),
        "chart",
        _("Consommation d'antibiotiques et résistances bactériennes, par territoire."),
    ),
    Section(
        "resistance:antibiogram",
        _("Résistances"),
        "chart",
        _("Antibiogramme cumulé par secteur, codes d'antibiotiques des laboratoires."),
    ),
    Section(
        "advice:home",
        _("Conseil"),
        "chat",
        _("Demandes d'avis en antibiothérapie et réponses des infectiologues."),
    ),
    Section(
        "network:home",
        _("Réseau"),
        "network",
        _("Annuaire des EMA, référents et infectiologues de la région."),
    ),
    Section(
        "training:home",
        _("Formation"),
        "book",
        _("Plan régional de formation, sessions et inscriptions."),
    ),
    Section(
        "activity:home",
        _("Activité"),
        "clipboard",
        _(
            "Campagnes, plans d'action et rapports d'activité des EMA, synthèse régionale,"
            " actions du réseau."
        ),
    ),
    Section(
        "audits:home",
        _("Audits"),
        "clipboard",
        _("Audits de pratiques : grilles, campagnes, saisie des cas et retours."),
    ),
    Section(
        "outreach:home",
        _("Campagnes"),
        "clipboard",
        _("Visites des gros prescripteurs : cibles, visites et effet mesuré."),
    ),
    Section(
        "reports:list",
        _("Rapport annuel"),
        "clipboard",
        _("Rapport annuel d'activité du CRAtb : chiffres, textes, validation, exports."),
    ),
    Section(
        "feedback:index",
        _("Retours d'information"),
        "clipboard",
        _("Rapports de retour aux établissements, prescripteurs et CPTS ; envois et journal."),
    ),
    Section(
        "letters:manage",
        _("Actualités et lettres"),
        "clipboard",
        _("Actualités du site public, lettres aux prescripteurs et aux biologistes, abonnés."),
    ),
    Section(
        "feedback:mine",
        _("Mon rapport"),
        "clipboard",
        _("Vos prescriptions d'antibiotiques face à vos pairs et aux objectifs de la ROSP."),
    ),
    Section(
        "resistance:tokens",
        _("Accès API"),
        "lock",
        _("Jetons d'accès du laboratoire à l'API de rendu ciblé des antibiogrammes."),
    ),
    Section(
        "outreach:lab-adoption",
        _("Rendu ciblé"),
        "clipboard",
        _("Adoption du rendu ciblé des antibiogrammes par laboratoire, mois par mois."),
    ),
)


def access_of(url_name: str) -> Access:
    """The audience declared by the view behind ``url_name``."""
    return _access_of(url_name, get_urlconf())


@functools.cache
def _access_of(url_name: str, urlconf: str | None) -> Access:
    # Views and their audiences are fixed once the URLs are loaded: resolving each menu
    # entry on every page cost a millisecond per page.
    access: Access = resolve(reverse(url_name, urlconf=urlconf), urlconf=urlconf).func.cratb_access  # type: ignore[attr-defined]
    return access


def user_role(user: User | AnonymousUser) -> str | None:
    return user.role if isinstance(user, User) and user.is_active else None


def may_see(user: User | AnonymousUser, url_name: str) -> bool:
    return access_of(url_name).allows(user_role(user))


def sections_for(user: User | AnonymousUser) -> list[Section]:
    return sections_for_role(user_role(user))


def sections_for_role(role: str | None) -> list[Section]:
    return [section for section in SECTIONS if access_of(section.url_name).allows(role)]


def landing_url_name(user: User | AnonymousUser) -> str:
    """Where a user lands after login: their first section, else their account page."""
    sections = sections_for(user)
    return sections[0].url_name if sections else ACCOUNT_URL_NAME
