"""Background jobs of the exports (Django's tasks framework; `klasse worker` runs them)."""

from django.tasks import task

from .background import export_file_make


@task()
def make_export_file(export_id: str) -> int:
    """Make the file of a pending export (`background.export_file_make`); its rows."""
    return export_file_make(export_id=export_id)
