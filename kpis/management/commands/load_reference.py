from django.core.management.base import BaseCommand

from kpis.reference.areas import areas_load


class Command(BaseCommand):
    help = (
        "Load Denmark's areas (municipalities, regions, RAR areas, regional employment "
        "councils) and the national indicator catalogue. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = areas_load()
        self.stdout.write(
            f"{counts['municipalities']} municipalities, {counts['regions']} regions, "
            f"{counts['groups']} RAR areas and councils, hele landet"
        )
