from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kpis import importers
from kpis.models import Indicator
from kpis.services import ImportRefused, figures_import

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Store the figures of a CSV or Excel file at once, all or nothing: the jobindsats.dk "
        "layout (with --indicator) or the portal's template (indikator;område;periode;værdi). "
        "The same checks as the import page, without its preview; for large loads."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--indicator", help="the indicator's key, for a jobindsats.dk file")
        parser.add_argument("--value-column", default="", help="the column to read, if several")
        parser.add_argument("--user", help="user name recorded as having entered the figures")

    def handle(self, *args, file, indicator=None, value_column="", user=None, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(exc) from exc
        chosen = Indicator.objects.filter(key=indicator).first() if indicator else None
        if indicator and chosen is None:
            raise CommandError(f"Unknown indicator {indicator!r}.")
        who = get_user_model().objects.filter(username=user).first() if user else None
        if user and who is None:
            raise CommandError(f"Unknown user {user!r}.")
        try:
            counts = figures_import(
                content=content, filename=file.name, user=who, indicator=chosen,
                value_column=value_column,
            )  # fmt: skip
        except importers.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRefused as exc:
            for line, reason in exc.errors[:SHOWN_ERRORS]:
                self.stderr.write(f"line {line}: {reason}")
            raise CommandError(
                f"{len(exc.errors)} rows refused; nothing was stored."
                + (
                    f" (the first {SHOWN_ERRORS} are shown)"
                    if len(exc.errors) > SHOWN_ERRORS
                    else ""
                )
            ) from exc
        self.stdout.write(
            "{created} new, {revised} revised, {unchanged} unchanged figures.".format(**counts)
        )
