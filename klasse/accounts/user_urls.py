"""TOOLS › GEBRUIKERS: search and manage the school's accounts."""

from django.urls import path

from . import user_views

app_name = "users"
urlpatterns = [
    path("", user_views.user_list, name="list"),
]
