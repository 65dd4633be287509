"""Who sees what in the directory, on top of each view's declared audience.

- The coordination and the administrator see and edit everything.
- An EMA member sees the directory (names, roles, organisations and their public contact)
  and the contact details of the people of their own team: those with a role in the team,
  in the establishment that hosts it, or in an establishment it supports by agreement.
- Agency viewers see aggregates (map, gaps), never a person's contact details.
- Requesters and the public see the public directory: names, roles and organisations of
  the people ``listed`` in it, with the organisations' public contact.
"""

from __future__ import annotations

from typing import Any

from cratb.accounts.models import Role
from cratb.network.models import (
    CoverageAgreement,
    Membership,
    Organization,
    Practitioner,
    PractitionerRole,
)

MANAGERS = (Role.COORDINATOR, Role.ADMIN)


def manages_directory(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*MANAGERS)


def team_organizations(user: Any) -> set[int]:
    """The organisations whose people an EMA member may contact: the team's own circle."""
    team_id = Membership.of(user).team_id
    if not team_id or not user.has_role(Role.EMA_MEMBER):
        return set()
    ids = {team_id}
    host = Organization.objects.filter(pk=team_id).values_list("host_id", flat=True).first()
    if host:
        ids.add(host)
    ids.update(
        CoverageAgreement.objects.active()
        .filter(ema_id=team_id)
        .values_list("establishment_id", flat=True)
    )
    return ids


def contact_visible_ids(user: Any, people: list[Practitioner]) -> set[int]:
    """Among ``people``, those whose e-mail and phone ``user`` may read."""
    if manages_directory(user):
        return {p.pk for p in people}
    mine = {p.pk for p in people if p.user_id is not None and p.user_id == user.pk}
    orgs = team_organizations(user)
    if not orgs:
        return mine
    shared = PractitionerRole.objects.active().filter(
        practitioner__in=people, organization_id__in=orgs
    )
    return mine | set(shared.values_list("practitioner_id", flat=True))
