"""TOOLS › INLOGKAARTJES: per class a printable page or a PDF to hand out in class."""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from .access import admin_required, get_class_for_user, staff_required
from .forms import LoginSheetForm
from .models import ClassKind, Role, SchoolClass
from .pdf import login_sheet_pdf
from .search import sort_key
from .services import Renew, login_sheet_create


@admin_required
def sheet_classes(request: HttpRequest) -> HttpResponse:
    classes = (
        # Cards go per class (stamgroep): a lesgroep's members print theirs with their class.
        SchoolClass.objects.filter(school_id=request.user.school_id, kind=ClassKind.CLASS)
        .annotate(
            student_count=Count(
                "students",
                filter=Q(students__archived_at__isnull=True, students__role=Role.STUDENT),
            )
        )
        .order_by("name")
    )
    return render(
        request, "accounts/sheets/classes.html", {"tools_tab": "sheets", "classes": classes}
    )


@never_cache
@admin_required
def class_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """TOOLS › INLOGKAARTJES of one class of the school (administrators)."""
    return _class_sheet(request, pk, in_tools=True)


@never_cache
@staff_required
def teacher_class_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The same from OVERZICHTEN: for a teacher only a class he or she teaches (404 for
    any other, issue 15 item 7), for an administrator any class of the school."""
    return _class_sheet(request, pk, in_tools=False)


def _class_sheet(request: HttpRequest, pk: int, *, in_tools: bool) -> HttpResponse:
    """GET shows who gets a new password; POST sets them and returns the sheet, the only
    place those passwords are ever shown."""
    school_class = get_class_for_user(request.user, pk)
    back = reverse("users:sheet" if in_tools else "class_sheet", args=[school_class.pk])
    form = LoginSheetForm(request.POST or None, initial={"renew": Renew.MISSING, "format": "html"})
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        cards = login_sheet_create(
            school_class=school_class,
            actor=request.user,
            renew=form.cleaned_data["renew"],
            fmt=fmt,
        )
        login_url = request.build_absolute_uri(reverse("login"))
        if fmt == "pdf":
            data = login_sheet_pdf(
                cards,
                school_name=request.user.school.name,
                class_name=school_class.name,
                login_url=login_url,
            )
            response = HttpResponse(data, content_type="application/pdf")
            filename = f"inlogkaartjes-{slugify(school_class.name) or 'klas'}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        context = {
            "school_class": school_class,
            "cards": cards,
            # Only a sheet that made passwords warns that they are shown once (a reload
            # re-posts and makes none: its cards say "je huidige wachtwoord").
            "new_passwords": any(card.password for card in cards),
            "login_url": login_url,
            "back_url": back,
        }
        return render(request, "accounts/sheets/print.html", context)
    students = sorted(
        school_class.students.filter(archived_at__isnull=True, role=Role.STUDENT),
        key=lambda a: sort_key(a.first_name, a.infix, a.last_name),
    )
    context = {
        "tools_tab": "sheets" if in_tools else "",
        "base_template": "tools_base.html" if in_tools else "base.html",
        "class_url": reverse("class_detail", args=[school_class.pk]),
        "school_class": school_class,
        "form": form,
        "students": students,
        "without_password": sum(1 for s in students if not s.has_usable_password()),
    }
    return render(request, "accounts/sheets/class.html", context)
