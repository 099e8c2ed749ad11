"""TOOLS › HULP: the manual."""

from django.urls import path

from . import views

app_name = "help"
urlpatterns = [
    path("", views.manual_page, name="manual"),
]
