"""The subjects and their OVERZICHTEN and LEERPLAN (`/vak/<vak>/…`), Kies een vak."""

from django.urls import path

from . import leerplan_views, overview_views, subject_views

app_name = "leerplan"
urlpatterns = [
    path("vakken/", subject_views.subjects, name="subjects"),
    path("vak/<slug:vak>/", subject_views.subject, name="subject"),
    path("vak/<slug:vak>/overzichten/", overview_views.overview, name="overview"),
    path(
        "vak/<slug:vak>/overzichten/klas/<int:pk>/",
        overview_views.class_overview,
        name="class_overview",
    ),
    path("vak/<slug:vak>/leerplan/", leerplan_views.classes, name="classes"),
    path("vak/<slug:vak>/leerplan/klas/<int:pk>/", leerplan_views.class_leerplan, name="class"),
    path(
        "vak/<slug:vak>/leerplan/leerling/<int:pk>/",
        leerplan_views.student_leerplan,
        name="student",
    ),
]
