import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from klasse.accounts.commands import school_for_command
from klasse.accounts.purge import accounts_purge_archived


class Command(BaseCommand):
    help = (
        "Verwijder gearchiveerde accounts definitief: alle accounts die vóór DATUM "
        "gearchiveerd zijn (van één school met --school), en hun namen in het logboek en de "
        "importgeschiedenis. Dit kan niet ongedaan gemaakt worden; probeer eerst --dry-run. "
        "Elk gebruik wordt vastgelegd in het logboek."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--archived-before",
            required=True,
            metavar="JJJJ-MM-DD",
            help="verwijder accounts die vóór deze dag gearchiveerd zijn",
        )
        parser.add_argument("--school", metavar="SLUG", help="alleen deze school (korte naam)")
        parser.add_argument(
            "--dry-run", action="store_true", help="toon alleen hoeveel, verwijder niets"
        )

    def handle(self, *args, archived_before: str, school: str | None, dry_run: bool, **options):
        date = _parse_date(archived_before)
        school_obj = None
        if school is not None:
            school_obj = school_for_command(school)
        try:
            result = accounts_purge_archived(
                archived_before=date, school=school_obj, dry_run=dry_run
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        when = f"vóór {date:%Y-%m-%d} gearchiveerd"
        if dry_run:
            self.stdout.write(
                f"Proefrun, er is niets verwijderd: {result.total} account(s), {when}, "
                "zouden definitief verwijderd worden."
            )
        else:
            self.stdout.write(f"Definitief verwijderd: {result.total} account(s), {when}.")
        for slug, count in result.per_school.items():
            line = f"  {slug}: {count}"
            if not dry_run:
                line += (
                    f" (namen ook verwijderd uit {result.audit_entries_scrubbed[slug]} "
                    f"logboekregel(s) en {result.import_runs_scrubbed[slug]} import(s))"
                )
            self.stdout.write(line)


def _parse_date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            f"'{text}' is geen datum. Schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2025-08-01."
        ) from None
