"""What the `klasse` commands share: finding the school they are asked about, and the
base of the commands that schools' scripts call once per file."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, ProgrammingError

from .models import School

_NOT_SET_UP = (
    "De database is nog niet ingericht of niet bijgewerkt: voer eerst `klasse migrate` uit."
)


def school_for_command(slug: str, *, returncode: int = 1) -> School:
    """The school with this short name, or a CommandError that says what to do: no such
    school, or a database without Klasse's tables yet (a traceback otherwise). Case does
    not matter (`DEMO` is `demo`), as for a subject's short name."""
    try:
        school = School.objects.filter(slug__iexact=slug.strip()).first()
    except (OperationalError, ProgrammingError) as error:
        text = str(error)
        if "no such table" in text or "does not exist" in text:
            raise CommandError(_NOT_SET_UP, returncode=2) from None
        raise
    if school is None:
        raise CommandError(f"Geen school met de korte naam '{slug}'.", returncode=returncode)
    return school


class ScriptCommand(BaseCommand):
    """A command that scripts call once per file (`import`, `export`, `template`): without
    Django's system checks, which import every URL module (about half a second a call) and
    belong to `klasse check --deploy` at deployment."""

    requires_system_checks = []
