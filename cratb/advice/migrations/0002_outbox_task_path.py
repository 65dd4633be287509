"""The e-mail job moved from ``cratb.advice.tasks`` to ``cratb.advice.outbox`` (which
breaks the import circle emails → tasks → reminders → emails): e-mails queued before
the upgrade and not yet sent keep going, under the job's new path."""

from django.db import migrations

OLD = "cratb.advice.tasks.send_email"
NEW = "cratb.advice.outbox.send_email"


def rename(apps, schema_editor, old=OLD, new=NEW):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=old, status="READY").update(task_path=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("advice", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
