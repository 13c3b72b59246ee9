from django.core.management.base import BaseCommand, CommandError

from kpis.jobindsats import sync
from kpis.jobindsats.client import Client, JobindsatsError
from kpis.models import Indicator, SourceTable
from kpis.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = (
        "Fetch the figures of the followed jobindsats.dk tables (kpis.SourceTable) and store "
        "them as an import would: revisions kept, statuses recomputed once. The key comes from "
        "JOBINDSATS_TOKEN, the address from JOBINDSATS_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--indicator", help="only this indicator's table, and its figures")
        parser.add_argument(
            "--since", help="only periods from this one on, e.g. 2023M08 or aug. 2023"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="fetch and check, print what would be stored, store nothing",
        )

    def handle(self, *args, indicator=None, since=None, dry_run=False, **options):
        chosen = None
        if indicator:
            chosen = Indicator.objects.filter(key=indicator).select_related("source").first()
            if chosen is None:
                raise CommandError(f"Unknown indicator {indicator!r}.")
            if not hasattr(chosen, "source"):
                raise CommandError(f"The indicator {indicator!r} is not bound to a table.")
        if since:
            try:
                since = parse_period(since)
            except PeriodError as exc:
                raise CommandError(str(exc)) from exc
        tables = SourceTable.objects.filter(bindings__isnull=False).distinct()
        if chosen:
            tables = tables.filter(pk=chosen.source.table_id)
        if not tables:
            self.stdout.write("No jobindsats.dk tables are followed (bind an indicator first).")
            return
        try:
            client = Client()
            failures = []
            for table in tables:
                try:
                    report = sync.table_sync(
                        table=table, indicator=chosen, since=since, dry_run=dry_run,
                        client=client,
                    )  # fmt: skip
                except JobindsatsError as exc:
                    failures.append(f"{table.table_id}: {exc}")
                    continue
                self._print(report)
        except JobindsatsError as exc:  # the key, before any table
            raise CommandError(str(exc)) from exc
        if dry_run:
            self.stdout.write("Dry run: nothing was stored.")
        if failures:
            raise CommandError("\n".join(failures))

    def _print(self, report):
        head = f"{report.table_id} {report.name}".strip()
        verb = "would store" if report.dry_run else "stored"
        self.stdout.write(
            f"{head}: {verb} {report.figures} figures ({_counts(report.counts)}); "
            f"{report.suppressed} suppressed values skipped"
        )
        for binding in report.bindings:
            self.stdout.write(f"  {binding.indicator} ← “{binding.measure}”")
            for kind, counts in sorted(binding.counts.items()):
                self.stdout.write(f"    {kind}: {_counts(counts)}")
            for example in binding.examples:
                self.stdout.write(f"    e.g. {example}")
        if report.warning:
            self.stdout.write(f"  {report.warning}")


def _counts(counts: dict[str, int]) -> str:
    return "{created} new, {revised} revised, {unchanged} unchanged".format(
        **{outcome: counts.get(outcome, 0) for outcome in ("created", "revised", "unchanged")}
    )
