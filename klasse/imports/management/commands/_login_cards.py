"""`klasse import --login-cards FILE.pdf`: the new accounts' login cards, with the passwords
made for them, written by the command that imported them.

The passwords are made once the import has committed (`followups.run_login_cards_create`,
as the web page makes them) and exist only in the PDF: it is written beside its target and
renamed into place with mode 0600. Whether the file can be written is checked before the
import, so that a wrong path never leaves accounts whose passwords nobody saw (they would
still get them from the web page)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import CommandError
from django.urls import reverse

from klasse.accounts.pdf import login_sheet_pdf
from klasse.accounts.site import base_url
from klasse.imports.followups import run_cards_title, run_login_cards_create
from klasse.imports.models import ImportRun

from ._output import _write_file


def login_cards_target(value: str | None, opts: dict) -> Path | None:
    """The PDF to write, checked: only with --generate-passwords and without --dry-run, in
    a folder that exists and may be written. CommandError (exit 2) otherwise."""
    if value is None:
        return None
    if not opts["generate_passwords"]:
        raise CommandError("--login-cards werkt alleen met --generate-passwords.", returncode=2)
    if opts["dry_run"]:
        raise CommandError(
            "--login-cards maakt wachtwoorden en past dus niet bij --dry-run.", returncode=2
        )
    path = Path(value)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
        raise CommandError(
            f"Kan de inlogkaartjes niet schrijven naar '{path}': kies een bestand in een map "
            "die bestaat en waarin je mag schrijven.",
            returncode=2,
        )
    return path


def login_cards_write(run: ImportRun, path: Path) -> int:
    """Make the run's login cards (fresh passwords for the accounts waiting for one) and
    write them as a PDF to `path`; how many new passwords it holds."""
    cards = run_login_cards_create(run, actor=None, fmt="pdf")
    data = login_sheet_pdf(
        cards,
        school_name=run.school.name,
        class_name="",
        login_url=base_url() + reverse("login"),
        title=run_cards_title(run),
    )
    _write_file(path, lambda out: out.write(data))
    return sum(1 for card in cards if card.password)
