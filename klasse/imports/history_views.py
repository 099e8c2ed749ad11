"""The import history."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klasse.accounts.access import admin_required

from .models import ImportRun


@admin_required
def run_list(request: HttpRequest) -> HttpResponse:
    runs = ImportRun.objects.filter(school_id=request.user.school_id).exclude(status="planned")
    return render(request, "imports/history/list.html", {"tools_tab": "history", "runs": runs})
