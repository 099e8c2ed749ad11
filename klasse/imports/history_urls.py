"""TOOLS › GESCHIEDENIS: every import, its report, and undo."""

from django.urls import path

from . import card_views, history_views

app_name = "history"
urlpatterns = [
    path("", history_views.run_list, name="list"),
    path("<uuid:pk>/", history_views.run_detail, name="detail"),
    path("<uuid:pk>/ongedaan-maken/", history_views.run_undo, name="undo"),
    path("<uuid:pk>/inlogkaartjes/", card_views.run_cards, name="cards"),
]
