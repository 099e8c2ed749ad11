"""TOOLS › GEBRUIKERS: search the school's accounts, edit, archive, restore, passwords."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .access import admin_required, get_account_for_admin
from .audit import audit_entries_for_school, describe_entry
from .forms import AccountForm, SearchForm
from .models import Account, ClassKind, Programme, SchoolClass
from .search import account_search
from .services import (
    account_archive,
    account_restore,
    account_send_password_link,
    account_set_password,
    account_update,
)
from .shown_once import password_keep, password_take

PAGE_SIZE = 50


@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    search = form.cleaned_data if form.is_valid() else {}
    ids = account_search(
        school_id=request.user.school_id,
        query=search.get("q", ""),
        role=search.get("rol", ""),
        status=search.get("status") or "active",
    )
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("pagina"))
    found = (
        Account.objects.select_related("school_class")
        .prefetch_related("teaching_classes", "groups")
        .in_bulk(list(page.object_list))
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "tools_tab": "users",
        "form": form,
        "page": page,
        "accounts": [found[pk] for pk in page.object_list if pk in found],
        "query": query.urlencode(),
    }
    return render(request, "accounts/users/list.html", context)


@admin_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_admin(request.user, pk)
    form = AccountForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        changes = account_update(account=account, actor=request.user, values=form.values)
        if changes:
            messages.success(request, _("De wijzigingen zijn opgeslagen."))
        else:
            messages.info(request, _("Er was niets veranderd."))
        return redirect("users:edit", pk=account.pk)
    context = {
        "tools_tab": "users",
        "account": account,
        "form": form,
        "class_names": SchoolClass.objects.filter(
            school_id=account.school_id, kind=ClassKind.CLASS
        ).values_list("name", flat=True),
        "programmes": Programme.objects.values_list("code", flat=True),
        "groups": account.groups.order_by("name").values_list("name", flat=True),
        "teaching": account.teaching_classes.order_by("name").values_list("name", flat=True),
        "entries": [
            (entry, describe_entry(entry))
            for entry in audit_entries_for_school(account.school_id, account_id=account.pk)[:20]
        ],
    }
    return render(request, "accounts/users/edit.html", context)


@admin_required
@require_POST
def user_archive(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_admin(request.user, pk)
    try:
        account_archive(account=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is gearchiveerd en kan niet meer inloggen.") % {"name": account.full_name},
        )
    return redirect("users:edit", pk=account.pk)


@admin_required
@require_POST
def user_restore(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_admin(request.user, pk)
    try:
        account_restore(account=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is teruggezet en kan weer inloggen.") % {"name": account.full_name},
        )
    return redirect("users:edit", pk=account.pk)


@never_cache
@admin_required
@require_http_methods(["GET", "POST"])
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """POST makes a new password and redirects here; GET shows it once (`shown_once`),
    then says it was shown and offers a new one. Never in a message, a log or a URL."""
    account = get_account_for_admin(request.user, pk)
    if request.method == "POST":
        password = account_set_password(account=account, actor=request.user)
        password_keep(request, account, password)
        return redirect("users:password", pk=account.pk)
    password = password_take(request, account)
    context = {"tools_tab": "users", "account": account, "password": password}
    return render(request, "accounts/users/password.html", context)


@admin_required
@require_POST
def user_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_admin(request.user, pk)
    try:
        account_send_password_link(account=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Er gaat een e-mail naar %(email)s met een link om een wachtwoord te kiezen.")
            % {"email": account.email},
        )
    return redirect("users:edit", pk=account.pk)
