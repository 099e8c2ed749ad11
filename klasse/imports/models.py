"""An import run: the file, the chosen mapping and actions, its status and its report."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klasse.accounts.models import School


class ImportRun(models.Model):
    class Status(models.TextChoices):
        READING = "reading", _("wordt gelezen")
        PLANNED = "planned", _("voorbeeld")
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("bezig")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")
        STALE = "stale", _("opnieuw bekijken")
        UNDONE = "undone", _("ongedaan gemaakt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="imports")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(max_length=10, default="web")  # web | cli
    file_name = models.CharField(_("bestand"), max_length=255)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_info = models.JSONField(default=dict)
    mapping = models.JSONField(default=dict)
    # EDEXML only: the administrator's programmes per group and username pattern
    # (`core.edexml_choices.EdexOptions`), chosen on the wizard's summary step.
    options = models.JSONField(default=dict)
    actions = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    fingerprint = models.CharField(max_length=64, blank=True)
    progress = models.PositiveIntegerField(default=0)
    # Written every few seconds by the worker running the import; a running import whose
    # heartbeat stopped lost its worker (killed, machine restarted) and is marked failed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    changes = models.JSONField(default=dict)
    # The password-link e-mails of the new accounts (`changes["emailed"]`), once the
    # background task has sent them: {"sent": n}, or {"error": "…"} when it could not.
    emails = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)  # the upload (the wizard's first step)
    # The moments an import started (a worker took it, or the command line began) and was
    # finished; every page, the log and the JSON report show these two (issue 17, item 8).
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "-created_at"], name="import_school_created")]
        constraints = [
            # The same upload submitted twice imports once: at most one live run per file.
            models.UniqueConstraint(
                fields=["school", "file_sha256"],
                condition=models.Q(status__in=["queued", "running"]),
                name="import_one_live_run_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def started(self):
        """When the import started; runs recorded before `started_at` existed: the upload."""
        return self.started_at or self.created_at


class UploadedFile(models.Model):
    """A run's uploaded bytes and the table read from them (`core.stored_table`), in the
    database: web processes and workers may run on different machines, so nothing passes
    between them through a local folder. Deleted when the wizard is done, stopped or
    abandoned (`runs`); what a school has here is capped (`uploads.uploads_check_room`)."""

    run = models.OneToOneField(
        ImportRun, on_delete=models.CASCADE, primary_key=True, related_name="upload"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    table = models.BinaryField(null=True)  # None until the background reading is done
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.run_id} ({self.size} bytes)"


class RememberedMapping(models.Model):
    """A school's last mapping for one set of column headers, offered again next time."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    headers_key = models.CharField(max_length=64)  # sha256 of the sorted headers
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "headers_key"], name="remembered_mapping_per_headers"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id}: {', '.join(self.mapping)}"


class RememberedEdexChoices(models.Model):
    """A school's last choices for EDEXML files, offered again next time: the programme of
    each group whose jaargroep is not 1–8 (by group name) and the username pattern."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    programmes = models.JSONField(default=dict)
    username_pattern = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.school_id}: {len(self.programmes)} groepen"
