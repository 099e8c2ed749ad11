from django.core.management.base import BaseCommand

from klasse.accounts.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Laad de demoschool (idempotent) en toon hoe je inlogt."

    def handle(self, *args, **options):
        school = demo_load()
        students = school.accounts.filter(role="student").count()
        self.stdout.write(
            f"Demoschool '{school.name}' staat klaar: {students} leerlingen.\n"
            f"Log in op http://127.0.0.1:8000/ als beheerder 'demo-beheerder', "
            f"docent 'demo-docent' of leerling 'demo-ll001', wachtwoord '{DEMO_PASSWORD}'."
        )
