"""Background jobs of the dashboards app (run by ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from cratb.dashboards.models import DataImport, Publication
from cratb.dashboards.services import run_import, run_publication
from cratb.security import without_paths


@task()
def publish_indicators(publication_id: int) -> int:
    """Run a publication queued from the web; returns the number of values published."""
    publication = Publication.objects.get(pk=publication_id)
    try:
        run_publication(publication)
    except Exception as exc:
        # Anything unexpected still ends the publication, with its reason, before the
        # worker records the traceback.
        publication.fail(without_paths(f"erreur inattendue : {type(exc).__name__}: {exc}"))
        raise
    return publication.values_count


@task()
def import_data(data_import_id: int) -> int | None:
    """Import a file uploaded from the web; returns the number of rows accepted."""
    data_import = DataImport.objects.get(pk=data_import_id)
    try:
        run_import(data_import)
    except Exception as exc:
        data_import.fail(without_paths(f"erreur inattendue : {type(exc).__name__}: {exc}"))
        raise
    return data_import.accepted
