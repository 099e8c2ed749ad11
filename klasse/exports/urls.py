"""TOOLS › EXPORTEREN, a page among the accounts' tools: `klasse/urls.py` includes these
patterns with those of `klasse.accounts.user_urls`, in the `users` namespace
(`users:export`, /tools/gebruikers/exporteren/), since the accounts app below cannot name
a page of the exports. A large XLSX export waits for its worker at `users:export_file`."""

from django.urls import path

from . import views

urlpatterns = [
    path("exporteren/", views.export, name="export"),
    path("exporteren/<uuid:pk>/", views.export_file, name="export_file"),
    path("exporteren/<uuid:pk>/status/", views.export_file_status, name="export_file_status"),
    path("exporteren/<uuid:pk>/download/", views.export_file_download, name="export_file_download"),
]
