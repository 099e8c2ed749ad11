"""Template filters for the import pages: how people call what the code stores."""

from django import template
from django.utils.translation import gettext

from ..core.code_pages import ENCODING_NAMES

register = template.Library()


@register.filter
def encoding_name(code: str | None) -> str:
    """ "cp1252" → "Windows (ANSI)", "utf-8-sig" → "UTF-8" (`ENCODING_NAMES`, in the
    reader's language); an encoding without a name is shown as stored, None as ""."""
    if not code:
        return ""
    name = ENCODING_NAMES.get(code)
    return gettext(name) if name else code
