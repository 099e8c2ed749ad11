"""TOOLS › GEBRUIKERS: search and manage the school's accounts; login sheets, log. The
export's page (`users:export`, in the exports' own urls) joins these in the root urls.py,
since the exports build on the accounts."""

from django.urls import path

from . import audit_views, sheet_views, user_views

app_name = "users"
urlpatterns = [
    path("", user_views.user_list, name="list"),
    path("<int:pk>/", user_views.user_edit, name="edit"),
    path("<int:pk>/archiveren/", user_views.user_archive, name="archive"),
    path("<int:pk>/terugzetten/", user_views.user_restore, name="restore"),
    path("<int:pk>/wachtwoord/", user_views.user_password, name="password"),
    path("<int:pk>/wachtwoordlink/", user_views.user_password_link, name="password_link"),
    path("inlogkaartjes/", sheet_views.sheet_classes, name="sheets"),
    path("inlogkaartjes/klas/<int:pk>/", sheet_views.class_sheet, name="sheet"),
    path("logboek/", audit_views.audit_log, name="audit"),
]
