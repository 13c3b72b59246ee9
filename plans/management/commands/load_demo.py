from django.core.management.base import BaseCommand, CommandError

from plans.demo import DemoDataError, load_demo
from plans.services import all_statuses_refresh


class Command(BaseCommand):
    help = "Load the four seed municipalities from fixtures/*.yaml and compute every status."

    def handle(self, *args, **options):
        try:
            counts, plans = load_demo()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        refreshed = all_statuses_refresh()
        self.stdout.write(
            f"Demo data: {len(plans)} new plans; measurements {counts['created']} created, "
            f"{counts['revised']} revised, {counts['unchanged']} unchanged; "
            f"{refreshed} target statuses computed."
        )
