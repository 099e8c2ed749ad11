"""The background reading of an upload: the web request only stores the bytes, a worker
reads them once, within a time budget, and stores the table for every later step.

An administrator's choice of another encoding or separator on the mapping page is read
the same way. Views and the task call these; they call the core.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .core.pipeline import read_upload
from .core.problems import FileProblem
from .models import ImportRun
from .uploads import UploadGone, upload_data, upload_delete, upload_save_table

Status = ImportRun.Status
logger = logging.getLogger(__name__)
UNREADABLE = (
    "Het bestand kon niet gelezen worden door een fout in Klasse. Kies het bestand opnieuw; "
    "gaat het weer mis, neem dan contact op met de helpdesk."
)


def run_read(*, run_id: str) -> str:
    """1. claim the run that waits to be read; 2. read its file with the run's choice of
    encoding and separator (`file_info["wanted"]`, else detected), at most
    `KLASSE_READ_SECONDS`; 3. store the table and go on to the mapping (`planned`).
    A file problem fails a first reading (the upload page shows it, the file goes); when
    another encoding or separator was asked for, the earlier table stays and the problem
    is shown on the mapping page. The outcome: read, failed, kept or skipped."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != Status.READING:
            return "skipped"
        ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), progress=0)
    info = run.file_info
    wanted = info.get("wanted") or {}
    first = "detected" not in info
    try:
        table = read_upload(
            upload_data(run),
            run.file_name,
            encoding=wanted.get("encoding"),
            delimiter=wanted.get("delimiter"),
            on_rows=_Budget(run.pk, settings.KLASSE_READ_SECONDS),
        )
    except UploadGone:
        ImportRun.objects.filter(pk=run.pk).delete()
        return "skipped"
    except Exception as error:
        if not isinstance(error, FileProblem):
            logger.exception("reading import run %s failed", run.pk)
        message = error.message if isinstance(error, FileProblem) else UNREADABLE
        return _not_read(run, message, first=first)
    found = {"encoding": table.encoding, "delimiter": table.delimiter}
    file_info = {
        **{k: v for k, v in info.items() if k not in ("wanted", "problem")},
        "format": table.format,
        **found,
        "rows": len(table.rows),
        "sheet": table.sheet,
    }
    if first:
        file_info["detected"] = found
    upload_save_table(run, table)
    ImportRun.objects.filter(pk=run.pk, status=Status.READING).update(
        status=Status.PLANNED, file_info=file_info, progress=len(table.rows)
    )
    return "read"


def run_reread(run: ImportRun, *, encoding: str | None, delimiter: str | None) -> None:
    """Ask for the run's file to be read again with this encoding and separator (the
    detected ones are asked as None: detecting also warns about a file that mixes UTF-8
    and Windows-1252, which reading with a fixed encoding cannot)."""
    detected = run.file_info.get("detected", {})
    wanted = {
        "encoding": None if encoding == detected.get("encoding") else encoding,
        "delimiter": None if delimiter == detected.get("delimiter") else delimiter,
    }
    run.file_info = {**run.file_info, "wanted": wanted, "problem": ""}
    run.status = Status.READING
    run.save(update_fields=["file_info", "status"])


def run_reading_problem(run: ImportRun) -> str:
    """The problem of the last reading asked for on the mapping page, said once."""
    problem = run.file_info.get("problem", "")
    if problem:
        run.file_info = {**run.file_info, "problem": ""}
        ImportRun.objects.filter(pk=run.pk).update(file_info=run.file_info)
    return problem


def _not_read(run: ImportRun, message: str, *, first: bool) -> str:
    if first:
        upload_delete(run)
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED, error=message, finished_at=timezone.now()
        )
        return "failed"
    info = {k: v for k, v in run.file_info.items() if k != "wanted"}
    ImportRun.objects.filter(pk=run.pk, status=Status.READING).update(
        status=Status.PLANNED, file_info={**info, "problem": message}
    )
    return "kept"


class _Budget:
    """`read_table`'s `on_rows`: the rows read so far on the run, at most once a second
    (the wizard shows them), and a FileProblem once the reading took longer than
    `seconds`. A worker is shared by every school: no one file may hold it for long."""

    def __init__(self, run_id, seconds: float) -> None:
        self.run_id = run_id
        self.seconds = seconds
        self.start = self.last = time.monotonic()

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.start > self.seconds:
            raise FileProblem(
                "too_large",
                f"Het lezen van het bestand duurde langer dan {self.seconds:.0f} seconden en "
                f"is gestopt na {rows} rijen. Splits het bestand en importeer de delen na "
                "elkaar, of laat kolommen weg die niet nodig zijn.",
            )
        if now - self.last >= 1:
            self.last = now
            ImportRun.objects.filter(pk=self.run_id).update(
                progress=rows, heartbeat_at=timezone.now()
            )
