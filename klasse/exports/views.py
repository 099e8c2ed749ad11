"""TOOLS › EXPORTEREN: the school or one class as CSV or XLSX, in the template's columns.

A CSV streams: its first bytes leave at once and the rows follow as they are read, so no
school is too large for the web timeout. openpyxl cannot stream a workbook, so a large
school's XLSX is made by a worker, kept in the database and downloaded when ready.
"""

from io import BytesIO

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klasse.accounts.access import admin_required
from klasse.accounts.audit import Action, audit_record
from klasse.accounts.models import Account

from .background import _get_export_file_for_user, export_file_request, export_file_take
from .forms import ExportForm
from .models import ExportFile
from .rows import export_accounts
from .tasks import make_export_file
from .writers import csv_chunks, export_rows, write_xlsx

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Up to this many rows a workbook is made in the request (about a second); above, a worker.
INLINE_XLSX_ROWS = 5000


@admin_required
def export(request: HttpRequest) -> HttpResponse:
    """POST, not GET: an export is logged, and a GET never writes."""
    form = ExportForm(
        request.POST or None,
        school_id=request.user.school_id,
        initial={"school_class": request.GET.get("klas")},
    )
    if request.method != "POST" or not form.is_valid():
        return render(request, "accounts/export.html", {"tools_tab": "export", "form": form})
    fmt, school_class = form.cleaned_data["format"], form.cleaned_data["school_class"]
    chosen = {
        "school": request.user.school,
        "include_archived": form.cleaned_data["include_archived"],
        "school_class": school_class,
    }
    count = export_accounts(**chosen).count()
    audit_record(
        school_id=request.user.school_id,
        actor=request.user,
        action=Action.EXPORT,
        details={
            "format": fmt,
            "class": school_class.name if school_class else "",
            "include_archived": chosen["include_archived"],
            "rows": count,
        },
    )
    name = slugify(f"{request.user.school.slug} {school_class or 'school'}")
    file_name = f"{name}-{localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return _attachment(StreamingHttpResponse(csv_chunks(export_rows(**chosen))), file_name)
    if count <= INLINE_XLSX_ROWS:
        out = BytesIO()
        write_xlsx(export_rows(**chosen), out)
        out.seek(0)
        return _attachment(FileResponse(out), file_name)
    export_file = export_file_request(
        actor=request.user,
        fmt=fmt,
        school_class=school_class,
        include_archived=chosen["include_archived"],
        file_name=file_name,
    )
    make_export_file.enqueue(str(export_file.pk))
    return redirect("users:export_file", export_file.pk)


@admin_required
def export_file(request: HttpRequest, pk) -> HttpResponse:
    """ "Export wordt gemaakt…" while a worker makes the file, then its download button."""
    context = {"tools_tab": "export", "export": _get_export_for_user(request.user, pk)}
    return render(request, "accounts/export_file.html", context)


@admin_required
def export_file_status(request: HttpRequest, pk) -> HttpResponse:
    """The fragment that htmx polls every two seconds until the file is made."""
    context = {"export": _get_export_for_user(request.user, pk)}
    return render(request, "accounts/_export_file.html", context)


@admin_required
@require_POST
def export_file_download(request: HttpRequest, pk) -> HttpResponse:
    """The file, once: it is deleted as it is handed out (POST, since it changes data)."""
    export = _get_export_for_user(request.user, pk)
    content = export_file_take(export)
    if content is None:
        messages.error(
            request,
            _("Deze export is al gedownload of niet meer bewaard. Maak hieronder een nieuwe."),
        )
        return redirect("users:export")
    response = HttpResponse(content, content_type=CONTENT_TYPES[export.format])
    response["Content-Disposition"] = content_disposition_header(True, export.file_name)
    return response


def _get_export_for_user(user: Account, pk) -> ExportFile:
    return _get_export_file_for_user(user, pk, fixup=False)


def _attachment(response: HttpResponse, file_name: str) -> HttpResponse:
    response["Content-Type"] = CONTENT_TYPES[file_name.rpartition(".")[2]]
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response
