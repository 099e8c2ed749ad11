"""TOOLS › GESCHIEDENIS: every import, its report, and undo."""

from django.urls import path

from . import history_views

app_name = "history"
urlpatterns = [
    path("", history_views.run_list, name="list"),
]
