from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("klasse.accounts.urls")),
    path("tools/", include("klasse.imports.urls")),
    path("taal/", set_language, name="set_language"),
]
