"""A first history row for every directory record that existed before its history was
kept, so that the first change made afterwards shows its « before » values."""

from django.db import migrations
from django.utils import timezone

MODELS = ("Organization", "Practitioner", "PractitionerRole", "CoverageAgreement")


def baseline(apps, schema_editor):
    now = timezone.now()
    for name in MODELS:
        model = apps.get_model("network", name)
        historical = apps.get_model("network", f"Historical{name}")
        recorded = set(historical.objects.values_list("id", flat=True).distinct())
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = [
            historical(
                **{field: getattr(obj, field) for field in fields},
                history_date=now,
                history_type="+",
                history_change_reason="état à la mise en place de l'historique",
            )
            for obj in model.objects.exclude(pk__in=recorded).iterator()
        ]
        historical.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("network", "0005_directory_history_and_versions")]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
