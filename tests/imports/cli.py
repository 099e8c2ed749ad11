"""`klasse import` called as a test calls a function: its exit status and what it printed."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import CommandError


def run_import_command(capsys, *args: str) -> tuple[int, str]:
    """(exit status, standard output) of `klasse import *args`: 0, or the status a
    CommandError or SystemExit gave (1 for a file problem, 2 for wrong usage)."""
    try:
        call_command("import", *args)
        code = 0
    except CommandError as error:
        code = error.returncode
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().out
