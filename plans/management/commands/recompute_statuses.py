from datetime import date

from django.core.management.base import BaseCommand

from plans.services import all_statuses_refresh


class Command(BaseCommand):
    help = "Recompute the stored status of every target (what the nightly task does)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD; default today")

    def handle(self, *args, as_of=None, **options):
        count = all_statuses_refresh(as_of=as_of)
        self.stdout.write(f"{count} target statuses computed.")
