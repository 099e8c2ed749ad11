"""Background jobs of the imports app (Django's tasks framework; `klasse worker` runs them),
and the queueing of a wizard run: the top of the import, above the execution and the run's
bookkeeping (`runs`), which know nothing of the task."""

from django.tasks import task

from .execution import run_execute
from .file_reading import run_read
from .fixup_files import fixup_file_make
from .models import ImportRun
from .runs import Queued, run_mark_queued


@task()
def import_run(run_id: str) -> str:
    """Apply a queued wizard import; the outcome (done, stale, failed) is saved on the run."""
    return run_execute(run_id=run_id)


@task()
def read_upload_task(run_id: str) -> str:
    """Read an uploaded file once and store its table (`file_reading.run_read`)."""
    return run_read(run_id=run_id)


@task()
def make_fixup_file(file_id: str) -> int:
    """Make a large import's fix-up XLSX (`fixup_files.fixup_file_make`); its rows."""
    return fixup_file_make(file_id=file_id)


def run_read_enqueue(run: ImportRun) -> ImportRun:
    """Enqueue the reading of a run that waits to be read (`runs.run_create` has committed
    it); the run as it is now (already read when tasks run inline, as in the tests)."""
    read_upload_task.enqueue(str(run.pk))
    run.refresh_from_db()
    return run


def run_queue(run: ImportRun, *, seen_fingerprint: str, confirm_mass_archive: bool) -> Queued:
    """The wizard's "Importeer": mark the run queued (`runs.run_mark_queued`, which plans
    again and refuses a changed plan, an unconfirmed mass archive and a second click) and,
    only when this call marked it, enqueue its task, once the transaction that marked it
    has ended (so the worker finds the run queued)."""
    queued = run_mark_queued(
        run, seen_fingerprint=seen_fingerprint, confirm_mass_archive=confirm_mass_archive
    )
    if queued.outcome == "queued":
        import_run.enqueue(str(queued.run.pk))
    return queued
