"""Directory of the regional network: territories (regions, départements, hospital groups
GHT, CPTS), organisations (FINESS), people (RPPS), their roles with dates and FTE, the
coverage agreements between EMA teams and the establishments they support, and the
users' memberships (their team and territories).

Names follow FHIR and the French directories: ``Organization`` (FINESS), ``Practitioner``
(RPPS), ``PractitionerRole``.

Organisations, people, roles and coverage agreements keep a history of their changes
(django-simple-history: who, when, the values before and after; the rows of that
history are written once). Organisations, people and roles carry a ``version``: an edit
made from what a person saw is saved with ``save_checked(expected_version=…)``, which
refuses it with ``EditConflict`` when someone saved in between (optimistic locking, as
advice requests).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cratb.accounts.append_only import AppendOnlyModel
from cratb.engine import identifiers, reference


class EditConflict(Exception):
    """Someone saved the record since the version the person edited."""

    def __init__(self, *, current: models.Model, expected: int) -> None:
        super().__init__(f"{current._meta.label} {current.pk}: version {expected} is stale")
        self.current = current
        self.expected = expected


class Versioned(models.Model):
    """A record edited from the pages, with a version for optimistic locking."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save_checked(self, *, expected_version: int) -> None:
        """Save this edit made from ``expected_version``; ``EditConflict`` (nothing saved)
        when the stored record has moved on. The version is bumped by one conditional
        UPDATE, so two edits of one version cannot both pass."""
        model = type(self)
        with transaction.atomic():
            bumped = model._default_manager.filter(pk=self.pk, version=expected_version).update(
                version=F("version") + 1
            )
            if not bumped:
                raise EditConflict(
                    current=model._default_manager.get(pk=self.pk), expected=expected_version
                )
            self.version = expected_version + 1
            self.save()


def _history() -> HistoricalRecords:
    # The history's rows are written once (never saved again nor deleted one by one).
    return HistoricalRecords(bases=[AppendOnlyModel])


def _today() -> datetime.date:
    return timezone.localdate()


def active_on(day: datetime.date | None = None) -> Q:
    """Rows with ``start`` and ``end`` dates that are in force on ``day`` (default: today)."""
    when = day or _today()
    return Q(start__lte=when) & (Q(end__isnull=True) | Q(end__gte=when))


class TerritoryQuerySet(models.QuerySet["Territory"]):
    def departements(self) -> TerritoryQuerySet:
        return self.filter(kind=Territory.Kind.DEPARTEMENT)

    def covering_commune(self, code: str) -> TerritoryQuerySet:
        """GHT and CPTS covering a commune, by its own code or its whole département."""
        found = reference.commune(code)
        departement = found.departement if found else None
        return self.filter(
            Q(communes__code=code)
            | Q(covered_departements__code=departement, covered_departements__kind="departement")
        ).distinct()


class Territory(models.Model):
    """A region or a département (INSEE COG code), or a GHT or a CPTS with what it covers.

    Regions and départements come from the reference table (``territories.py``); GHT and
    CPTS are entered by the coordination, with the communes (``TerritoryCommune``) or the
    whole départements (``covered_departements``) they cover. Their ``parent`` is their
    region (GHT) or their main département (CPTS).
    """

    class Kind(models.TextChoices):
        REGION = "region", _("Région")
        DEPARTEMENT = "departement", _("Département")
        GHT = "ght", _("Groupement hospitalier de territoire (GHT)")
        CPTS = "cpts", _("Territoire de CPTS")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("nom"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("région"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("année de la population"), null=True, blank=True
    )
    covered_departements = models.ManyToManyField(
        "self",
        verbose_name=_("départements couverts en entier"),
        blank=True,
        symmetrical=False,
        related_name="covering_territories",
        limit_choices_to={"kind": "departement"},
    )

    objects: ClassVar[TerritoryQuerySet] = TerritoryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="territory_unique_kind_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TerritoryCommune(models.Model):
    """One commune (INSEE code) covered by a GHT or a CPTS."""

    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.CASCADE, related_name="communes"
    )
    code = models.CharField(_("code INSEE de la commune"), max_length=5)

    class Meta:
        verbose_name = _("commune couverte")
        verbose_name_plural = _("communes couvertes")
        ordering = ["territory", "code"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "code"], name="territory_commune_unique"),
        ]

    def __str__(self) -> str:
        found = reference.commune(self.code)
        return found.label if found else self.code

    def clean(self) -> None:
        if reference.commune(self.code) is None:
            raise ValidationError({"code": _("Code INSEE de commune inconnu.")})


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def establishments(self) -> OrganizationQuerySet:
        """Where patients are cared for: hospitals, clinics, nursing homes."""
        return self.filter(kind__in=Organization.ESTABLISHMENT_KINDS)


