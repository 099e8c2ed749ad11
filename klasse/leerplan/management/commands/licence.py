import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from klasse.accounts.commands import school_for_command
from klasse.leerplan.licences import (
    LicenceError,
    active_student_count,
    licence_grant,
    licence_revoke,
    subject_for_slug,
    today,
)
from klasse.leerplan.models import Licence


class Command(BaseCommand):
    help = (
        "Beheer de licenties van scholen voor vakken: grant (geven of verlengen), list "
        "(tonen) en revoke (intrekken). Elke wijziging komt in het logboek van de school."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="grant|list|revoke")
        grant = actions.add_parser("grant", help="geef een school een licentie, of wijzig die")
        grant.add_argument("--school", required=True, metavar="SLUG", help="korte naam")
        grant.add_argument("--subject", required=True, metavar="VAK", help="bijv. rekenen")
        grant.add_argument(
            "--until", required=True, metavar="JJJJ-MM-DD", help="laatste dag (tot en met)"
        )
        grant.add_argument(
            "--from",
            dest="starts",
            metavar="JJJJ-MM-DD",
            help="eerste dag (standaard: vandaag, of het begin van de bestaande licentie)",
        )
        limit = grant.add_mutually_exclusive_group()
        limit.add_argument(
            "--students",
            type=int,
            metavar="N",
            help="aantal leerlingen, 1 tot en met 1.000.000 (wordt getoond; "
            "weggelaten: het aantal van de bestaande licentie blijft)",
        )
        limit.add_argument(
            "--no-student-limit",
            action="store_true",
            help="haal het aantal leerlingen van de bestaande licentie weg",
        )
        listing = actions.add_parser("list", help="toon licenties")
        listing.add_argument("--school", metavar="SLUG", help="alleen deze school")
        listing.add_argument("--json", action="store_true", help="als JSON")
        revoke = actions.add_parser("revoke", help="trek een licentie in")
        revoke.add_argument("--school", required=True, metavar="SLUG", help="korte naam")
        revoke.add_argument("--subject", required=True, metavar="VAK", help="bijv. rekenen")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except LicenceError as error:
            raise CommandError(str(error)) from None

    def _grant(self, *, school, subject, until, starts, students, no_student_limit, **options):
        ends = _date(until, "--until")
        first = _date(starts, "--from") if starts else None
        school_obj = school_for_command(school)
        licence, created = licence_grant(
            school=school_obj,
            subject=subject_for_slug(subject),
            ends=ends,
            starts=first,
            max_students=students,
            no_student_limit=no_student_limit,
        )
        verb = "Licentie gegeven" if created else "Licentie gewijzigd"
        limit = f", {licence.max_students} leerlingen" if licence.max_students else ""
        self.stdout.write(
            f"{verb}: {school_obj.slug} {licence.subject.slug} van {licence.starts:%Y-%m-%d} "
            f"tot en met {licence.ends:%Y-%m-%d}{limit}."
        )

    def _revoke(self, *, school, subject, **options):
        school_obj = school_for_command(school)
        licence = licence_revoke(school=school_obj, subject=subject_for_slug(subject))
        self.stdout.write(f"Licentie ingetrokken: {school_obj.slug} {licence.subject.slug}.")

    def _list(self, *, school, json: bool = False, **options):
        licences = Licence.objects.select_related("school", "subject").order_by(
            "school__slug", "subject__sort_order"
        )
        if school:
            licences = licences.filter(school=school_for_command(school))
        rows = [_row(licence) for licence in licences]
        if json:
            self.stdout.write(_json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("Geen licenties.")
            return
        table = [("school", "vak", "vanaf", "tot en met", "status", "leerlingen")]
        for row in rows:
            count = str(row["active_students"])
            if row["max_students"]:
                count += f" van {row['max_students']}"
                if row["active_students"] > row["max_students"]:
                    count += f" ({row['active_students'] - row['max_students']} te veel)"
            status = STATUS[row["status"]]
            table.append((row["school"], row["subject"], row["starts"], row["ends"], status, count))
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            )


_json = json
STATUS = {"active": "actief", "ended": "verlopen", "future": "nog niet begonnen"}


def _row(licence: Licence) -> dict:
    on = today()
    status = "future" if licence.starts > on else "ended" if licence.ends < on else "active"
    return {
        "school": licence.school.slug,
        "subject": licence.subject.slug,
        "subject_name": licence.subject.name,
        "starts": licence.starts.isoformat(),
        "ends": licence.ends.isoformat(),
        "status": status,
        "active": status == "active",
        "max_students": licence.max_students,
        "active_students": active_student_count(licence.school_id),
    }


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            f"{option} '{text}' is geen datum. Schrijf de datum als JJJJ-MM-DD, "
            "bijvoorbeeld 2027-07-31."
        ) from None
