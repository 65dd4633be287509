"""How the pages name the values of a --by column: an establishment by its name (from the
directory) with its FINESS number, not by the number alone."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from cratb.engine import dimensions
from cratb.network.models import Organization, Territory


def specialty_label(code: str) -> str:
    """« médecine générale » for ``general_practice``, in the page's language
    (``dimensions.SPECIALTY_LABELS``); an unknown code as it is."""
    label = dimensions.SPECIALTY_LABELS.get(code)
    return _(label) if label is not None else code


def establishment_names(finess: Iterable[str]) -> dict[str, str]:
    """FINESS number → « Name (FINESS) » for the numbers the directory knows (one query);
    an unknown number keeps its number alone."""
    wanted = {str(f) for f in finess if f}
    known = dict(
        Organization.objects.filter(finess__in=wanted)
        .exclude(name="")
        .values_list("finess", "name")
    )
    return {f: f"{known[f]} ({f})" if f in known else f for f in wanted}


def territory_names(codes: Iterable[str]) -> dict[str, str]:
    """CPTS or GHT code → « Name (code) » for the codes the directory knows (one query)."""
    wanted = {str(c) for c in codes if c}
    if not wanted:
        return {}
    known = dict(
        Territory.objects.filter(kind__in=("cpts", "ght"), code__in=wanted).values_list(
            "code", "name"
        )
    )
    return {c: f"{known[c]} ({c})" if c in known else c for c in wanted}
