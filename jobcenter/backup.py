"""Backup and restore of the whole database as one compressed file, the same on SQLite and
PostgreSQL (a backup of the embedded portal restores into PostgreSQL too).

Django's own serializers do the work (dumpdata, loaddata): every model of every app, with
natural keys for users, content types and permissions, as JSON with exact timestamps
(jobcenter.exact_json; XML would lose a text's trailing newline). Content types and
permissions are left out: migrate makes them, and references to them travel as natural keys.
Sessions are left out unless asked for.
"""

import gzip
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

FORMAT = "exactjson"  # SERIALIZATION_MODULES in settings
FIXTURE_NAME = f"backup.{FORMAT}.gz"  # dumpdata and loaddata read format and compression here

# Made by migrate (post_migrate), not data: restored by natural key instead.
DERIVED = ["contenttypes", "auth.permission"]
SESSIONS = "sessions"


class RestoreRefused(Exception):
    """The database already holds data; restoring would mix or replace it."""


def backup(path, *, sessions=False) -> None:
    """Write the database to path, gzip-compressed JSON. The file appears whole or not at all
    (written beside it, then renamed), and is read from one consistent snapshot."""
    path = Path(path)
    exclude = DERIVED + ([] if sessions else [SESSIONS])
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        partial = Path(folder) / FIXTURE_NAME
        with _snapshot():
            call_command("dumpdata", format=FORMAT, natural_foreign=True, exclude=exclude,
                         output=str(partial), verbosity=0)  # fmt: skip
        os.replace(partial, path)


@contextmanager
def _snapshot():
    """One transaction, so rows written meanwhile are all in the backup or all out."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def data_models():
    """The models whose rows are data (what a backup holds, sessions included)."""
    derived = {ContentType, apps.get_model("auth", "Permission")}
    return [m for m in apps.get_models() if m not in derived and m._meta.managed]


def is_empty() -> bool:
    return not any(model._default_manager.exists() for model in data_models())


def restore(path, *, force=False) -> int:
    """Replace the database's data with a backup's, in one transaction: a file that cannot be
    read, or does not fit, changes nothing. Refuses a database with data unless force.
    Returns the number of objects restored."""
    path = Path(path)
    with gzip.open(path) as stream:
        stream.read(1)  # not gzip, or not there: fail before touching anything
    call_command("migrate", interactive=False, verbosity=0)  # a fresh database gets its tables
    with transaction.atomic():
        if not is_empty():
            if not force:
                raise RestoreRefused
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()  # flush made them anew, with new ids
        with tempfile.TemporaryDirectory() as folder:
            fixture = Path(folder) / FIXTURE_NAME
            fixture.symlink_to(path.resolve())
            counter = _Counter()
            call_command("loaddata", str(fixture), verbosity=1, stdout=counter)
    return counter.objects


class _Counter:
    """loaddata's summary line ("Installed 1234 object(s) from 1 fixture(s)") as a number."""

    objects = 0

    def write(self, text):
        if text.startswith("Installed "):
            self.objects = int(text.split()[1])

    def flush(self):
        pass
