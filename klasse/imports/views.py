"""The import wizard: upload → map → preview → import → result."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klasse.accounts.access import admin_required


@admin_required
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/start.html", {"tools_tab": "import"})
