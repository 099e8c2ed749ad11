"""TOOLS › EXPORTEREN, a page among the accounts' tools: `klasse/urls.py` includes these
patterns with those of `klasse.accounts.user_urls`, in the `users` namespace
(`users:export`, /tools/gebruikers/exporteren/), since the accounts app below cannot name
a page of the exports."""

from django.urls import path

from . import views

urlpatterns = [
    path("exporteren/", views.export, name="export"),
]
