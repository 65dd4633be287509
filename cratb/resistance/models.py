"""Labs and their API access, and the log of the targeted reports the API returns.

- ``LabAccount``: a lab user's lab (``lab_id``, the identifier its result files use);
- ``ApiToken``: a secret key a lab's software sends as ``Authorization: Token <key>``;
  only its SHA-256 digest is stored, the key is shown once, when it is issued;
- ``TargetedReport``: one row per isolate the API decided (copied into the warehouse by
  ``cratb ast sync`` for the adoption indicator);
- ``LabEvent``: the append-only trail of token and code-table changes.

``LabEvent`` and ``TargetedReport`` are audit trails: written once, never changed nor
deleted, by any role (``cratb.accounts.append_only``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.append_only import AppendOnlyModel, AppendOnlyQuerySet
from cratb.accounts.models import Role

TOKEN_PREFIX = "cratb_"  # noqa: S105 - a visible prefix, not a secret
# last_used_at is written at most this often: a write per request would cost time.
USE_STAMP_INTERVAL = timedelta(minutes=5)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class LabAccount(models.Model):
    """The lab a lab user speaks for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="lab_account",
        limit_choices_to={"role": Role.LAB},
    )
    lab_id = models.CharField(
        _("identifiant du laboratoire"),
        max_length=40,
        help_text=_("Tel qu'il figure dans la colonne lab_id des fichiers de résultats."),
    )
    name = models.CharField(_("nom du laboratoire"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("compte de laboratoire")
        verbose_name_plural = _("comptes de laboratoire")
        ordering = ["lab_id"]

    def __str__(self) -> str:
        return f"{self.lab_id} ({self.name})" if self.name else self.lab_id


class LabEvent(AppendOnlyModel):
    """An append-only trace of a change made to lab access or lab codes."""

    class Kind(models.TextChoices):
        TOKEN_ISSUED = "token_issued", _("jeton créé")
        TOKEN_REVOKED = "token_revoked", _("jeton révoqué")
        LAB_CODES_SAVED = "lab_codes_saved", _("table de correspondance modifiée")

    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("date"), default=timezone.now)
    detail = models.CharField(_("détail"), max_length=300, blank=True)

    objects: ClassVar[AppendOnlyQuerySet[LabEvent]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.detail}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        # Not "api_tokens": Wagtail's own API tokens (cratb/cms) take that name on users.
        related_name="lab_api_tokens",
    )
    label = models.CharField(_("libellé"), max_length=100, blank=True)
    prefix = models.CharField(_("début de la clé"), max_length=12)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    last_used_at = models.DateTimeField(_("dernier usage"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects: ClassVar[ApiTokenQuerySet] = ApiTokenQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label or self.user})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, *, user: Any, label: str = "", key: str | None = None) -> tuple[ApiToken, str]:
        """A new token for ``user``; returns it with its key (shown once, never stored).
        ``key`` is for the demo's fixed token only."""
        key = key or TOKEN_PREFIX + secrets.token_urlsafe(32)
        with transaction.atomic():
            token = cls.objects.create(
                user=user,
                label=label.strip(),
                prefix=key[: len(TOKEN_PREFIX) + 6],
                digest=digest(key),
            )
            LabEvent.objects.create(
                kind=LabEvent.Kind.TOKEN_ISSUED, user=user, detail=f"{token.prefix}… {token.label}"
            )
        return token, key

    @classmethod
    def authenticate(cls, key: str) -> ApiToken | None:
        """The active token of ``key`` whose user is an active lab user, else None."""
        token = (
            cls.objects.active()
            .select_related("user__lab_account")
            .filter(digest=digest(key.strip()))
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > USE_STAMP_INTERVAL:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    def revoke(self, *, by: Any) -> None:
        if self.revoked_at is not None:
            return
        with transaction.atomic():
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
            LabEvent.objects.create(
                kind=LabEvent.Kind.TOKEN_REVOKED, user=by, detail=f"{self.prefix}… {self.label}"
            )


class TargetedReport(AppendOnlyModel):
    """One isolate decided by the API (the targeted-reporting log of the web side)."""

    lab_id = models.CharField(max_length=40)
    isolate_id = models.CharField(max_length=200)
    sampled_on = models.DateField()
    clinical_context = models.CharField(max_length=30)
    situation = models.CharField(max_length=30, blank=True)
    mode = models.CharField(max_length=30)
    withheld = models.PositiveSmallIntegerField(default=0)
    ruleset = models.CharField(max_length=100)
    rules_version = models.PositiveIntegerField()
    token = models.ForeignKey(ApiToken, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[AppendOnlyQuerySet[TargetedReport]] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("rendu ciblé")
        verbose_name_plural = _("rendus ciblés")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.lab_id} {self.isolate_id} ({self.mode})"
