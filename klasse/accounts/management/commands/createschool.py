from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from klasse.accounts.services import school_create


class Command(BaseCommand):
    help = "Maak een school aan (create a school)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="korte naam, bijvoorbeeld 'de-klasse'")
        parser.add_argument("--name", required=True, help="volledige naam van de school")
        parser.add_argument("--brin", default="", help="BRIN-code (optioneel)")

    def handle(self, *args, slug: str, name: str, brin: str, **options):
        try:
            school = school_create(slug=slug, name=name, brin=brin)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"School aangemaakt: {school.name} ({school.slug})")
