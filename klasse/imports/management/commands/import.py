import json
from datetime import datetime
from pathlib import Path

from django.core.management.base import CommandError

from klasse.accounts.commands import ScriptCommand, school_for_command
from klasse.imports.core.edexml import looks_like_edexml
from klasse.imports.core.edexml_choices import (
    USERNAME_PATTERNS,
    EdexOptions,
    check_pattern,
    check_programmes,
)
from klasse.imports.core.mapping import FIELDS
from klasse.imports.core.pipeline import run_import
from klasse.imports.core.planning import Actions
from klasse.imports.core.problems import FileProblem
from klasse.imports.management.commands._login_cards import (
    login_cards_target,
    login_cards_write,
)
from klasse.imports.remembered import edex_options_initial, edex_options_remember
from klasse.imports.services import import_run_record_cli


class Command(ScriptCommand):
    help = (
        "Importeer leerlingen en docenten uit een CSV-, XLSX- of EDEXML-bestand. Exit 0: verwerkt; "
        "1: bestandsprobleem (niets gewijzigd); 2: verkeerd gebruik."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV-, XLSX- of EDEXML-bestand")
        parser.add_argument("--school", required=True, help="korte naam (slug) van de school")
        parser.add_argument("--add", action="store_true", help="voeg nieuwe accounts toe")
        parser.add_argument("--update", action="store_true", help="werk bestaande accounts bij")
        parser.add_argument(
            "--archive",
            action="store_true",
            help="archiveer leerlingen die niet in het bestand staan",
        )
        parser.add_argument(
            "--overwrite-passwords",
            action="store_true",
            help="vervang wachtwoorden van bestaande accounts",
        )
        parser.add_argument(
            "--confirm-mass-archive",
            action="store_true",
            help="sta toe dat meer dan een derde van de leerlingen archiveert",
        )
        parser.add_argument(
            "--no-emails",
            action="store_true",
            help="stuur nieuwe accounts zonder wachtwoord géén e-mail om er een te kiezen",
        )
        parser.add_argument(
            "--generate-passwords",
            action="store_true",
            help="voeg nieuwe accounts zonder wachtwoord en e-mailadres toe; hun wachtwoord "
            "komt op hun inlogkaartje",
        )
        parser.add_argument(
            "--login-cards",
            metavar="FILE.pdf",
            help="met --generate-passwords: maak meteen na de import de inlogkaartjes van de "
            "nieuwe accounts, met hun nieuwe wachtwoorden, in dit PDF-bestand (mode 0600)",
        )
        parser.add_argument(
            "--map",
            action="extend",
            nargs="+",
            default=[],
            metavar="HEADER=FIELD",
            help="koppel een kolom aan een veld",
        )
        parser.add_argument(
            "--programme",
            action="append",
            default=[],
            metavar="GROEPNAAM=OPLEIDING",
            help="EDEXML: de opleiding van een groep met een jaargroep buiten 1-8 (herhaalbaar)",
        )
        parser.add_argument(
            "--username-pattern",
            default="",
            metavar="PATROON",
            help="EDEXML: gebruikersnamen voor nieuwe accounts zonder gebruikersnaam: "
            + ", ".join(USERNAME_PATTERNS)
            + " (eventueel met 'school.' ervoor)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="toon alleen wat er zou gebeuren"
        )
        parser.add_argument("--json", action="store_true", help="print één JSON-object")

    def handle(self, *args, **opts):
        actions = Actions(
            add=opts["add"],
            update=opts["update"],
            archive=opts["archive"],
            overwrite_passwords=opts["overwrite_passwords"],
            confirm_mass_archive=opts["confirm_mass_archive"],
            send_emails=not opts["no_emails"],
            generate_passwords=opts["generate_passwords"],
        )
        if not (actions.add or actions.update or actions.archive):
            raise CommandError(
                "Kies minstens één actie: --add, --update of --archive.", returncode=2
            )
        cards = login_cards_target(opts["login_cards"], opts)
        overrides = self._overrides(opts["map"])
        school = school_for_command(opts["school"], returncode=2)
        given = self._options(opts)
        remembered = edex_options_initial(school)
        options = EdexOptions(
            {**remembered.programmes, **given.programmes},
            given.username_pattern or remembered.username_pattern,
        )
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            return self._file_problem(
                opts,
                FileProblem(
                    "unreadable_file",
                    f"Het bestand '{path}' kan niet worden geopend: {_why(error)}",
                ),
            )
        if overrides and looks_like_edexml(data):
            raise CommandError(
                "--map kan niet bij een EDEXML-bestand: de velden van EDEXML liggen vast, er "
                "zijn geen kolommen te koppelen. Laat --map weg.",
                returncode=2,
            )
        record = import_run_record_cli(
            school=school, file_name=path.name, data=data, actions=actions.as_list()
        )
        try:
            report, _ = run_import(
                data,
                path.name,
                school=school,
                actions=actions,
                overrides=overrides,
                dry_run=opts["dry_run"],
                record=record,
                mail=record.mail,  # the stored run's task sends and counts the e-mails
                options=options,
            )
        except FileProblem as problem:
            return self._file_problem(opts, problem)
        except ValueError as error:  # a --map that names no column, or a field twice
            raise CommandError(str(error), returncode=2) from error
        if report["file"]["format"] == "edexml":
            self._unknown_groups(given, report["file"]["edexml"])
            if not opts["dry_run"]:  # remembered when applied, never for a dry run
                edex_options_remember(school=school, options=given)
        self._print(opts, report)
        if record.run is not None and report["generated_passwords"]:
            self._login_cards(opts, record.run, cards)

    def _login_cards(self, opts, run, cards: Path | None) -> None:
        """Write the new accounts' login cards, or say where to make them (on standard
        error with --json, whose standard output is the report alone)."""
        say = self.stderr.write if opts["json"] else self.stdout.write
        if cards is None:
            say(
                f"{run.report['generated_passwords']} nieuwe account(s) krijgen hun wachtwoord "
                "op hun inlogkaartje: maak de kaartjes in Klasse bij TOOLS › GESCHIEDENIS › "
                f"{run.file_name} › Inlogkaartjes afdrukken (of gebruik --login-cards BESTAND.pdf)."
            )
            return
        count = login_cards_write(run, cards)
        say(f"Inlogkaartjes met {count} nieuwe wachtwoord(en) geschreven naar {cards}.")

    def _options(self, opts) -> EdexOptions:
        """--programme GROEP=OPLEIDING (repeatable) and --username-pattern; exit 2 when wrong."""
        programmes: dict[str, str] = {}
        for pair in opts["programme"]:
            group, sep, programme = pair.partition("=")
            if not sep or not group.strip() or not programme.strip():
                raise CommandError(
                    f"--programme verwacht GROEPNAAM=OPLEIDING, niet '{pair}'.", returncode=2
                )
            programmes[group.strip()] = programme.strip()
        try:
            pattern = opts["username_pattern"]
            return EdexOptions(check_programmes(programmes), pattern and check_pattern(pattern))
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from error

    def _unknown_groups(self, given: EdexOptions, info: dict) -> None:
        """A --programme for a group the file does not have (a typing error, say `ISK1`
        for `ISK-1`) is said on standard error, with the file's groups; the exit status
        stays what the import gives."""
        names = [name for name, _jaargroep, _pupils in info["groups"]]
        unknown = [group for group in given.programmes if group not in names]
        if unknown:
            self.stderr.write(
                f"Let op: --programme noemt {_groups_said(unknown)}. Het bestand heeft de "
                f"groepen: {', '.join(names) or '(geen)'}. "
                "Controleer de groepsnaam (hoofdletters tellen mee)."
            )

    def _overrides(self, pairs: list[str]) -> dict[str, str | None]:
        overrides: dict[str, str | None] = {}
        for pair in pairs:
            header, sep, fld = pair.partition("=")
            if not sep or not header:
                raise CommandError(f"--map verwacht KOLOM=VELD, niet '{pair}'.", returncode=2)
            if fld and fld not in FIELDS:
                raise CommandError(
                    f"Onbekend veld '{fld}'. Kies uit: {', '.join(FIELDS)}.", returncode=2
                )
            overrides[header] = fld or None
        return overrides

    def _file_problem(self, opts, problem: FileProblem):
        if opts["json"]:
            self.stdout.write(json.dumps({"error": problem.as_dict()}, ensure_ascii=False))
            raise SystemExit(1)
        raise CommandError(f"{problem.message} [{problem.code}]", returncode=1)

    def _print(self, opts, report: dict) -> None:
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        counts = report["counts"]
        heading = "Proefimport (er is niets gewijzigd)" if report["dry_run"] else "Import klaar"
        rows = report["file"]["rows"]
        self.stdout.write(
            f"{heading}: {rows} {'rij' if rows == 1 else 'rijen'}. Nieuw {counts['add']}, "
            f"bijgewerkt {counts['update']}, ongewijzigd {counts['unchanged']}, gearchiveerd "
            f"{counts['archive']}, overgeslagen {counts['skipped']}, fouten {counts['error']}."
        )
        if whole := report["archived_classes"]:
            said = ", ".join(
                f"{c['name']} ({c['students']} leerling{'' if c['students'] == 1 else 'en'})"
                for c in whole
            )
            self.stdout.write(f"  Deze klassen staan niet in het bestand: {said}.")
        emails, cards = report["emails"], report["generated_passwords"]
        verb = "zouden worden" if report["dry_run"] else "worden"
        self.stdout.write(
            f"E-mails met een link om een wachtwoord te kiezen: {emails} ({verb} verstuurd door "
            f"de achtergrondtaak). Wachtwoorden voor inlogkaartjes: {cards}."
        )
        if "started_at" in report:
            self.stdout.write(
                f"Gestart {_shown(report['started_at'])}, klaar {_shown(report['finished_at'])}."
            )
        for problem in report["problems"]:
            label = "FOUT" if problem["severity"] == "error" else "let op"
            self.stdout.write(f"  {label} [{problem['code']}] {problem['message']}")


def _shown(moment: str) -> str:
    """The report's ISO moment as the pages show it (`29-11-2026 13:18`, Amsterdam)."""
    return datetime.fromisoformat(moment).strftime("%d-%m-%Y %H:%M")


def _why(error: OSError) -> str:
    """What went wrong opening a file, in Dutch (the system's own words are English)."""
    if isinstance(error, FileNotFoundError):
        return "het bestaat niet. Controleer de naam en de map."
    if isinstance(error, PermissionError):
        return "je mag het niet lezen. Vraag de eigenaar van het bestand om leesrechten."
    if isinstance(error, IsADirectoryError):
        return "dit is een map, geen bestand. Geef het bestand zelf op."
    return "het is niet te lezen. Controleer of het bestand nog bestaat en niet geopend is."


def _groups_said(groups: list[str]) -> str:
    quoted = ", ".join(f"'{group}'" for group in groups)
    if len(groups) == 1:
        return f"de groep {quoted}, die niet in het bestand staat"
    return f"de groepen {quoted}, die niet in het bestand staan"
