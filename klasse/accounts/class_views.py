"""OVERZICHTEN, for administrators: rename a class, remove an empty one, or remove the
school's empty classes at once (issue 17, item 10; the rules are in `classes`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .access import admin_required, get_class_for_user
from .classes import class_delete, class_rename, classes_delete
from .views import class_detail_page


@admin_required
@require_POST
def class_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A refused name is shown at its field on the class's page, with what was typed."""
    school_class = get_class_for_user(request.user, pk)
    old = school_class.name
    name = request.POST.get("name", "")
    try:
        changed = class_rename(school_class=school_class, actor=request.user, name=name)
    except ValidationError as error:
        school_class.name = old
        return class_detail_page(
            request, school_class, rename_error=" ".join(error.messages), rename_value=name
        )
    if changed:
        messages.success(
            request,
            _("Klas %(old)s heet nu %(new)s.") % {"old": old, "new": school_class.name},
        )
    return redirect("class_detail", pk=school_class.pk)


@admin_required
@require_POST
def class_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    school_class = get_class_for_user(request.user, pk)
    try:
        class_delete(school_class=school_class, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("class_detail", pk=school_class.pk)
    messages.success(request, _("Klas %(name)s is verwijderd.") % {"name": school_class.name})
    return redirect("overview")


@admin_required
@require_POST
def empty_classes_delete(request: HttpRequest) -> HttpResponse:
    """The ticked classes of the list "Deze klassen zijn leeg" (OVERZICHTEN, an import's
    result): those still empty are removed, the others named with the reason."""
    ids = [int(value) for value in request.POST.getlist("klas") if value.isdigit()]
    if not ids:
        messages.info(request, _("Je hebt geen klas aangevinkt; er is niets verwijderd."))
        return redirect("overview")
    removed, refused = classes_delete(school_id=request.user.school_id, ids=ids, actor=request.user)
    if removed:
        messages.success(
            request,
            ngettext(
                "%(count)s lege klas verwijderd: %(names)s.",
                "%(count)s lege klassen verwijderd: %(names)s.",
                len(removed),
            )
            % {"count": len(removed), "names": ", ".join(removed)},
        )
    for _name, why in refused:
        messages.error(request, why)
    return redirect("overview")
