"""`manage.py backup` and `manage.py restore` carry the whole database over: every table's rows,
exactly, on SQLite and on PostgreSQL (CI's second round)."""

import gzip
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from kpis import services as kpi_services
from kpis.models import Measurement, MeasurementRevision
from plans.models import Target, TargetStatus
from plans.tools.demo import demo_users_create

# Committed data, as a backup meets it (and PostgreSQL will not TRUNCATE tables with pending
# constraint checks of an open transaction).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal(transactional_db):
    """The demo data and users, and one of each kind of row the demo lacks: a revision, an
    import with its file, a token, a session, an admin log entry, a user's permission."""
    call_command("load_demo", verbosity=0)
    demo_users_create()
    user = get_user_model().objects.get(username="analytiker-guldborgsund")
    figure = Measurement.objects.filter(area__slug="guldborgsund").first()
    kpi_services.measurement_record(
        indicator=figure.indicator, area=figure.area, period=figure.period,
        value=Decimal("1234.567891"), user=user,
    )  # fmt: skip
    kpi_services.import_upload(user=user, filename="tal.csv", content=b"\xef\xbb\xbfa;b\n")
    Token.objects.create(user=user)
    session = SessionStore()
    session["who"] = user.pk
    session.create()
    target = Target.objects.first()
    LogEntry.objects.log_actions(user.pk, [target], CHANGE, change_message="rettet")
    user.user_permissions.add(Permission.objects.get(codename="change_target"))
    assert MeasurementRevision.objects.exists() and TargetStatus.objects.exists()


def rows_of_every_table():
    """Each table's rows, Decimals as exact text, references to content types and permissions
    by natural key (migrate numbers those anew). The rows of many-to-many tables without their
    own ids, which nothing refers to and loaddata numbers anew."""
    derived = {ContentType, Permission}
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model in derived or not model._meta.managed:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (model._meta.auto_created and f.primary_key)
        ]
        rows = model._default_manager.values_list(*[f.attname for f in fields])
        tables[model._meta.label] = sorted(
            tuple(_comparable(field, value) for field, value in zip(fields, row, strict=True))
            for row in rows
        )
    return tables


def _comparable(field, value):
    if field.related_model in (ContentType, Permission) and value is not None:
        return field.related_model.objects.get(pk=value).natural_key()
    return str(value) if isinstance(value, Decimal) else value


def test_a_backup_restored_into_an_empty_database_is_the_same_database(portal, tmp_path):
    before = rows_of_every_table()
    file = tmp_path / "nightly.backup"
    call_command("backup", str(file), "--sessions", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    assert not Measurement.objects.exists()

    call_command("restore", str(file), verbosity=0)
    after = rows_of_every_table()
    assert {t: len(rows) for t, rows in after.items()} == {
        t: len(rows) for t, rows in before.items()
    }
    assert after == before
    assert "1234.567891" in {str(v) for v in Measurement.objects.values_list("value", flat=True)}
    user = get_user_model().objects.get(username="analytiker-guldborgsund")
    assert user.check_password("demo") and user.has_perm("plans.change_target")
    # New rows get new ids after the restored ones (the sequences were moved on).
    get_user_model().objects.create_user("ny-bruger")


def test_a_restore_refuses_a_database_with_data_unless_forced(portal, tmp_path):
    file = tmp_path / "nightly.backup"
    call_command("backup", str(file), verbosity=0)
    kept = rows_of_every_table()
    Measurement.objects.update(value=Decimal(1))  # changed after the backup
    with pytest.raises(CommandError, match="already holds data; nothing was restored"):
        call_command("restore", str(file), verbosity=0)
    assert set(Measurement.objects.values_list("value", flat=True)) == {Decimal(1)}

    call_command("restore", str(file), "--force", verbosity=0)
    restored = rows_of_every_table()
    assert restored.pop("sessions.Session") == []  # left out unless --sessions
    kept.pop("sessions.Session")
    assert restored == kept


@pytest.mark.parametrize(
    "content",
    [b"not a backup", gzip.compress(b'[{"model": "kpis.measurement", "pk": 1, "fields": {')],
)
def test_a_broken_backup_file_changes_nothing_even_forced(portal, tmp_path, content):
    file = tmp_path / "broken.backup"
    file.write_bytes(content)
    kept = rows_of_every_table()
    with pytest.raises(CommandError, match="could not be restored, and nothing was changed"):
        call_command("restore", str(file), "--force", verbosity=0)
    assert rows_of_every_table() == kept


def test_a_missing_backup_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("restore", str(tmp_path / "none.backup"), verbosity=0)
    assert not Session.objects.exists()
