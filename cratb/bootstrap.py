"""Start Django from a command (``manage.py``, ``cratb``) with one-line errors.

Bad configuration (an unreadable setting, a missing ``SECRET_KEY`` in
production, an unreachable ``DATABASE_URL``) must stop with one clear line,
not a traceback.

``use_cratb_settings`` is the one place outside the settings that touches the
environment: Django finds its settings module by name there
(``DJANGO_SETTINGS_MODULE``), so every entry point (``manage.py``, ``cratb``,
``wsgi.py``) names cratb's through it, unless the operator named another.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

SETTINGS_MODULE = "cratb.settings"


class ConfigurationError(Exception):
    """Configuration that prevents cratb from starting; the message is for the operator."""


def _describe_database() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    address = db.get("HOST") or "localhost"
    if db.get("PORT"):
        address = f"{address}:{db['PORT']}"
    return f"{engine} {address}/{db.get('NAME', '')}"


def use_cratb_settings() -> None:
    """Point Django at cratb's settings, unless ``DJANGO_SETTINGS_MODULE`` names others."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)


def setup_django() -> None:
    """Configure Django and check the database answers."""
    use_cratb_settings()
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, connection

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise ConfigurationError(f"configuration invalide : {exc}") from exc
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigurationError(
            f"base de données injoignable ({_describe_database()}) : {reason}. "
            "Vérifiez DATABASE_URL."
        ) from exc


def run_or_exit(func: Callable[[], T], *, prog: str) -> T:
    """Run ``func``; on a configuration or database error print one line and exit 1."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        return func()
    except ConfigurationError as exc:
        print(f"{prog} : {exc}", file=sys.stderr)
    except ImproperlyConfigured as exc:
        print(f"{prog} : configuration invalide : {exc}", file=sys.stderr)
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(
            f"{prog} : erreur de base de données : {first}. Vérifiez DATABASE_URL.",
            file=sys.stderr,
        )
    sys.exit(1)
