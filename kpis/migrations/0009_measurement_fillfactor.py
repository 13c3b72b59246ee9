"""Room on each page of the measurement table for a revised figure's new version.

A revision (jobindsats.dk revises back in time, an analyst corrects a figure) and the
connector's provenance (origin, period code, when fetched) change no indexed column, so
PostgreSQL can write the new version of the row on the same page without touching the table's
three indexes (a HOT update) - if the page has room. With the default fillfactor of 100 a
loaded page has none, and every revised figure wrote four index and heap records; 90 leaves
a tenth of each page free, for a table a tenth larger. It applies to pages written from now on
(a table loaded before keeps its full pages until VACUUM FULL rewrites them). SQLite has no
such setting."""

from django.db import migrations

FILLFACTOR = 90


def _alter(apps, schema_editor, storage: str):
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("kpis", "Measurement")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} {storage}")


def set_fillfactor(apps, schema_editor):
    _alter(apps, schema_editor, f"SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    _alter(apps, schema_editor, "RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("kpis", "0008_indicator_expected_level")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
