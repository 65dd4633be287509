"""The job model shared by publications and imports: its life, its progress, its words."""

from __future__ import annotations

import pytest

from cratb.accounts.models import User
from cratb.dashboards.models import DataImport, Publication
from cratb.engine.sources import KINDS
from cratb.jobs import JobStatus, status_field

pytestmark = pytest.mark.django_db


def _import() -> DataImport:
    return DataImport.objects.create(
        kind=DataImport.Kind.PRODUCTS, file="imports/products.csv", original_name="products.csv"
    )


def test_a_job_counts_its_steps_until_it_succeeds(coordinator: User) -> None:
    job = Publication.objects.create(requested_by=coordinator)
    assert (job.status, job.in_progress, job.percent) == (JobStatus.QUEUED, True, 0)

    job.start(steps_total=3)
    job.advance(message="DDJ — 2025")
    job.refresh_from_db()
    assert (job.status, job.steps_done, job.percent) == (JobStatus.RUNNING, 1, 33)
    assert job.message == "DDJ — 2025"
    assert job.started_at is not None and job.finished_at is None

    job.advance(message="Part Access — 2025")
    job.values_count = 12
    job.succeed()
    job.refresh_from_db()
    assert (job.status, job.in_progress, job.percent) == (JobStatus.DONE, False, 67)
    # The results set on the row are saved with the state; the last step's message goes.
    assert (job.values_count, job.message) == (12, "")
    assert job.finished_at is not None
    assert job.requested_by == coordinator


def test_a_job_by_stages_refused_or_failed_keeps_its_reason() -> None:
    refused = _import()
    refused.start(stage="démarrage")
    refused.set_stage("contrôle des lignes")
    refused.refresh_from_db()
    assert (refused.status, refused.stage, refused.percent) == (
        JobStatus.RUNNING,
        "contrôle des lignes",
        0,
    )
    refused.refuse("colonne obligatoire absente : cip13")
    failed = _import()
    failed.fail("entrepôt illisible")
    for job, status, message in (
        (refused, JobStatus.REFUSED, "colonne obligatoire absente : cip13"),
        (failed, JobStatus.FAILED, "entrepôt illisible"),
    ):
        job.refresh_from_db()
        assert (job.status, job.message, job.in_progress) == (status, message, False)
        assert job.finished_at is not None


def test_each_kind_of_job_names_its_states_as_its_users_read_them() -> None:
    publication = Publication(status=JobStatus.DONE)
    data_import = DataImport(status=JobStatus.DONE)
    assert publication.get_status_display() == "Terminée"
    assert data_import.get_status_display() == "Terminé"
    data_import.status = JobStatus.REFUSED
    assert data_import.get_status_display() == "Fichier refusé"
    publication.status = data_import.status = JobStatus.FAILED
    assert publication.get_status_display() == data_import.get_status_display() == "Échec"
    with pytest.raises(ValueError, match="finished"):
        status_field(finished="Fini")


def test_the_import_kinds_are_the_engine_s_in_its_order() -> None:
    assert tuple(DataImport.Kind.values) == KINDS
    assert DataImport.Kind.PRODUCTS.label == "Catalogue des produits (products)"
