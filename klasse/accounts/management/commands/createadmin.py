import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from klasse.accounts.commands import school_for_command
from klasse.accounts.services import admin_create, username_is_taken


class Command(BaseCommand):
    help = "Maak een beheerder voor een school (password from KLASSE_PASSWORD or a prompt)."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="korte naam (slug) van de school")
        parser.add_argument("--username", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, school: str, username: str, first_name: str, last_name: str, **opts):
        school_obj = school_for_command(school)
        if username_is_taken(username):
            raise CommandError(f"De gebruikersnaam '{username}' is al in gebruik.")
        password = os.environ.get("KLASSE_PASSWORD") or self._prompt_password()
        try:
            account = admin_create(
                school=school_obj,
                username=username,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Beheerder aangemaakt: {account.username} ({school_obj.name})")

    def _prompt_password(self) -> str:
        first = getpass.getpass("Wachtwoord: ")
        if first != getpass.getpass("Wachtwoord (nogmaals): "):
            raise CommandError("De wachtwoorden komen niet overeen.")
        return first
