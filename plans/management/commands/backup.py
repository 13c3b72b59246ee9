from django.core.management.base import BaseCommand

from jobcenter.backup import backup


class Command(BaseCommand):
    help = (
        "Write the whole database (every app's data, users and their password hashes, history, "
        "tokens) to one gzip-compressed file; restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="where to write the backup, e.g. jobcenter-2024-05-01.xml.gz"
        )
        parser.add_argument("--sessions", action="store_true", help="include the login sessions")

    def handle(self, *args, file, sessions=False, **options):
        backup(file, sessions=sessions)
        self.stdout.write(f"Backup written to {file}.")
