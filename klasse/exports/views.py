"""TOOLS › EXPORTEREN: the school or one class as CSV or XLSX, in the template's columns."""

from collections.abc import Iterable, Iterator
from tempfile import SpooledTemporaryFile

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.timezone import localdate

from klasse.accounts.access import admin_required
from klasse.accounts.audit import Action, audit_record

from .forms import ExportForm
from .writers import export_rows, write_csv, write_xlsx

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@admin_required
def export(request: HttpRequest) -> HttpResponse:
    """POST, not GET: an export is logged, and a GET never writes."""
    form = ExportForm(
        request.POST or None,
        school_id=request.user.school_id,
        initial={"school_class": request.GET.get("klas")},
    )
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        school_class = form.cleaned_data["school_class"]
        rows = _Counted(
            export_rows(
                school=request.user.school,
                include_archived=form.cleaned_data["include_archived"],
                school_class=school_class,
            )
        )
        # Up to a few MB in memory, a large school's export on disk; FileResponse closes it.
        out = SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
        (write_xlsx if fmt == "xlsx" else write_csv)(rows, out)
        out.seek(0)
        audit_record(
            school_id=request.user.school_id,
            actor=request.user,
            action=Action.EXPORT,
            details={
                "format": fmt,
                "class": school_class.name if school_class else "",
                "include_archived": form.cleaned_data["include_archived"],
                "rows": rows.count,
            },
        )
        name = slugify(f"{request.user.school.slug} {school_class or 'school'}")
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"{name}-{localdate():%Y-%m-%d}.{fmt}",
            content_type=CONTENT_TYPES[fmt],
        )
    return render(request, "accounts/export.html", {"tools_tab": "export", "form": form})


class _Counted:
    """Rows passed through to a writer, counted on the way for the log."""

    def __init__(self, rows: Iterable[list[str]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[list[str]]:
        for row in self.rows:
            self.count += 1
            yield row
