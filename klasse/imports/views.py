"""TOOLS: the import wizard and user management."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klasse.accounts.access import admin_required


@admin_required
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/start.html", {"tools_tab": "import"})


@admin_required
def users(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/users.html", {"tools_tab": "users"})
