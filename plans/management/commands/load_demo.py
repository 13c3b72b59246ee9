from django.core.management.base import BaseCommand, CommandError

from plans.services import all_statuses_refresh
from plans.tools.demo import DEMO_PASSWORD, DemoDataError, demo_users_create, load_demo


class Command(BaseCommand):
    help = "Load the four seed municipalities from fixtures/*.yaml and compute every status."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            action="store_true",
            help=f"also create demo users for each role (password {DEMO_PASSWORD!r})",
        )

    def handle(self, *args, users=False, **options):
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
        if users:
            created = demo_users_create()
            self.stdout.write(f"Demo users: {len(created)} new, password {DEMO_PASSWORD!r}.")
