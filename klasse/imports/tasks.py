"""Background jobs of the imports app (Django's tasks framework; `klasse worker` runs them)."""

from django.tasks import task

from .execution import run_execute


@task()
def import_run(run_id: str) -> str:
    """Apply a queued wizard import; the outcome (done, stale, failed) is saved on the run."""
    return run_execute(run_id=run_id)
