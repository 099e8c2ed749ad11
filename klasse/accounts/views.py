"""Login, each role's home, and the OVERZICHTEN pages."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .access import admin_required, get_class_for_user, staff_required
from .forms import LoginForm
from .models import Account, ClassKind, Role, SchoolClass
from .search import sort_key


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
    groups = request.user.groups.order_by("name").values_list("name", flat=True)
    return render(request, "accounts/student_home.html", {"groups": groups})


@admin_required
def tools(request: HttpRequest) -> HttpResponse:
    return redirect("imports:start")


def _classes_for(user: Account, kind: str = ClassKind.CLASS) -> QuerySet[SchoolClass]:
    """The classes (or, with `kind` groep, the groups) the user sees, each with its number
    of active pupils as `student_count`: a class's pupils, a group's members."""
    classes = SchoolClass.objects.filter(school_id=user.school_id, kind=kind)
    if user.role == Role.TEACHER:
        classes = classes.filter(teachers=user)
    pupils = "students" if kind == ClassKind.CLASS else "group_members"
    active = {f"{pupils}__archived_at__isnull": True, f"{pupils}__role": Role.STUDENT}
    return classes.annotate(student_count=Count(pupils, filter=Q(**active))).order_by("name")


def _per_programme(students: QuerySet[Account]) -> list[dict]:
    """Active students per programme, in the catalogue's order; no programme last."""
    return list(
        students.filter(archived_at__isnull=True)
        .values("programme__code", "programme__sort_order")
        .annotate(count=Count("id"))
        .order_by(F("programme__sort_order").asc(nulls_last=True))
    )


def _by_last_name(accounts) -> list[Account]:
    return sorted(accounts, key=lambda a: sort_key(a.first_name, a.infix, a.last_name))


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    classes = _classes_for(request.user)
    students = Account.objects.filter(school_id=request.user.school_id, role=Role.STUDENT)
    if request.user.role == Role.TEACHER:
        students = students.filter(school_class__in=classes)
    context = {
        "classes": classes,
        "groups": _classes_for(request.user, ClassKind.GROUP),
        "programmes": _per_programme(students),
        "total": students.filter(archived_at__isnull=True).count(),
        "without_class": students.filter(archived_at__isnull=True, school_class=None).count()
        if request.user.role == Role.ADMIN
        else 0,
    }
    return render(request, "accounts/overview.html", context)


@staff_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = get_class_for_user(request.user, pk)
    show_archived = request.GET.get("gearchiveerd") == "1"
    is_group = school_class.kind == ClassKind.GROUP
    pupils = school_class.group_members if is_group else school_class.students
    students = pupils.filter(role=Role.STUDENT).select_related("programme", "school_class")
    teachers = school_class.teachers.all()
    if not show_archived:
        students = students.filter(archived_at__isnull=True)
        teachers = teachers.filter(archived_at__isnull=True)
    context = {
        "classes": _classes_for(request.user),
        "groups": _classes_for(request.user, ClassKind.GROUP),
        "school_class": school_class,
        "is_group": is_group,
        "students": _by_last_name(students),
        "teachers": _by_last_name(teachers),
        "programmes": _per_programme(pupils.filter(role=Role.STUDENT)),
        "show_archived": show_archived,
    }
    return render(request, "accounts/class_detail.html", context)
