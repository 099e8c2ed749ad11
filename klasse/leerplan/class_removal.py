"""The leerplan's answer when a class is about to be removed (`klasse.accounts.classes`,
signal `class_removal_holds`): a class with skills switched on for it is not removed, because
its Activation rows go with it and an undo that makes the class again cannot bring them
back. The administrator switches them off under LEERPLAN first (klasse/help/handleiding.md,
"Klassen hernoemen en verwijderen"). Personal activations belong to the student, not the
class, and do not hold it."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klasse.accounts.models import ClassKind, SchoolClass

from .models import Activation


def leerplan_holds(sender, classes: list[SchoolClass], **kwargs) -> dict[int, tuple[str, str]]:
    """{class id: (what, why not)} for those of `classes` with class activations: what is
    "leerplan: N vaardigheden aan", why not the Dutch reason with the class's name."""
    counts = dict(
        Activation.objects.filter(school_class__in=[c.pk for c in classes])
        .order_by()
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    holds: dict[int, tuple[str, str]] = {}
    for school_class in classes:
        count = counts.get(school_class.pk)
        if not count:
            continue
        what = ngettext(
            "leerplan: %(count)s vaardigheid aan", "leerplan: %(count)s vaardigheden aan", count
        ) % {"count": count}
        if school_class.kind == ClassKind.GROUP:
            why = _(
                "Lesgroep %(name)s heeft nog een leerplan (%(what)s); zet die eerst uit onder "
                "LEERPLAN."
            )
        else:
            why = _(
                "Klas %(name)s heeft nog een leerplan (%(what)s); zet die eerst uit onder LEERPLAN."
            )
        on = ngettext("%(count)s vaardigheid aan", "%(count)s vaardigheden aan", count) % {
            "count": count
        }
        holds[school_class.pk] = (what, why % {"name": school_class.name, "what": on})
    return holds
