"""A large import's fix-up XLSX, made by a worker rather than in the request.

openpyxl cannot stream a workbook, and 200,000 rows with errors take half a minute, so
above `INLINE_FIXUP_ROWS` the file is asked for, made by the task `make_fixup_file` and
kept as an `ExportFile` that names the run: in the database, as the web process and the
worker may run on different machines. It is handed out once, like a large export
(`exports.background.export_file_take`), and deleted after a day if nobody takes it.
"""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from klasse.accounts.models import Account
from klasse.exports.background import export_files_purge_expired
from klasse.exports.models import ExportFile

from .core.pipeline import Prepared
from .models import ImportRun
from .runs import run_prepare
from .wizard.fixup import fixup_csv_chunks, fixup_rows, fixup_xlsx

# Up to this many rows with errors the workbook is made in the request (about a second).
INLINE_FIXUP_ROWS = 5000


def fixup_file_name(run: ImportRun, fmt: str) -> str:
    """`leerlingen.csv` → `leerlingen-fouten.xlsx`."""
    return f"{Path(run.file_name).stem}-fouten.{fmt}"


def fixup_file_request(*, actor: Account, run: ImportRun) -> ExportFile:
    """A pending fix-up XLSX of `run` for `actor`; the task `make_fixup_file` makes it.
    Files asked for more than a day ago, exports included, are deleted first."""
    export_files_purge_expired()
    return ExportFile.objects.create(
        school_id=run.school_id,
        requested_by=actor,
        import_run=run,
        format="xlsx",
        file_name=fixup_file_name(run, "xlsx"),
    )


def fixup_file_make(*, file_id: str) -> int:
    """Write the fix-up XLSX of a pending file; its number of rows with errors.

    1. Load the file and its run; one deleted meanwhile (expired, run stopped) or already
       made is left alone.
    2. Plan the run again against the school's accounts as they are now, as the request
       did (`runs.run_prepare`), and write its rows with errors.
    3. Store the bytes and mark the file done, unless it was deleted meanwhile.
    A failure (the upload gone, the file unreadable) marks it failed, and is raised for the
    worker's log.
    """
    export_files_purge_expired()
    pending = ExportFile.objects.defer("content").filter(
        pk=file_id, status=ExportFile.Status.PENDING, import_run__isnull=False
    )
    fixup = pending.first()
    if fixup is None:
        return 0
    try:
        run = ImportRun.objects.select_related("school").get(pk=fixup.import_run_id)
        headers, rows = fixup_rows(run_prepare(run))
        content = fixup_xlsx(headers, rows)
    except Exception:
        pending.update(status=ExportFile.Status.FAILED, finished_at=timezone.now())
        raise
    pending.update(
        status=ExportFile.Status.DONE,
        content=content,
        rows=len(rows),
        finished_at=timezone.now(),
    )
    return len(rows)


def fixup_file_keep(run: ImportRun, prepared: Prepared) -> ExportFile | None:
    """After an import, before its upload is deleted: the rows it skipped for an error, as
    a fix-up CSV for the administrator who imported (the result page offers it), kept and
    handed out once like any fix-up file. None when no row had an error (or nobody to give
    it to)."""
    if not prepared.plan.counts.get("error") or run.actor_id is None:
        return None
    headers, rows = fixup_rows(prepared)
    export_files_purge_expired()
    return ExportFile.objects.create(
        school_id=run.school_id,
        requested_by_id=run.actor_id,
        import_run=run,
        format="csv",
        file_name=fixup_file_name(run, "csv"),
        status=ExportFile.Status.DONE,
        content=b"".join(fixup_csv_chunks(headers, rows)),
        rows=len(rows),
        finished_at=timezone.now(),
    )


def fixup_file_kept(run: ImportRun, user: Account) -> ExportFile | None:
    """The fix-up file `fixup_file_keep` made for `user` of this run, while it is kept."""
    kept = ExportFile.objects.defer("content").filter(
        import_run=run, requested_by=user, status=ExportFile.Status.DONE, format="csv"
    )
    return kept.order_by("-created_at").first()
