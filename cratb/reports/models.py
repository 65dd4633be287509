"""The annual activity report of a year, its texts with their versions, its frozen copy.

- :class:`AnnualReport`: one per year; ``draft`` while the coordination writes it, then
  ``validated``: the document (figures and texts) is frozen in ``snapshot`` with the data's
  date, so later imports, publications or edits of the records never change it.
- :class:`SectionText`: each save of a section's text is a new row (``version`` 1, 2…),
  never an update: the history of the drafts. The current text is the latest version.

Two editors at once (optimistic locking): a save names the version its editor started
from; when another save came in between, it is refused (:class:`EditConflict`) and
nothing is written. The report's own ``version`` counts every change, so a validation
refuses a report that changed since the validator read it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The longest text of a section (a few pages).
MAX_TEXT = 20_000


class ReportError(ValueError):
    """A change the report's state forbids; the message is a French sentence."""


class EditConflict(ReportError):
    """Someone else saved the section (or the report) after this editor opened it."""

    def __init__(self, message: str, *, current: SectionText | None = None) -> None:
        super().__init__(message)
        self.current = current


class AnnualReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Projet")
        VALIDATED = "validated", _("Validé")

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    #: Counts every change (a text saved, the validation): the optimistic lock.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validé par"),
    )
    #: The date of the data the frozen figures were computed from.
    data_date = models.DateField(_("données au"), null=True, blank=True)
    #: The frozen document (``cratb.documents.to_dict``), set at validation.
    snapshot = models.JSONField(_("document figé"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("rapport annuel d'activité")
        verbose_name_plural = _("rapports annuels d'activité")

    def __str__(self) -> str:
        return f"Rapport annuel {self.year} ({self.get_status_display()})"

    @property
    def validated(self) -> bool:
        return self.status == self.Status.VALIDATED

    @property
    def validated_by_label(self) -> str:
        if self.validated_by is None:
            return "—"
        return self.validated_by.get_full_name() or self.validated_by.get_username()

    def texts(self) -> dict[str, SectionText]:
        """The current (latest) text of each section."""
        latest: dict[str, SectionText] = {}
        if self.pk is None:  # a year without a report yet (the command line's figures)
            return latest
        for row in self.section_texts.select_related("author").order_by("section", "version"):
            latest[row.section] = row
        return latest

    def history(self, section: str) -> list[SectionText]:
        return list(
            self.section_texts.filter(section=section).select_related("author").order_by("-version")
        )

    def save_text(self, section: str, text: str, *, author: Any, base_version: int) -> SectionText:
        """Keep ``text`` as the next version of ``section``'s text.

        ``base_version`` is the version the editor started from (0: none yet). Refused when
        the report is validated, or when another version was saved since (nothing written).
        """
        text = text.replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            raise ReportError(f"Texte trop long : {len(text)} caractères (au plus {MAX_TEXT}).")
        try:
            with transaction.atomic():
                report = AnnualReport.objects.select_for_update().get(pk=self.pk)
                if report.validated:
                    raise ReportError(
                        f"Le rapport {report.year} est validé : ses textes ne peuvent plus être"
                        " modifiés."
                    )
                last = (
                    report.section_texts.filter(section=section).aggregate(v=Max("version"))["v"]
                    or 0
                )
                if last != base_version:
                    current = report.section_texts.select_related("author").get(
                        section=section, version=last
                    )
                    raise EditConflict(
                        f"Ce texte a été modifié par {current.author_label} le "
                        f"{timezone.localtime(current.created_at):%d/%m/%Y à %H:%M} (version "
                        f"{last}) depuis que vous l'avez ouvert : votre texte n'a pas été "
                        "enregistré. Relisez la nouvelle version puis reportez vos changements.",
                        current=current,
                    )
                row = SectionText.objects.create(
                    report=report, section=section, version=last + 1, text=text, author=author
                )
                AnnualReport.objects.filter(pk=report.pk).update(
                    version=models.F("version") + 1, updated_at=timezone.now()
                )
        except IntegrityError as exc:  # a simultaneous save took this version number
            raise EditConflict(
                "Ce texte vient d'être modifié par quelqu'un d'autre : votre texte n'a pas été"
                " enregistré. Rechargez la page."
            ) from exc
        self.refresh_from_db()
        return row

    def freeze(
        self, snapshot: dict[str, Any], *, by: Any, expected_version: int, data_date: date
    ) -> None:
        """Validate: keep ``snapshot`` (the document as printed) with the data's date."""
        with transaction.atomic():
            report = AnnualReport.objects.select_for_update().get(pk=self.pk)
            if report.validated:
                raise ReportError(f"Le rapport {report.year} est déjà validé.")
            if report.version != expected_version:
                raise EditConflict(
                    f"Le rapport {report.year} a été modifié depuis que vous l'avez affiché "
                    f"(version {report.version}, vous lisiez la version {expected_version}) :"
                    " relisez-le avant de le valider."
                )
            now = timezone.now()
            AnnualReport.objects.filter(pk=report.pk).update(
                status=self.Status.VALIDATED,
                snapshot=snapshot,
                data_date=data_date,
                validated_at=now,
                validated_by=by,
                updated_at=now,
                version=models.F("version") + 1,
            )
        self.refresh_from_db()


class SectionText(models.Model):
    """One version of a section's text (rows are only ever added)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="section_texts")
    section = models.CharField(_("section"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("texte"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        ordering = ["report", "section", "-version"]
        verbose_name = _("texte d'une section")
        verbose_name_plural = _("textes des sections")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "section", "version"], name="report_section_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report.year} {self.section} v{self.version}"

    @property
    def author_label(self) -> str:
        if self.author is None:
            return "cratb"
        return self.author.get_full_name() or self.author.get_username()
