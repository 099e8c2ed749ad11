"""Passwords outside TOOLS (issue 15, item 7): a teacher gives a student of a class he or
she teaches a new password, shown once with a login card to print; every signed-in
account changes its own password (a student from MIJN KLASSE)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .access import get_student_for_staff, staff_required
from .password_forms import OwnPasswordForm
from .services import account_change_own_password, account_set_password
from .shown_once import password_keep, password_take


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def student_password(request: HttpRequest, pk: int) -> HttpResponse:
    """A new password for a student: any of the school's for an administrator, one in a
    class the teacher teaches for a teacher (404 for any other). POST makes it and
    redirects here; GET shows it once beside a login card to print (`shown_once`), then
    says it was shown and offers a new one. Never in a message, a log or a URL."""
    student = get_student_for_staff(request.user, pk)
    if request.method == "GET":
        context = {
            "student": student,
            "password": password_take(request, student),
            "login_url": request.build_absolute_uri(reverse("login")),
        }
        return render(request, "accounts/student_password.html", context)
    if student.archived_at is not None:
        messages.error(
            request,
            _("%(name)s is gearchiveerd en kan niet inloggen; vraag de beheerder van je school.")
            % {"name": student.full_name},
        )
        if student.school_class_id is None:  # only an administrator reaches such a student
            return redirect("users:edit", pk=student.pk)
        return redirect("class_detail", pk=student.school_class_id)
    password = account_set_password(account=student, actor=request.user)
    password_keep(request, student, password)
    return redirect("student_password", pk=student.pk)


@never_cache
@login_required
def own_password(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST: the current password, then the new one twice. On success the
    account stays signed in here (its other sessions end) and is sent home."""
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_change_own_password(
            account=request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Je nieuwe wachtwoord is opgeslagen."))
        return redirect("home")
    return render(request, "accounts/own_password.html", {"form": form})
