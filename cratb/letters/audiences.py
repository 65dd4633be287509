"""Who receives a letter: the directory's people of the audience chosen (prescribers of a
territory, biologists of the labs, EMA members) and the confirmed subscribers, each
address once, without the withdrawn and bounced addresses."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from cratb.letters.models import Audience, Bounce, Consent, Letter
from cratb.network.models import Organization, Practitioner, PractitionerRole, Profession, Territory

#: The professions that prescribe antibiotics.
PRESCRIBING = (Profession.PHYSICIAN, Profession.DENTIST, Profession.MIDWIFE)


def _territory_filter(territory: Territory) -> Q:
    """Roles held in ``territory``: at an organisation of it, or animating it (the
    départements a CPTS or GHT covers, the départements of a region)."""
    codes = Q(organization__departement=territory) | Q(territory=territory)
    codes |= Q(organization__departement__parent=territory)
    codes |= Q(territory__parent=territory)
    codes |= Q(organization__served_territory=territory) | Q(organization__ght=territory)
    return codes


def directory_addresses(audience: str, territory: Territory | None = None) -> list[str]:
    """The e-mail addresses the directory holds for ``audience`` (active roles only)."""
    roles = PractitionerRole.objects.active(timezone.localdate())
    if audience == Audience.PRESCRIBERS:
        roles = roles.filter(practitioner__profession__in=PRESCRIBING)
        if territory is not None:
            roles = roles.filter(_territory_filter(territory))
    elif audience == Audience.BIOLOGISTS:
        roles = roles.filter(
            Q(organization__kind=Organization.Kind.LAB)
            | Q(function=PractitionerRole.Function.MICROBIOLOGIST)
            | Q(practitioner__profession=Profession.BIOLOGIST)
        )
    elif audience == Audience.EMA:
        roles = roles.filter(
            Q(organization__kind=Organization.Kind.EMA)
            | Q(
                function__in=(
                    PractitionerRole.Function.EMA_MEMBER,
                    PractitionerRole.Function.EMA_GP_REFERENT,
                )
            )
        )
    else:
        return []
    emails = Practitioner.objects.filter(pk__in=roles.values("practitioner")).exclude(email="")
    return sorted({e.strip().lower() for e in emails.values_list("email", flat=True)})


def recipients(letter: Letter) -> list[str]:
    """Every address the letter goes to, once, in alphabetical order."""
    addresses = set(directory_addresses(letter.audience, letter.territory))
    if letter.audience == Audience.SUBSCRIBERS or letter.include_subscribers:
        addresses |= set(Consent.subscribed())
    addresses -= Consent.withdrawn()
    addresses -= {e.lower() for e in Bounce.objects.values_list("email", flat=True)}
    return sorted(addresses)
