# The log-in backend is now cratb.network.auth.MembershipBackend (Django's model backend,
# reading each user with their membership). A session names the backend that opened it,
# and Django drops a session whose backend is no longer configured: the sessions open at
# the upgrade are moved to the new backend, so nobody has to log in again.

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "cratb.network.auth.MembershipBackend"


def move_sessions(apps, schema_editor, old=OLD, new=NEW):
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.iterator():
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) == old:
            data[BACKEND_SESSION_KEY] = new
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def move_sessions_back(apps, schema_editor):
    move_sessions(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("network", "0003_membership"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(move_sessions, move_sessions_back)]
