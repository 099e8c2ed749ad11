"""The background half of the wizard: apply a queued run's plan, or find it stale.

The task in `tasks.py` only passes the run's id here.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .core.applying import AppliedChanges, StalePlan, apply_plan
from .core.pipeline import build_report, history_report
from .core.problems import FileProblem
from .fixup_files import fixup_file_keep
from .followups import run_emails_mailer
from .models import ImportRun
from .remembered import edex_options_of_run, edex_options_remember
from .runs import HEARTBEAT_EVERY, run_discard_file, run_prepare
from .services import import_run_finish

Status = ImportRun.Status
logger = logging.getLogger(__name__)
FAILED = (
    "De import is mislukt door een fout in Klasse; er is niets gewijzigd. Kies het bestand "
    "opnieuw en probeer het nog eens. Gaat het weer mis, neem dan contact op met de helpdesk."
)


def run_execute(*, run_id: str) -> str:
    """1. claim the queued run (a second worker or a second enqueue finds it taken);
    2. read the stored file again and plan it; 3. a plan that differs from the preview's is
    not applied: the run becomes stale and the wizard shows the new preview; 4. apply it in
    one transaction, which also records the result; 5. on any failure nothing is applied,
    the run is failed with a Dutch message. The file is deleted unless the run is stale."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != Status.QUEUED:
            return "skipped"
        run.status = Status.RUNNING
        run.heartbeat_at = run.started_at = timezone.now()
        run.save(update_fields=["status", "heartbeat_at", "started_at"])
    with Heartbeat(run.pk):
        return _execute(run)


def _execute(run: ImportRun) -> str:
    try:
        prepared = run_prepare(run)
        if prepared.plan.fingerprint != run.fingerprint:
            raise StalePlan
        report = history_report(prepared, build_report(prepared, dry_run=False))
        plan = prepared.plan
        total = sum(p.action in ("add", "update") for p in plan.rows) + len(plan.archive) + 1
        progress = ProgressWriter(run.pk, total)
        apply_plan(
            plan,
            progress=progress,
            record=lambda changes: _record(run, report, changes),
            mail=run_emails_mailer(run.pk),  # the run's own task, which counts them
        )
    except StalePlan:
        live = ImportRun.objects.filter(pk=run.pk, status=Status.RUNNING)
        live.update(status=Status.STALE, progress=0, total=0)
        return "stale"
    except Exception as error:
        logger.exception("import run %s failed", run.pk)
        run_discard_file(run)
        # A failure after the commit (queueing the e-mails) must not call a done import failed.
        ImportRun.objects.filter(pk=run.pk).exclude(status=Status.DONE).update(
            status=Status.FAILED, error=_failure_message(error), finished_at=timezone.now()
        )
        return "failed"
    try:  # the skipped rows, for the result page, while the upload is still there
        fixup_file_keep(run, prepared)
    except Exception:
        logger.exception("fix-up file of import run %s not kept", run.pk)
    run_discard_file(run)
    return "done"


def _failure_message(error: Exception) -> str:
    if isinstance(error, FileProblem):
        return f"{error.message} Er is niets gewijzigd."
    return FAILED


def _record(run: ImportRun, report: dict, changes: AppliedChanges) -> None:
    """Runs inside the import's transaction: the accounts, the result and the audit log
    entries commit together. An EDEXML file's choices (programmes per group, username
    pattern) are remembered for the school here, when the import is applied, never when
    step 2 is submitted: a run stopped before it leaves nothing remembered."""
    import_run_finish(run, report, changes)
    if report["file"]["format"] == "edexml" and run.options:
        edex_options_remember(school=run.school, options=edex_options_of_run(run))


class Heartbeat:
    """While the import runs, a thread stamps `heartbeat_at` on its own connection (outside
    the import's transaction, so others see it). If the worker dies, the stamps stop and
    `runs_fail_interrupted` marks the run failed."""

    def __init__(self, run_id) -> None:
        self.run_id = run_id
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join()

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_EVERY):
                try:
                    ImportRun.objects.filter(pk=self.run_id, status=Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # SQLite: the import holds the one write lock; later
                    continue
        finally:
            connection.close()


class ProgressWriter:
    """The core's progress callback, written to the run at most every `interval` seconds
    (and always at the start and the end): never a database write per row."""

    def __init__(self, run_id, total: int, *, interval: float = 0.5) -> None:
        self.run_id = run_id
        self.interval = interval
        self.last = time.monotonic()
        ImportRun.objects.filter(pk=run_id).update(progress=0, total=total)

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.interval:
            return
        self.last = now
        ImportRun.objects.filter(pk=self.run_id).update(progress=done, total=total)
