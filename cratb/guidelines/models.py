"""Guidelines and documents (versioned, public or restricted, searchable) and care pathways
per syndrome (« fiches parcours »)."""

from __future__ import annotations

import unicodedata
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.access import WEB_ROLES
from cratb.engine.ast.rules import SITUATIONS
from cratb.guidelines.syndromes import Syndrome


def fold(text: str) -> str:
    """``text`` without accents nor case, for a search that finds « pyelonephrite » in
    « Pyélonéphrite » on SQLite as on PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class VersionError(ValueError):
    """A new version asked of a document that is already superseded (French message)."""


class Sector(models.TextChoices):
    COMMUNITY = "community", _("Ville")
    NURSING_HOME = "nursing_home", _("EHPAD et médico-social")
    HOSPITAL = "hospital", _("Établissement de santé")
    ALL = "all", _("Tous secteurs")


class Audience(models.TextChoices):
    PRESCRIBERS = "prescribers", _("Prescripteurs")
    PHARMACISTS = "pharmacists", _("Pharmaciens")
    NURSES = "nurses", _("Infirmiers et soignants")
    BIOLOGISTS = "biologists", _("Biologistes")
    PATIENTS = "patients", _("Patients et grand public")
    ALL = "all", _("Tous professionnels")


class DocumentQuerySet(models.QuerySet["Document"]):
    def current(self) -> DocumentQuerySet:
        """The versions in force (not superseded)."""
        return self.filter(superseded_at__isnull=True)

    def visible_to(self, user: Any) -> DocumentQuerySet:
        """Public documents, and restricted ones for a signed-in professional."""
        return self if may_read_restricted(user) else self.filter(restricted=False)

    def search(self, query: str) -> DocumentQuerySet:
        """Documents whose title, summary, source or PDF text hold every word of ``query``
        (accents and case ignored)."""
        result = self
        for word in fold(query).split()[:10]:
            result = result.filter(search_text__contains=word)
        return result


def may_read_restricted(user: Any) -> bool:
    """Restricted documents are for signed-in professionals: any active web account (the
    labs' API clients excepted)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "role", None) in WEB_ROLES
    )


class Document(models.Model):
    """A guideline or document: a PDF kept here, or a link to its publisher's page.

    A new version is a new row pointing to the one it replaces (``previous``); the old one
    stays reachable, marked superseded."""

    title = models.CharField(_("titre"), max_length=300)
    summary = models.TextField(_("résumé"), max_length=3000)
    sector = models.CharField(_("secteur"), max_length=20, choices=Sector.choices)
    syndrome = models.CharField(_("syndrome"), max_length=30, choices=Syndrome.choices, blank=True)
    audience = models.CharField(_("public visé"), max_length=20, choices=Audience.choices)
    source = models.CharField(_("source (auteur, éditeur)"), max_length=200)
    published_on = models.DateField(_("date de publication"))
    restricted = models.BooleanField(
        _("réservé aux professionnels connectés"),
        default=False,
        help_text=_("Sinon, le document est visible de tous sur le site public."),
    )
    url = models.URLField(_("lien externe"), max_length=500, blank=True)
    file = models.FileField(_("fichier PDF"), max_length=200, blank=True)
    file_name = models.CharField(_("nom du fichier"), max_length=200, blank=True)
    file_size = models.PositiveIntegerField(_("taille du fichier"), null=True, blank=True)
    text = models.TextField(_("texte du PDF"), blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("version précédente"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    superseded_at = models.DateTimeField(_("remplacé le"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects: ClassVar[DocumentQuerySet] = DocumentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title", "-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})" if self.version > 1 else self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = fold(" ".join((self.title, self.summary, self.source, self.text)))
        super().save(*args, **kwargs)

    @property
    def superseded(self) -> bool:
        return self.superseded_at is not None

    def latest(self) -> Document:
        """The version in force of this document's line."""
        doc = self
        while doc.superseded:
            nxt = Document.objects.filter(previous=doc).first()
            if nxt is None:
                break
            doc = nxt
        return doc

    def history(self) -> list[Document]:
        """Every version of this line, newest first."""
        line = [self.latest()]
        while line[-1].previous_id is not None:
            line.append(Document.objects.get(pk=line[-1].previous_id))
        return line

    def new_version(self, replacement: Document) -> Document:
        """Save ``replacement`` (unsaved) as the next version; this one becomes superseded."""
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=self.pk)
            if locked.superseded:
                raise VersionError(
                    _(
                        "« %(title)s » v%(version)s est déjà remplacé par une version plus "
                        "récente : créez la nouvelle version à partir de la dernière."
                    )
                    % {"title": self.title, "version": self.version}
                )
            now = timezone.now()
            Document.objects.filter(pk=self.pk).update(superseded_at=now)
            self.superseded_at = now
            replacement.previous = self
            replacement.version = self.version + 1
            replacement.save()
        return replacement


class Pathway(models.Model):
    """A care pathway for one syndrome: whom to call at each step, the regional protocol,
    the targeted antibiogram rule that applies and the way to ask for advice."""

    syndrome = models.CharField(_("syndrome"), max_length=30, choices=Syndrome.choices, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("en bref"), max_length=2000, blank=True)
    protocol = models.ForeignKey(
        Document,
        verbose_name=_("protocole régional"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pathways",
    )
    ast_situation = models.CharField(
        _("règle d'antibiogramme ciblé"),
        max_length=30,
        blank=True,
        choices=[(code, code) for code in SITUATIONS],
        help_text=_("La situation clinique des règles d'antibiogramme ciblé qui s'applique."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fiche parcours")
        verbose_name_plural = _("fiches parcours")
        ordering = ["syndrome"]

    def __str__(self) -> str:
        return self.title


class PathwayStep(models.Model):
    """One step of a pathway: what to do, and whom to call (from the directory)."""

    class Contact(models.TextChoices):
        NONE = "", _("Aucun appel à cette étape")
        ADVICE = "advice", _("La ligne d'avis du CRAtb (formulaire ou téléphone)")
        EMA = "ema", _("L'EMA du territoire")
        ORGANIZATION = "organization", _("Une structure de l'annuaire")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("ordre"), default=1)
    title = models.CharField(_("étape"), max_length=200)
    text = models.TextField(_("que faire"), max_length=2000, blank=True)
    contact = models.CharField(_("qui appeler"), max_length=20, choices=Contact.choices, blank=True)
    organization = models.ForeignKey(
        "network.Organization",
        verbose_name=_("structure de l'annuaire"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title
