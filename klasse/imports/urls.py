"""The import wizard: TOOLS › IMPORTEREN."""

from django.urls import path

from .wizard import mapping, preview, progress, reading, upload

app_name = "imports"
urlpatterns = [
    path("", upload.start, name="start"),
    path("sjabloon.csv", upload.template_download, {"fmt": "csv"}, name="template_csv"),
    path("sjabloon.xlsx", upload.template_download, {"fmt": "xlsx"}, name="template_xlsx"),
    path("<uuid:pk>/lezen/", reading.reading, name="reading"),
    path("<uuid:pk>/lezen/stand/", reading.reading_status, name="reading_status"),
    path("<uuid:pk>/koppelen/", mapping.mapping, name="mapping"),
    path("<uuid:pk>/voorbeeld/", preview.preview, name="preview"),
    path("<uuid:pk>/fouten.csv", preview.fixup, {"fmt": "csv"}, name="fixup_csv"),
    path("<uuid:pk>/fouten.xlsx", preview.fixup, {"fmt": "xlsx"}, name="fixup_xlsx"),
    path("<uuid:pk>/importeer/", preview.confirm, name="confirm"),
    path("<uuid:pk>/stoppen/", preview.cancel, name="cancel"),
    path("<uuid:pk>/voortgang/", progress.progress, name="progress"),
    path("<uuid:pk>/voortgang/stand/", progress.progress_status, name="progress_status"),
]
