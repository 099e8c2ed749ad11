"""Login, each role's home, and the OVERZICHTEN pages."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlsafe_base64_decode

from .access import admin_required, get_class_for_user, staff_required
from .classes import archived_in, class_delete_refusal, removal_offer
from .forms import ChoosePasswordForm, LoginForm
from .models import Account, ClassKind, Role, SchoolClass
from .search import sort_key
from .tokens import account_gone, password_link_tokens


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChooseView(auth_views.PasswordResetConfirmView):
    """The e-mailed link to choose a password. A link that does not work says why where
    Klasse knows it: its account was removed by undoing the import that made it
    (`tokens.account_gone`)."""

    form_class = ChoosePasswordForm
    template_name = "registration/password_choose.html"
    success_url = "/wachtwoord-gekozen/"
    token_generator = password_link_tokens

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        if not context.get("validlink") and self.user is None:
            context["gone_from_school"] = self._gone_from(self.kwargs.get("uidb64", ""))
        return context

    @staticmethod
    def _gone_from(uidb64: str) -> str | None:
        """The school whose undo removed the link's account, or None."""
        try:
            account_id = int(urlsafe_base64_decode(uidb64).decode())
        except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
            return None
        for _receiver, school in account_gone.send(sender=Account, account_id=account_id):
            if school:
                return school
        return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home: staff on *Kies een vak* (which goes straight into a
    school's only subject, and without any to TOOLS or the overviews), students on theirs."""
    if request.user.role in (Role.ADMIN, Role.TEACHER):
        return redirect("leerplan:subjects")
    return redirect("student_home")


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
        "empty_classes": removal_offer(request.user.school_id)
        if request.user.role == Role.ADMIN
        else [],
    }
    return render(request, "accounts/overview.html", context)


@staff_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return class_detail_page(request, get_class_for_user(request.user, pk))


def class_detail_page(
    request: HttpRequest, school_class: SchoolClass, *, rename_error: str = "", rename_value=""
) -> HttpResponse:
    """The page of a class the user may see; an administrator's also holds the forms to
    rename it and, when it is empty, to remove it (`class_views`), a refused new name
    beside its field."""
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
    if request.user.role == Role.ADMIN:
        context.update(
            rename_error=rename_error,
            rename_value=rename_value or school_class.name,
            delete_refusal=class_delete_refusal(school_class),
            archived_in_class=archived_in(school_class),
        )
    return render(request, "accounts/class_detail.html", context)
