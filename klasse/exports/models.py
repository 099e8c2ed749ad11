"""An export made in the background: its choices, its status and, when done, its file.

The file is kept in the database, not on disk, because the worker that makes it and the
web process that hands it out may run on different machines. It is deleted once
downloaded, or a day after it was asked for (`background.export_files_purge_expired`).

The import wizard keeps its large fix-up files here too (`imports.fixup_files`): such a
file names its import run, and only the imports app makes it; the model names the run by
its label, so this app never imports the imports app's models.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klasse.accounts.models import School, SchoolClass


class ExportFile(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("wordt gemaakt")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=4)  # csv | xlsx
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    include_archived = models.BooleanField(default=False)
    # Set for an import's fix-up file (the rows with errors), empty for an export.
    import_run = models.ForeignKey(
        "imports.ImportRun", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    content = models.BinaryField(default=b"")
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="export_file_created")]

    def __str__(self) -> str:
        return self.file_name
