"""The import wizard: TOOLS › IMPORTEREN."""

from django.urls import path

from .wizard import fixup_file, mapping, preview, progress, reading, upload

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
    path("<uuid:pk>/fouten-maken/", fixup_file.fixup_make, name="fixup_make"),
    path("herstelbestand/<uuid:pk>/", fixup_file.fixup_file, name="fixup_file"),
    path("herstelbestand/<uuid:pk>/stand/", fixup_file.fixup_file_status, name="fixup_file_status"),
    path(
        "herstelbestand/<uuid:pk>/download/",
        fixup_file.fixup_file_download,
        name="fixup_file_download",
    ),
    path("<uuid:pk>/importeer/", preview.confirm, name="confirm"),
    path("<uuid:pk>/stoppen/", preview.cancel, name="cancel"),
    path("<uuid:pk>/voortgang/", progress.progress, name="progress"),
    path("<uuid:pk>/voortgang/stand/", progress.progress_status, name="progress_status"),
]