class Organization(Versioned):
    """A hospital, clinic, nursing home, lab, CPTS, EMA team or the CRAtb itself."""

    class Kind(models.TextChoices):
        CRATB = "cratb", _("CRAtb")
        HOSPITAL = "hospital", _("Établissement de santé")
        CLINIC = "clinic", _("Clinique")
        NURSING_HOME = "nursing_home", _("EHPAD")
        LAB = "lab", _("Laboratoire de biologie médicale")
        CPTS = "cpts", _("CPTS")
        EMA = "ema", _("Équipe multidisciplinaire en antibiothérapie (EMA)")
        AGENCY = "agency", _("Agence ou assurance maladie")
        OTHER = "other", _("Autre")

    class Category(models.TextChoices):
        """The establishment types of the demo's ``establishments.csv`` (``type`` column)."""

        CHU = "chu", _("Centre hospitalier universitaire")
        CH = "ch", _("Centre hospitalier")
        CLINIC = "clinic", _("Clinique")
        REHAB = "rehab", _("Soins médicaux et de réadaptation")
        PSY = "psy", _("Santé mentale")
        EHPAD = "ehpad", _("EHPAD")
        OTHER = "other", _("Autre")

    ESTABLISHMENT_KINDS: ClassVar[tuple[str, ...]] = ("hospital", "clinic", "nursing_home")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    finess = models.CharField(_("FINESS"), max_length=9, blank=True)
    departement = models.ForeignKey(
        Territory,
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        limit_choices_to={"kind": Territory.Kind.DEPARTEMENT},
    )
    category = models.CharField(
        _("catégorie d'établissement"), max_length=20, choices=Category.choices, blank=True
    )
    beds = models.PositiveIntegerField(_("lits et places"), null=True, blank=True)
    acute_beds = models.PositiveIntegerField(
        _("lits de court séjour (MCO)"),
        null=True,
        blank=True,
        help_text=_("Médecine, chirurgie, obstétrique : la base du ratio d'ETP pour 1000 lits."),
    )
    ght = models.ForeignKey(
        Territory,
        verbose_name=_("GHT"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ght_members",
        limit_choices_to={"kind": Territory.Kind.GHT},
    )
    served_territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire desservi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_by",
        help_text=_(
            "Pour une CPTS : son territoire ; pour une EMA : le territoire qu'elle couvre."
        ),
    )
    host = models.ForeignKey(
        "self",
        verbose_name=_("établissement de rattachement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted",
        help_text=_("Pour une EMA : l'établissement qui la porte."),
    )
    commune_code = models.CharField(_("commune (code INSEE)"), max_length=5, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("courriel"), blank=True)

    objects: ClassVar[OrganizationQuerySet] = OrganizationQuerySet.as_manager()  # type: ignore[assignment]
    history = _history()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["finess"], condition=~Q(finess=""), name="organization_unique_finess"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_establishment(self) -> bool:
        return self.kind in self.ESTABLISHMENT_KINDS

    @property
    def commune(self) -> reference.Commune | None:
        return reference.commune(self.commune_code) if self.commune_code else None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.finess:
            try:
                self.finess = identifiers.check_finess(
                    self.finess, departements=frozenset(reference.departements())
                )
            except identifiers.IdentifierError as exc:
                errors["finess"] = str(exc)
            else:
                duplicate = Organization.objects.filter(finess=self.finess).exclude(pk=self.pk)
                if duplicate.exists():
                    errors["finess"] = _("Ce numéro FINESS est déjà celui de « %(name)s ».") % {
                        "name": duplicate.first()
                    }
        if self.commune_code and reference.commune(self.commune_code) is None:
            errors["commune_code"] = _("Code INSEE de commune inconnu.")
        if self.acute_beds and self.beds and self.acute_beds > self.beds:
            errors["acute_beds"] = _("Plus de lits de court séjour que de lits au total.")
        if errors:
            raise ValidationError(errors)


class Profession(models.TextChoices):
    PHYSICIAN = "physician", _("Médecin")
    PHARMACIST = "pharmacist", _("Pharmacien")
    BIOLOGIST = "biologist", _("Biologiste médical")
    NURSE = "nurse", _("Infirmier")
    DENTIST = "dentist", _("Chirurgien-dentiste")
    MIDWIFE = "midwife", _("Sage-femme")
    OTHER = "other", _("Autre profession")


class Practitioner(Versioned):
    """A person of the network, by RPPS number when they have one.

    The e-mail and phone are professional contact details shown to the coordination
    and the person's own EMA team only; the public directory shows the name, the role
    and the organisation's public contact, and only for people ``listed`` in it.
    """

    rpps = models.CharField(
        _("RPPS"), max_length=11, blank=True, help_text=_("11 chiffres, le dernier est une clé.")
    )
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    specialty = models.CharField(_("spécialité"), max_length=100, blank=True)
    email = models.EmailField(_("courriel professionnel"), blank=True)
    phone = models.CharField(_("téléphone professionnel"), max_length=30, blank=True)
    listed = models.BooleanField(
        _("dans l'annuaire public"),
        default=True,
        help_text=_(
            "Nom, rôle et structure visibles par tous ; jamais le courriel ni le téléphone."
        ),
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practitioner",
    )

    history = _history()

    class Meta:
        verbose_name = _("professionnel")
        verbose_name_plural = _("professionnels")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["rpps"], condition=~Q(rpps=""), name="practitioner_unique_rpps"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def duplicate(self) -> Practitioner | None:
        """Another person with the same RPPS, or, without RPPS, the same name and e-mail."""
        others = Practitioner.objects.exclude(pk=self.pk)
        if self.rpps:
            return others.filter(rpps=self.rpps).first()
        if not self.email:
            return None
        return others.filter(
            last_name__iexact=self.last_name.strip(),
            first_name__iexact=self.first_name.strip(),
            email__iexact=self.email.strip(),
        ).first()

    def clean(self) -> None:
        if self.rpps:
            try:
                self.rpps = identifiers.check_rpps(self.rpps)
            except identifiers.IdentifierError as exc:
                raise ValidationError({"rpps": str(exc)}) from None
        other = self.duplicate()
        if other is not None:
            raise ValidationError(
                _("Cette personne est déjà dans l'annuaire : %(name)s%(rpps)s.")
                % {"name": other, "rpps": f" (RPPS {other.rpps})" if other.rpps else ""}
            )


class RoleQuerySet(models.QuerySet["PractitionerRole"]):
    def active(self, on: datetime.date | None = None) -> RoleQuerySet:
        return self.filter(active_on(on))


class PractitionerRole(Versioned):
    """What a person does in the network, where, since when and for how much time."""

    class Function(models.TextChoices):
        INFECTIOLOGIST = "infectiologist", _("Infectiologue")
        REFERENT = "antibiotic_referent", _("Référent en antibiothérapie")
        EMA_MEMBER = "ema_member", _("Membre d'une EMA")
        EMA_GP_REFERENT = "ema_gp_referent", _("Médecin généraliste référent d'EMA")
        GP_AMBASSADOR = "gp_ambassador", _("Médecin généraliste ambassadeur")
        CPTS_REFERENT = "cpts_referent", _("Référent antibiotiques de CPTS")
        PHARMACIST = "pharmacist", _("Pharmacien")
        MICROBIOLOGIST = "microbiologist", _("Microbiologiste")
        NURSE = "nurse", _("Infirmier")
        NURSING_HOME_DOCTOR = "nursing_home_doctor", _("Médecin coordonnateur d'EHPAD")

    #: The functions counted in the FTE per 1000 acute-care beds (expert antibiotic time).
    EXPERT_FUNCTIONS: ClassVar[tuple[str, ...]] = (
        "infectiologist",
        "antibiotic_referent",
        "ema_member",
    )

    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("professionnel"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    function = models.CharField(_("fonction"), max_length=30, choices=Function.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roles",
        help_text=_("Pour un ambassadeur ou un référent de CPTS : le territoire animé."),
    )
    start = models.DateField(_("début"), default=_today)
    end = models.DateField(_("fin"), null=True, blank=True)
    fte = models.DecimalField(
        _("ETP"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1.5"))],
        help_text=_(
            "Équivalent temps plein consacré à cette fonction (0,2 = un jour par semaine)."
        ),
    )
    trained_on = models.DateField(
        _("formé le"),
        null=True,
        blank=True,
        help_text=_("Formation suivie hors des sessions enregistrées ici."),
    )

    objects: ClassVar[RoleQuerySet] = RoleQuerySet.as_manager()  # type: ignore[assignment]
    history = _history()

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        ordering = ["practitioner", "function", "-start"]

    def __str__(self) -> str:
        where = self.organization or self.territory
        label = self.get_function_display()
        return f"{self.practitioner} — {label}" + (f" ({where})" if where else "")

    def clean(self) -> None:
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("La fin précède le début.")})
        if self.organization is None and self.territory is None:
            raise ValidationError(_("Indiquez une structure ou un territoire."))

    @property
    def is_active(self) -> bool:
        today = _today()
        return self.start <= today and (self.end is None or self.end >= today)


class AgreementQuerySet(models.QuerySet["CoverageAgreement"]):
    def active(self, on: datetime.date | None = None) -> AgreementQuerySet:
        return self.filter(active_on(on))


class CoverageAgreement(models.Model):
    """An EMA team supports an establishment that has no antibiotic expertise of its own."""

    class Level(models.IntegerChoices):
        ADVICE = 1, _("1 — avis à la demande")
        VISITS = 2, _("2 — avis et visites programmées")
        FULL = 3, _("3 — accompagnement complet (avis, visites, audits, formation)")

    ema = models.ForeignKey(
        Organization,
        verbose_name=_("EMA"),
        on_delete=models.CASCADE,
        related_name="agreements",
        limit_choices_to={"kind": Organization.Kind.EMA},
    )
    establishment = models.ForeignKey(
        Organization,
        verbose_name=_("établissement accompagné"),
        on_delete=models.CASCADE,
        related_name="coverage",
    )
    level = models.PositiveSmallIntegerField(
        _("niveau d'appui"), choices=Level.choices, default=Level.ADVICE
    )
    start = models.DateField(_("début"), default=_today)
    end = models.DateField(_("fin"), null=True, blank=True)

    objects: ClassVar[AgreementQuerySet] = AgreementQuerySet.as_manager()  # type: ignore[assignment]
    history = _history()

    class Meta:
        verbose_name = _("convention EMA")
        verbose_name_plural = _("conventions EMA")
        ordering = ["ema", "establishment"]
        constraints = [
            models.UniqueConstraint(
                fields=["ema", "establishment", "start"], name="agreement_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ema} → {self.establishment}"

    def clean(self) -> None:
        errors = {}
        if self.ema_id and self.ema.kind != Organization.Kind.EMA:
            errors["ema"] = _("La structure qui accompagne doit être une EMA.")
        if self.establishment_id and not self.establishment.is_establishment:
            errors["establishment"] = _(
                "Une convention couvre un établissement de santé ou un EHPAD."
            )
        if self.end and self.start and self.end < self.start:
            errors["end"] = _("La fin précède le début.")
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    """Where a user stands in the network: the team they work in and the territories they
    cover. With their role (``cratb.accounts``), it decides which rows a user sees: the
    advice requests of their team and territories, the indicators of their territories,
    the contact details of their team's circle (``access.py``).

    At most one per user; a user without one has no team and no territory
    (:meth:`of`). Loaded with the user of each page (``auth.MembershipBackend``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="membership",
    )
    team = models.ForeignKey(
        Organization,
        verbose_name=_("équipe ou structure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    territories = models.ManyToManyField(
        Territory, verbose_name=_("territoires"), blank=True, related_name="memberships"
    )

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def of(cls, user: Any) -> Membership:
        """``user``'s membership; an empty one (not saved) for a user who has none, or for
        an anonymous visitor (whose empty membership has no user: ask it for no
        territories)."""
        try:
            found: Membership = user.membership
        except (cls.DoesNotExist, AttributeError):
            found = cls() if user.pk is None else cls(user_id=user.pk)
        return found
