"""The demo region's directory (``cratb demo``), with deliberate gaps.

Built from the demo generator's ``establishments.csv``, so the directory holds exactly the
hospitals of the warehouse (same FINESS), then adds what a region has around them: one
GHT and one EMA team per département (the EMA hosted by its largest public hospital),
nursing homes, a lab per département, CPTS over the communes of each département,
referents, infectiologists, GP ambassadors and CPTS referents, and EMA agreements.

Deliberate gaps, for the map and the gap page to show:
- some nursing homes have no agreement (about one in four, at least one);
- some CPTS have no referent, some an untrained one;
- one establishment has neither referent nor EMA coverage;
- the département with the most acute-care beds (but the first) has no EMA team and
  thin referent time, below the national benchmark.

Deterministic for (region, seed, scale): the same arguments give the same directory, and
every row is written by its natural key (FINESS, RPPS, territory code, role dates), so a
second run writes nothing new.
"""

from __future__ import annotations

import csv
import datetime
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from cratb.engine import reference
from cratb.engine.demo.codes import finess
from cratb.engine.identifiers import rpps
from cratb.network.models import (
    CoverageAgreement,
    Organization,
    Practitioner,
    PractitionerRole,
    Profession,
    Territory,
    TerritoryCommune,
)

F = PractitionerRole.Function
INHABITANTS_PER_CPTS = 100_000
#: Share of acute-care (MCO) beds by establishment type of establishments.csv.
ACUTE_SHARE = {"chu": 0.8, "ch": 0.6, "clinic": 0.9, "rehab": 0.0, "psy": 0.0}
PUBLIC_TYPES = ("chu", "ch", "psy")
ROLE_START = datetime.date(2022, 1, 1)

FIRST_NAMES = (
    "Camille", "Dominique", "Claude", "Alix", "Sacha", "Morgan", "Lou", "Charlie", "Noa",
    "Eden", "Maël", "Andréa", "Louise", "Hugo", "Inès", "Jules", "Léa", "Nathan", "Chloé",
    "Lucas", "Manon", "Adam", "Sarah", "Yanis", "Emma", "Rayan", "Jeanne", "Paul", "Zoé",
    "Malik", "Anaïs", "Théo", "Nadia", "Karim", "Sophie", "Mehdi", "Claire", "Olivier",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Benali", "Nguyen",
)  # fmt: skip


@dataclass(frozen=True)
class DemoDirectory:
    organizations: int
    practitioners: int
    roles: int
    agreements: int
    territories: int

    @property
    def summary(self) -> str:
        return (
            f"{self.organizations} organisations, {self.practitioners} personnes, "
            f"{self.roles} rôles, {self.agreements} conventions, {self.territories} territoires "
            "écrits (0 partout : déjà à jour)"
        )


