from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Een achtergrondwerker die imports uitvoert (production runs several)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="stop when the queue is empty")

    def handle(self, *args, batch: bool, **options):
        from klasse.imports.runs import runs_fail_interrupted

        # Imports whose worker died (killed, machine restarted) are failed, never left running.
        runs_fail_interrupted()
        call_command(
            "db_worker", "--interval", "0.5", "--no-startup-delay", *(["--batch"] if batch else [])
        )
