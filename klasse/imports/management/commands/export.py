from klasse.accounts.commands import ScriptCommand, school_for_command
from klasse.exports.writers import export_rows, write_csv, write_xlsx

from ._output import add_output_arguments, chosen_format, write_output


class Command(ScriptCommand):
    help = (
        "Exporteer de leerlingen en docenten van een school in de kolommen van het "
        "importbestand, zonder wachtwoorden; importeren met --update verandert dan niets."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="korte naam (slug) van de school")
        parser.add_argument(
            "--include-archived", action="store_true", help="ook gearchiveerde accounts"
        )
        add_output_arguments(parser)

    def handle(self, *args, school: str, include_archived: bool, fmt, output, **options):
        school_obj = school_for_command(school)
        fmt = chosen_format(fmt, output)
        rows = export_rows(school=school_obj, include_archived=include_archived)
        writer = write_xlsx if fmt == "xlsx" else write_csv
        write_output(self, fmt=fmt, output=output, write=lambda out: writer(rows, out))