def read_establishments(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class _Builder:
    def __init__(self, *, region_code: str, seed: int, scale: float) -> None:
        self.region_code = region_code
        self.rng = random.Random(f"cratb-network-demo|{region_code}|{seed}|{scale!r}")
        self.scale = scale
        self.person_seq = 0
        self.written = {"organizations": 0, "practitioners": 0, "roles": 0, "agreements": 0,
                        "territories": 0}  # fmt: skip

    # -- writing by natural key ----------------------------------------------------------

    def _upsert(self, model: Any, key: dict[str, Any], values: dict[str, Any], counter: str) -> Any:
        row = model.objects.filter(**key).first()
        if row is None:
            self.written[counter] += 1
            return model.objects.create(**key, **values)
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            row.save(update_fields=changed)
            self.written[counter] += 1
        return row

    def organization(self, *, key: dict[str, Any], **values: Any) -> Organization:
        org: Organization = self._upsert(Organization, key, values, "organizations")
        return org

    def person(self, profession: str, specialty: str = "") -> Practitioner:
        self.person_seq += 1
        number = rpps(f"99{self.region_code.zfill(2)[-2:]}{self.person_seq:06d}")
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        slug = f"{first}.{last}".lower()
        for accented, plain in (("é", "e"), ("è", "e"), ("ë", "e"), ("ï", "i"), ("ç", "c")):
            slug = slug.replace(accented, plain)
        person: Practitioner = self._upsert(
            Practitioner,
            {"rpps": number},
            {
                "last_name": last,
                "first_name": first,
                "profession": profession,
                "specialty": specialty,
                "email": f"{slug}.{self.person_seq}@demo.cratb.localhost",
                "phone": f"01 00 {self.person_seq // 100 % 100:02d} {self.person_seq % 100:02d} 00",
                "listed": self.rng.random() > 0.05,
            },
            "practitioners",
        )
        return person

    def role(
        self,
        person: Practitioner,
        function: str,
        *,
        organization: Organization | None = None,
        territory: Territory | None = None,
        fte: float | None = None,
        trained_on: datetime.date | None = None,
    ) -> PractitionerRole:
        start = ROLE_START + datetime.timedelta(days=self.rng.randrange(0, 900))
        role: PractitionerRole = self._upsert(
            PractitionerRole,
            {
                "practitioner": person,
                "function": function,
                "organization": organization,
                "territory": territory,
            },
            {
                "start": start,
                "end": None,
                "fte": None if fte is None else Decimal(str(fte)).quantize(Decimal("0.01")),
                "trained_on": trained_on,
            },
            "roles",
        )
        return role

    def agreement(self, ema: Organization, establishment: Organization, level: int) -> None:
        start = datetime.date(2023, 1, 1) + datetime.timedelta(days=self.rng.randrange(0, 500))
        existing = CoverageAgreement.objects.filter(ema=ema, establishment=establishment).first()
        if existing is None:
            CoverageAgreement.objects.create(
                ema=ema, establishment=establishment, level=level, start=start
            )
            self.written["agreements"] += 1

    def territory(self, *, kind: str, code: str, name: str, parent: Territory) -> Territory:
        row: Territory = self._upsert(
            Territory, {"kind": kind, "code": code}, {"name": name, "parent": parent}, "territories"
        )
        return row

    # -- the region ----------------------------------------------------------------------

    def build(self, establishments: list[dict[str, str]]) -> None:
        region = Territory.objects.get(kind=Territory.Kind.REGION, code=self.region_code)
        deps = {t.code: t for t in Territory.objects.departements().filter(parent=region)}
        communes_by_dep: dict[str, list[reference.Commune]] = {code: [] for code in deps}
        for commune in reference.communes().values():
            # Paris, Lyon and Marseille count through their arrondissements.
            split = commune.code in ("75056", "69123", "13055")
            if commune.departement in communes_by_dep and not split:
                communes_by_dep[commune.departement].append(commune)
        # The warehouse's nursing homes (EHPAD without a hospital pharmacy, whose
        # resident-days feed the nursing-home indicator) keep their FINESS numbers here.
        homes = [row for row in establishments if row["type"] == "ehpad"]
        establishments = [row for row in establishments if row["type"] != "ehpad"]
        hospitals = self._hospitals(establishments, deps, communes_by_dep)
        first_dep = min(deps)
        uncovered = self._pick_uncovered(hospitals)
        thin = self._pick_thin(hospitals, exclude=deps[first_dep], uncovered=uncovered)
        for code in sorted(deps):
            dep = deps[code]
            local = [h for h in hospitals if h.departement_id == dep.pk]
            local_homes = [row for row in homes if row["departement"] == code]
            self._departement(dep, region, local, local_homes, communes_by_dep[code], uncovered,
                              thin=(dep == thin), first=(code == first_dep))  # fmt: skip

    def _hospitals(
        self,
        establishments: list[dict[str, str]],
        deps: dict[str, Territory],
        communes_by_dep: dict[str, list[reference.Commune]],
    ) -> list[Organization]:
        out = []
        for row in establishments:
            kind = (
                Organization.Kind.CLINIC if row["type"] == "clinic" else Organization.Kind.HOSPITAL
            )
            beds = int(row["beds"])
            out.append(
                self.organization(
                    key={"finess": row["finess"]},
                    name=row["name"],
                    kind=kind,
                    category=row["type"],
                    departement=deps[row["departement"]],
                    beds=beds,
                    acute_beds=round(beds * ACUTE_SHARE.get(row["type"], 0.0)),
                    commune_code=self._commune(communes_by_dep[row["departement"]]).code,
                    phone="01 00 00 00 00",
                    email=f"accueil.{row['finess']}@demo.cratb.localhost",
                )
            )
        return out

    def _pick_uncovered(self, hospitals: list[Organization]) -> Organization | None:
        """The establishment left with neither referent nor EMA: a clinic if there is one."""
        clinics = [h for h in hospitals if h.category == "clinic"]
        candidates = clinics or [h for h in hospitals if h.category not in PUBLIC_TYPES]
        return candidates[-1] if candidates else None

    def _pick_thin(
        self, hospitals: list[Organization], *, exclude: Territory, uncovered: Organization | None
    ) -> Territory | None:
        """The département left without an EMA team and with thin referent time: the one
        with the most acute-care beds (but the first, whose EMA the demo EMA user joins)."""
        beds: dict[int, int] = {}
        for h in hospitals:
            if (
                h.departement_id
                and h.departement_id != exclude.pk
                and h != uncovered
                and h.acute_beds
            ):
                beds[h.departement_id] = beds.get(h.departement_id, 0) + h.acute_beds
        if not beds:
            return None
        return Territory.objects.get(pk=max(beds, key=lambda pk: (beds[pk], -pk)))

    def _commune(self, communes: list[reference.Commune]) -> reference.Commune:
        weights = [c.population or 1 for c in communes]
        return self.rng.choices(communes, weights=weights)[0]

    def _simulated(self, dep: Territory) -> float:
        return (dep.population or 0) * self.scale

    def _departement(
        self,
        dep: Territory,
        region: Territory,
        hospitals: list[Organization],
        homes: list[dict[str, str]],
        communes: list[reference.Commune],
        uncovered: Organization | None,
        *,
        thin: bool,
        first: bool,
    ) -> None:
        ght = self.territory(
            kind=Territory.Kind.GHT,
            code=f"GHT-{dep.code}",
            name=f"GHT de démonstration {dep.name}",
            parent=region,
        )
        ght.covered_departements.set([dep])
        public = [h for h in hospitals if h.category in PUBLIC_TYPES]
        for hospital in public:
            if hospital.ght_id != ght.pk:
                hospital.ght = ght
                hospital.save(update_fields=["ght"])
        ema = None
        if not thin:
            # The demo EMA user's team (cratb.demo.accounts) has this very name.
            ema = self.organization(
                key={"kind": Organization.Kind.EMA, "name": f"EMA de démonstration — {dep.name}"},
                departement=dep,
                host=max(public, key=lambda h: h.beds or 0, default=None),
                served_territory=ght,
                phone="01 00 00 11 11",
                email=f"ema.{dep.code.lower()}@demo.cratb.localhost",
            )
            self._ema_team(ema)
        for hospital in hospitals:
            self._hospital_people(hospital, ema, uncovered, thin=thin)
        self._nursing_homes(dep, homes, communes, ema, first=first)
        lab = self.organization(
            key={"finess": finess(dep.code, 7000)},
            name=f"Laboratoire de biologie médicale de démonstration {dep.name}",
            kind=Organization.Kind.LAB,
            departement=dep,
            commune_code=self._commune(communes).code,
        )
        self.role(self.person(Profession.BIOLOGIST, "microbiologie"), F.MICROBIOLOGIST,
                  organization=lab, fte=0.3)  # fmt: skip
        self._cpts(dep, communes, first=first)

    def _ema_team(self, ema: Organization) -> None:
        self.role(self.person(Profession.PHYSICIAN, "infectiologie"), F.INFECTIOLOGIST,
                  organization=ema, fte=0.2)  # fmt: skip
        self.role(self.person(Profession.PHYSICIAN, "médecine générale"), F.EMA_GP_REFERENT,
                  organization=ema, fte=0.2)  # fmt: skip
        self.role(self.person(Profession.PHARMACIST, "pharmacie hospitalière"), F.EMA_MEMBER,
                  organization=ema, fte=0.5)  # fmt: skip
        self.role(self.person(Profession.NURSE), F.EMA_MEMBER, organization=ema, fte=0.2)

    def _hospital_people(
        self, hospital: Organization, ema: Organization | None, uncovered: Organization | None,
        *, thin: bool,
    ) -> None:  # fmt: skip
        if hospital == uncovered:
            return
        acute = hospital.acute_beds or 0
        if hospital.category == "chu":
            for _i in range(max(2, round(acute / 400))):
                fte = round(self.rng.uniform(0.6, 1.0), 1)
                self.role(self.person(Profession.PHYSICIAN, "infectiologie"), F.INFECTIOLOGIST,
                          organization=hospital, fte=fte)  # fmt: skip
        if hospital.category in ("chu", "ch", "clinic") and acute:
            # Near the benchmark in most départements, far below it in one.
            target = acute * 3.6 / 1000 * (0.3 if thin else self.rng.uniform(0.7, 1.4))
            fte = min(1.5, max(0.1, round(target, 1)))
            self.role(self.person(Profession.PHYSICIAN, "médecine interne"), F.REFERENT,
                      organization=hospital, fte=fte)  # fmt: skip
        elif self.rng.random() < 0.5:
            self.role(self.person(Profession.PHARMACIST), F.REFERENT, organization=hospital,
                      fte=0.1)  # fmt: skip
        elif ema is not None:
            self.agreement(ema, hospital, self.rng.choice([1, 2]))

    def _nursing_homes(
        self,
        dep: Territory,
        homes: list[dict[str, str]],
        communes: list[reference.Commune],
        ema: Organization | None,
        *,
        first: bool,
    ) -> None:
        for i, row in enumerate(homes):
            commune = self._commune(communes)
            home = self.organization(
                key={"finess": row["finess"]},
                name=row["name"],
                kind=Organization.Kind.NURSING_HOME,
                category=Organization.Category.EHPAD,
                departement=dep,
                beds=int(row["beds"]),
                commune_code=commune.code,
                phone="01 00 00 22 22",
            )
            if self.rng.random() < 0.8:
                self.role(self.person(Profession.PHYSICIAN, "gériatrie"), F.NURSING_HOME_DOCTOR,
                          organization=home, fte=0.4)  # fmt: skip
            # One home in four has no agreement; in the first département the first home
            # never has one, so the gap shows at every scale.
            if ema is None or (first and i == 0) or self.rng.random() < 0.25:
                continue
            self.agreement(ema, home, self.rng.choice([1, 2, 3]))

    def _cpts(self, dep: Territory, communes: list[reference.Commune], *, first: bool) -> None:
        count = max(2, round(self._simulated(dep) / INHABITANTS_PER_CPTS))
        for k, group in enumerate(_sectors(communes, count), start=1):
            if not group:
                continue
            main = max(group, key=lambda c: c.population or 0)
            territory = self.territory(
                kind=Territory.Kind.CPTS,
                code=f"CPTS-{dep.code}-{k}",
                name=f"CPTS de démonstration {main.name}",
                parent=dep,
            )
            wanted = {c.code for c in group}
            territory.communes.exclude(code__in=wanted).delete()
            have = set(territory.communes.values_list("code", flat=True))
            TerritoryCommune.objects.bulk_create(
                TerritoryCommune(territory=territory, code=code) for code in sorted(wanted - have)
            )
            cpts = self.organization(
                key={"kind": Organization.Kind.CPTS, "name": f"CPTS de démonstration {main.name}"},
                departement=dep,
                served_territory=territory,
                commune_code=main.code,
                email=f"cpts.{main.code}@demo.cratb.localhost",
            )
            # First CPTS of the first département: no referent; second: one, not trained.
            if first and k == 1:
                referents = 0
            else:
                referents = self.rng.choice([1, 1, 2]) if not (first and k == 2) else 1
            for r in range(referents):
                trained = None
                if not (first and k == 2) and self.rng.random() < 0.5:
                    trained = datetime.date(2024, 3, 1) + datetime.timedelta(
                        days=self.rng.randrange(0, 300)
                    )
                self.role(self.person(Profession.PHYSICIAN, "médecine générale"),
                          F.CPTS_REFERENT, organization=cpts, territory=territory,
                          fte=0.1, trained_on=trained)  # fmt: skip
                del r
            if k % 2 == 1:
                self.role(self.person(Profession.PHYSICIAN, "médecine générale"),
                          F.GP_AMBASSADOR, territory=territory, fte=0.2)  # fmt: skip


def _sectors(communes: list[reference.Commune], count: int) -> list[list[reference.Commune]]:
    """Split a département's communes into ``count`` contiguous groups of similar population.

    Communes are ordered by their angle around the département's centre, so each group is a
    slice of the département; communes without coordinates follow in code order.
    """
    located = [c for c in communes if c.lat is not None and c.lon is not None]
    others = sorted((c for c in communes if c.lat is None or c.lon is None), key=lambda c: c.code)
    if located:
        lat0 = sum(c.lat for c in located if c.lat is not None) / len(located)
        lon0 = sum(c.lon for c in located if c.lon is not None) / len(located)
        located.sort(key=lambda c: (math.atan2((c.lat or 0) - lat0, (c.lon or 0) - lon0), c.code))
    ordered = located + others
    total = sum(c.population or 1 for c in ordered)
    groups: list[list[reference.Commune]] = [[] for _ in range(count)]
    running = 0
    for commune in ordered:
        index = min(count - 1, int(running * count / total))
        groups[index].append(commune)
        running += commune.population or 1
    return groups


def build_demo(*, region_code: str, seed: int, scale: float, establishments: Path) -> DemoDirectory:
    """Write the demo directory of ``region_code``; return how many rows were written."""
    builder = _Builder(region_code=region_code, seed=seed, scale=scale)
    with transaction.atomic():
        builder.build(read_establishments(establishments))
    w = builder.written
    return DemoDirectory(
        organizations=w["organizations"],
        practitioners=w["practitioners"],
        roles=w["roles"],
        agreements=w["agreements"],
        territories=w["territories"],
    )
