from django.core.management.base import BaseCommand

from klasse.accounts.demo import DEMO_PASSWORD, demo_load
from klasse.accounts.site import base_url


class Command(BaseCommand):
    help = "Laad de demoschool (idempotent) en toon hoe je inlogt."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="de poort waarop je Klasse start (voor het adres dat de demo toont)",
        )

    def handle(self, *args, port: int, **options):
        school = demo_load()
        students = school.accounts.filter(role="student").count()
        self.stdout.write(
            f"Demoschool '{school.name}' staat klaar: {students} leerlingen.\n"
            f"Log in op {base_url(port=port)}/ als beheerder 'demo-beheerder', "
            f"docent 'demo-docent' of leerling 'demo-ll001', wachtwoord '{DEMO_PASSWORD}'."
        )
