import time

from django.core.management.base import BaseCommand, CommandError

from plans.tools import national


class Command(BaseCommand):
    help = (
        "Generate the synthetic national data set (98 municipalities with plans of about 60 "
        "targets, 200 indicators, ten years of monthly and quarterly figures) in an empty "
        "database, for the benchmark. Does nothing if it is already there."
    )

    def add_arguments(self, parser):
        defaults = national.Scale()
        parser.add_argument("--municipalities", type=int, default=defaults.municipalities)
        parser.add_argument("--indicators", type=int, default=defaults.indicators)
        parser.add_argument("--targets-per-plan", type=int, default=defaults.targets_per_plan)
        parser.add_argument("--first-year", type=int, default=defaults.first_year)
        parser.add_argument("--last-year", type=int, default=defaults.last_year)

    def handle(self, *args, **options):
        if national.generated():
            self.stdout.write("The national data set is already there.")
            return
        scale = national.Scale(
            municipalities=options["municipalities"],
            indicators=options["indicators"],
            targets_per_plan=options["targets_per_plan"],
            first_year=options["first_year"],
            last_year=options["last_year"],
        )
        if scale.targets_per_plan > scale.indicators:
            raise CommandError("A plan's targets are on different indicators: raise --indicators.")
        started = time.perf_counter()
        try:
            counts = national.generate(scale, log=self.stdout.write)
        except national.NotEmpty as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            "Made {measurements:,} figures and {targets:,} targets".format(**counts).replace(
                ",", "."
            )
            + f" in {time.perf_counter() - started:.0f} s."
        )
