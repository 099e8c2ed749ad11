"""TOOLS › GEBRUIKERS."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import admin_required


@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/users/list.html", {"tools_tab": "users"})
