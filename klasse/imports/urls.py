"""The import wizard: TOOLS › IMPORTEREN."""

from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
]
