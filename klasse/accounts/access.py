"""Who may see what: every lookup is scoped to the signed-in account's school."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .models import Account, Role, SchoolClass


def role_required(*roles: str) -> Callable:
    """Signed in, and one of `roles`; another role gets 403 (the page exists, not for you)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
staff_required = role_required(Role.ADMIN, Role.TEACHER)


def get_class_for_user(user: Account, pk: int) -> SchoolClass:
    """A class of the user's own school (and, for a teacher, one of his or her classes)."""
    classes = SchoolClass.objects.filter(school_id=user.school_id)
    if user.role == Role.TEACHER:
        classes = classes.filter(teachers=user)
    elif user.role != Role.ADMIN:
        raise Http404
    return get_object_or_404(classes, pk=pk)


def get_account_for_admin(user: Account, pk: int) -> Account:
    if user.role != Role.ADMIN:
        raise Http404
    return get_object_or_404(Account.objects.filter(school_id=user.school_id), pk=pk)


def get_student_for_staff(user: Account, pk: int) -> Account:
    """A student of the user's own school: for an administrator any, for a teacher only one
    in a class or lesgroep he or she teaches (issue 15, item 7; issue 16, item 8). Anyone
    else, or any other account, gets 404: the student is not there for them."""
    students = Account.objects.filter(school_id=user.school_id, role=Role.STUDENT)
    if user.role == Role.TEACHER:
        taught = Q(school_class__teachers=user) | Q(groups__teachers=user)
        students = students.filter(pk__in=students.filter(taught).values("pk"))
    elif user.role != Role.ADMIN:
        raise Http404
    return get_object_or_404(students.select_related("school_class"), pk=pk)
