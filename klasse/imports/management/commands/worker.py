"""`klasse worker`: one background worker (production runs several). It runs every queued
task (the wizard's imports, the accounts' password-link e-mails); it belongs with the
imports, whose interrupted runs it fails first."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from klasse.imports.runs import runs_fail_interrupted


class Command(BaseCommand):
    help = "Een achtergrondwerker die imports uitvoert (production runs several)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="stop when the queue is empty")

    def handle(self, *args, batch: bool, **options):
        # Imports whose worker died (killed, machine restarted) are failed, never left running.
        runs_fail_interrupted()
        call_command(
            "db_worker", "--interval", "0.5", "--no-startup-delay", *(["--batch"] if batch else [])
        )
