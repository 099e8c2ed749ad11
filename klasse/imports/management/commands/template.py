from klasse.accounts.commands import ScriptCommand
from klasse.exports.writers import template_csv, template_xlsx

from ._output import add_output_arguments, chosen_format, write_output


class Command(ScriptCommand):
    help = (
        "Schrijf een leeg importbestand: de kolomkoppen en één voorbeeldregel; als xlsx met "
        "een blad Opleidingen en keuzelijsten voor opleiding en rol."
    )

    def add_arguments(self, parser):
        add_output_arguments(parser)

    def handle(self, *args, fmt, output, **options):
        fmt = chosen_format(fmt, output)
        write = template_xlsx if fmt == "xlsx" else template_csv
        write_output(self, fmt=fmt, output=output, write=write)
