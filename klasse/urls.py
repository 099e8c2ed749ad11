from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("klasse.accounts.urls")),
    path("tools/importeren/", include("klasse.imports.urls")),
    path("tools/gebruikers/", include("klasse.accounts.user_urls")),
    path("tools/geschiedenis/", include("klasse.imports.history_urls")),
    path("tools/hulp/", include("klasse.help.urls")),
    path("taal/", set_language, name="set_language"),
]
