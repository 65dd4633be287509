"""The table of the rate-limit cache (CRATB_LIMITS_CACHE=database, the default), created
with the others by ``manage.py migrate``: nothing more to run at installation."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Creates the table of every database cache in CACHES; nothing for other backends.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_memberships_in_network")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
