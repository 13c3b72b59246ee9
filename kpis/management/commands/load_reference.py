from django.core.management.base import BaseCommand, CommandError

from kpis.reference.areas import areas_load
from kpis.reference.catalogue import CatalogueError, catalogue_load


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
        try:
            catalogue = catalogue_load()
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Indicator catalogue: {catalogue['indicators']} shared indicators from "
            f"{catalogue['tables']} jobindsats.dk tables; {catalogue['created']} created, "
            f"{catalogue['updated']} updated, {catalogue['unchanged']} unchanged"
        )
