from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("importeren/", views.start, name="start"),
    path("gebruikers/", views.users, name="users"),
]
