"""Login, each role's home, and the OVERZICHTEN pages."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .access import admin_required, get_class_for_user, staff_required
from .forms import LoginForm
from .models import Role, SchoolClass


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home."""
    if request.user.role == Role.ADMIN:
        return redirect("tools")
    if request.user.role == Role.TEACHER:
        return redirect("overview")
    return redirect("student_home")


@login_required
def student_home(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.STUDENT:
        raise PermissionDenied
    return render(request, "accounts/student_home.html")


@admin_required
def tools(request: HttpRequest) -> HttpResponse:
    return redirect("imports:start")


def _classes_for(user) -> "QuerySet[SchoolClass]":  # noqa: F821
    classes = SchoolClass.objects.filter(school_id=user.school_id)
    if user.role == Role.TEACHER:
        classes = classes.filter(teachers=user)
    return classes.annotate(
        student_count=Count("students", filter=Q(students__archived_at__isnull=True))
    ).order_by("name")


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/overview.html", {"classes": _classes_for(request.user)})


@staff_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = get_class_for_user(request.user, pk)
    show_archived = request.GET.get("gearchiveerd") == "1"
    students = school_class.students.select_related("programme")
    if not show_archived:
        students = students.filter(archived_at__isnull=True)
    context = {
        "classes": _classes_for(request.user),
        "school_class": school_class,
        "students": students.order_by("last_name", "first_name", "infix"),
        "teachers": school_class.teachers.order_by("last_name", "first_name"),
        "show_archived": show_archived,
    }
    return render(request, "accounts/class_detail.html", context)
