"""TOOLS › LOGBOEK: who did what to which account, and when."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import admin_required
from .audit import audit_entries_for_school, describe_entry
from .models import AuditEntry

PAGE_SIZE = 50


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("actie", "")
    if action not in AuditEntry.Action.values:
        action = ""
    entries = audit_entries_for_school(request.user.school_id, action=action)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("pagina"))
    context = {
        "tools_tab": "audit",
        "page": page,
        "rows": [(entry, describe_entry(entry)) for entry in page.object_list],
        "actions": AuditEntry.Action.choices,
        "action": action,
    }
    return render(request, "accounts/audit.html", context)
