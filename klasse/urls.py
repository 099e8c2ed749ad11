from django.urls import include, path
from django.views.i18n import set_language

from klasse.accounts import user_urls
from klasse.exports import urls as export_urls
from klasse.leerplan import student_views, subject_views

# TOOLS › GEBRUIKERS holds the export's page too (`users:export`), which the accounts app
# cannot name: the exports build on it.
users = (user_urls.urlpatterns + export_urls.urlpatterns, user_urls.app_name)
urlpatterns = [
    path("", include("klasse.accounts.urls")),
    path("", include("klasse.leerplan.urls")),
    # The student's home lists the subjects of the leerplan, which builds on the accounts.
    path("leerling/", student_views.student_home, name="student_home"),
    path("api/leerplan/", student_views.open_skills_json, name="leerplan_api"),
    path("tools/licenties/", subject_views.licences, name="licences"),
    path("tools/importeren/", include("klasse.imports.urls")),
    path("tools/gebruikers/", include(users)),
    path("tools/geschiedenis/", include("klasse.imports.history_urls")),
    path("tools/hulp/", include("klasse.help.urls")),
    path("taal/", set_language, name="set_language"),
]
