"""What `export` and `template` share: the format, and where the bytes go."""

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.core.management.base import BaseCommand, CommandError

FORMATS = ("csv", "xlsx")
Writer = Callable[[BinaryIO], None]


def add_output_arguments(parser) -> None:
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=FORMATS,
        help="csv (UTF-8 met BOM, ';') of xlsx; standaard de extensie van --output, anders csv",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="schrijf naar dit bestand in plaats van naar stdout"
    )


def chosen_format(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    return "xlsx" if output and output.lower().endswith(".xlsx") else "csv"


def write_output(command: BaseCommand, *, fmt: str, output: str | None, write: Writer) -> None:
    """Write to the file `output`, or as bytes to standard output when it is None."""
    if output is not None:
        _write_file(Path(output), write)
        return
    # OutputWrapper passes attributes through, so call_command(stdout=…) is honoured.
    stream = getattr(command.stdout, "buffer", None) or sys.stdout.buffer
    if fmt == "xlsx" and stream.isatty():
        raise CommandError("Een xlsx-bestand hoort niet in een terminal; geef --output FILE op.")
    write(stream)
    stream.flush()


def _write_file(path: Path, write: Writer) -> None:
    # Write beside the target and rename: an export that fails halfway must not leave a
    # short file that a later `import --archive` would read as "everyone else has left".
    # mkstemp's mode 0600 suits a file full of pupils' personal data.
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise CommandError(
            f"Kan niet schrijven in de map '{path.parent}': {error.strerror}."
        ) from error
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except OSError as error:
        raise CommandError(f"Kan '{path}' niet schrijven: {error.strerror}.") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
