import argparse
import json
import os
import platform
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from plans.tools import benchmark, national


class Command(BaseCommand):
    help = (
        "Measure the portal at national scale on the synthetic data set (generate_national): "
        "import, status recomputation, pages and the API, each beside the naive way. Meant for "
        "PostgreSQL; leaves the data as it found it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the import")
        parser.add_argument("--repeat", type=int, default=30, help="timings per median")
        parser.add_argument("--naive-rows", type=int, default=5_000)
        parser.add_argument("--naive-targets", type=int, default=300)
        parser.add_argument(
            "--any-database", action="store_true", help="run on SQLite too (a smoke test)"
        )
        parser.add_argument(
            "--import-memory", metavar="FILE", help=argparse.SUPPRESS
        )  # the child process that measures the import's own memory
        parser.add_argument("--database-name", help=argparse.SUPPRESS)

    def handle(self, *args, rows, repeat, naive_rows, naive_targets, any_database, **options):
        if options.get("import_memory"):
            connection.settings_dict["NAME"] = options["database_name"]
            self.stdout.write(json.dumps(benchmark.import_memory_child(options["import_memory"])))
            return
        if connection.vendor != "postgresql" and not any_database:
            raise CommandError("The benchmark is for PostgreSQL: set DATABASE_URL.")
        if not national.generated():
            raise CommandError("No national data set here: run manage.py generate_national.")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()" if connection.vendor == "postgresql" else
                           "SELECT 'SQLite ' || sqlite_version()")  # fmt: skip
            server = cursor.fetchone()[0].split(",")[0]
            if connection.vendor == "postgresql":
                # The server's cache for table pages: the national table and its indexes are
                # larger than Debian's default, and the import's look-ups feel it.
                cursor.execute("SHOW shared_buffers")
                server += f", shared_buffers {cursor.fetchone()[0]}"
        lines, growth = benchmark.run(
            rows=rows, repeat=repeat, naive_rows=naive_rows, naive_targets=naive_targets,
            log=self.stderr.write,
        )  # fmt: skip
        self.stdout.write(
            f"Benchmark on {server}, Python {platform.python_version()}, "
            f"{platform.machine()}, {os.cpu_count()} cores, "
            f"DEBUG {'on' if settings.DEBUG else 'off'}; "
            f"{national.data_set_summary()}; {benchmark.machine_speed()}"
        )
        self.stdout.write(benchmark.table(lines, growth))
        for name, indexes in benchmark.query_plans():
            self.stdout.write(f"query plan: {name}: {', '.join(sorted(indexes)) or 'no index'}")
        missed = [line.what for line in lines if line.verdict == "MISSED"]
        self.stdout.write(
            f"\n{sum(line.verdict == 'met' for line in lines)} of {len(lines)} goals met"
            + (f"; missed: {'; '.join(missed)}" if missed else "")
            + f". {time.perf_counter() - started:.0f} s in all."
        )
