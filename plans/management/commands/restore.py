from django.core.management.base import BaseCommand, CommandError

from jobcenter.backup import RestoreRefused, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`, all or nothing, into a database without "
        "data (migrated first if it is new); --force replaces the data that is there."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete the data the database holds and put the backup's in its place",
        )

    def handle(self, *args, file, force=False, **options):
        try:
            count = restore(file, force=force)
        except RestoreRefused as exc:
            raise CommandError(
                "The database already holds data; nothing was restored. Restore into a new, "
                "empty database, or add --force to replace all its data with the backup's."
            ) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except Exception as exc:
            raise CommandError(
                f"The backup could not be restored, and nothing was changed: {exc}"
            ) from exc
        self.stdout.write(f"Restored {count} objects from {file}.")
