"""Work done in the background and followed on a page: one abstract model for every job.

A job is queued by a page or a command, taken by the worker (``manage.py db_worker``,
django-tasks) and followed on its page: its state, its progress (steps done out of the
steps planned, or the stage it is at), its last message and who asked for it. A
publication of indicators and a file import are jobs (``cratb.dashboards``); the report
jobs to come (annual report, feedback reports, letters) are meant to be too.

The bottom of the web layers: it imports Django only, so every app may use it.

A job's life::

    job.start(steps_total=12)       # or start(stage="lecture du fichier")
    job.advance(message="DDJ 2025")  # one step done; or job.set_stage("contrôles")
    job.succeed()                    # or job.refuse(reason) (bad input) or job.fail(error)
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    REFUSED = "refused", _("Refusé")
    FAILED = "failed", _("Échec")


def status_field(**labels: str | Promise) -> models.CharField[str, str]:
    """A job's ``status`` column. ``labels`` renames a state, by its name, for one kind
    of job, as its users read it: ``status_field(done=_("Terminée"))`` for a
    publication (feminine in French)."""
    unknown = set(labels) - {status.name.lower() for status in JobStatus}
    if unknown:
        raise ValueError(f"Unknown job states: {sorted(unknown)}")
    choices = [
        (status.value, labels.get(status.name.lower(), status.label)) for status in JobStatus
    ]
    return models.CharField(_("état"), max_length=10, choices=choices, default=JobStatus.QUEUED)


class Job(models.Model):
    """The state and progress of one piece of background work (abstract)."""

    Status: ClassVar[type[JobStatus]] = JobStatus

    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = status_field()
    steps_done = models.PositiveIntegerField(_("étapes faites"), default=0)
    steps_total = models.PositiveIntegerField(_("étapes prévues"), default=0)
    stage = models.CharField(_("étape"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def in_progress(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        """Steps done out of the steps planned, 0 to 100 (0 when no step is planned)."""
        if not self.steps_total:
            return 0
        return min(100, round(100 * self.steps_done / self.steps_total))

    def start(self, *, steps_total: int = 0, stage: str = "") -> None:
        """The worker takes the job, with the number of steps it plans (if it counts
        them) or the stage it begins with."""
        self.status = JobStatus.RUNNING
        self.started_at = timezone.now()
        self.steps_total = steps_total
        self.stage = stage
        self.save(update_fields=["status", "started_at", "steps_total", "stage"])

    def advance(self, *, message: str) -> None:
        """One planned step is done; ``message`` says which."""
        self.steps_done += 1
        self.message = message
        self.save(update_fields=["steps_done", "message"])

    def set_stage(self, stage: str) -> None:
        """The stage the job is at, for work that goes by stages rather than counted steps."""
        self.stage = stage
        self.save(update_fields=["stage"])

    def succeed(self, *, message: str = "") -> None:
        """Done. Saves the whole row: the results the job has set on it go with its state."""
        self.status = JobStatus.DONE
        self.finished_at = timezone.now()
        self.message = message
        self.save()

    def refuse(self, message: str) -> None:
        """Ended without doing anything: its input is refused, for the reason given."""
        self._end(JobStatus.REFUSED, message)

    def fail(self, message: str) -> None:
        """Ended by an error, with its message."""
        self._end(JobStatus.FAILED, message)

    def _end(self, status: JobStatus, message: str) -> None:
        self.status = status
        self.finished_at = timezone.now()
        self.message = message
        self.save(update_fields=["status", "finished_at", "message"])
