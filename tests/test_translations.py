"""Every string Klasse marks for translation has its English, with the same places.

Screens speak Dutch and English: the msgids are Dutch, the English lives in
klasse/locale/en/LC_MESSAGES/django.po and klasse/leerplan/locale/en/LC_MESSAGES/django.po.
A string without English shows Dutch to an English reader, so this test finds every
translatable string without GNU gettext (CI does not have it):

- Python (`ast`): calls of `_`, `gettext`, `gettext_lazy`, `gettext_noop`/`N_`, `ngettext`,
  `ngettext_lazy` (with and without its number), `pgettext`, `npgettext` and their lazy
  forms, and the `say(...)`/`Text(...)` templates of the import core
  (klasse/imports/core/texts.py). A call whose text is not a constant must come from a
  place listed in INDIRECT (a dict of Dutch words translated where they are shown), so a
  new indirect use is noticed instead of overlooked.
- Django templates (`django.utils.translation.template.templatize`, the same conversion
  `makemessages` uses): `{% translate %}`/`{% trans %}`, `{% blocktranslate %}`/
  `{% blocktrans %}` with `count`, `with`, `context` and `trimmed`, and `_("…")` in
  variables.

Each is looked up in the catalogue Django loads for English (the compiled .mo files:
`klasse compiletranslations`, which `make test` runs first).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import polib
from django.utils import translation
from django.utils.translation import template as translation_template
from django.utils.translation import trans_real

ROOT = Path(__file__).resolve().parents[1]
KLASSE = ROOT / "klasse"
CATALOGUES = (
    KLASSE / "locale" / "en" / "LC_MESSAGES" / "django.po",
    KLASSE / "leerplan" / "locale" / "en" / "LC_MESSAGES" / "django.po",
)

# Function name → (index of the context, index of the singular, index of the plural).
CALLS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "N_": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
# The import core's messages: `say(template, **params)` and `Text(template, **params)`,
# counted only in modules that import them from texts.py (the import command has a local
# `say` that writes to the terminal).
TEXT_CALLS = ("say", "Text")

# Said the same in English as in Dutch (the lookup gives the Dutch back, which is right):
SAME_IN_ENGLISH = {
    # encoding names (klasse/imports/core/code_pages.py ENCODING_NAMES, the import form)
    "UTF-8",
    "Windows (ANSI)",
    "Windows-1252 (ANSI)",
    # the ECK iD is the national chain identifier's own name, in every language
    "ECK iD",
    # a file format's name
    "PDF",
    # words English uses as Dutch does (model names, a column, a button, a change)
    "account",
    "accounts",
    "Account",
    "import",
    "Import",
    "school",
    "School",
    "status",
    "Status",
    "code",
    "tab",
    "Details",
    "Download",
    # the leerplan is the product's name for it, kept in English as the leerplan app's
    # translations do ("Leerplan of class %(name)s", "Personal leerplan")
    "LEERPLAN",
    "Leerplan %(name)s",
    "Leerplan · %(name)s",
    # a changed password is shown as dots on both sides ("••••••" → "nieuw wachtwoord")
    "••••••",
}


@dataclass(frozen=True)
class Message:
    where: str  # "klasse/…/file.py:12"
    msgid: str
    plural: str | None = None
    context: str | None = None


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _dict_values(module: str, name: str) -> list[str]:
    """The str values of the module-level dict `name` in klasse/`module`."""
    tree = ast.parse((KLASSE / module).read_text("utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == name:
            return [v.value for v in node.value.values if isinstance(v, ast.Constant)]
    raise AssertionError(f"{name} not found in klasse/{module}")


def _worded_changes() -> list[str]:
    """The plan's own words in a change (klasse/imports/core/planning.py:
    changes["status"] = ("gearchiveerd", "actief"), …), said in the reader's language by
    the preview (klasse/imports/wizard/lines.py `_change`)."""
    found = []
    for node in ast.walk(ast.parse((KLASSE / "imports/core/planning.py").read_text("utf-8"))):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and ast.unparse(node.targets[0].value) == "changes"
            and isinstance(node.value, ast.Tuple)
        ):
            found += [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    assert "actief" in found and "nieuw wachtwoord" in found
    return found + _dict_values("imports/core/row_changes.py", "ROLE_LABELS")


def _group_conflicts() -> list[str]:
    """The two templates `_conflict` in klasse/imports/core/group_plans.py is given."""
    module = ast.parse((KLASSE / "imports/core/group_plans.py").read_text("utf-8"))
    found = [
        _constant_text(node.value)
        for node in module.body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) in _CONFLICT_TEMPLATES
    ]
    assert len(found) == len(_CONFLICT_TEMPLATES) and all(found), found
    return found


_CONFLICT_TEMPLATES = ("_GROUP_AS_CLASS", "_CLASS_AS_GROUP")

# The calls whose text is not a constant: (file, the argument as written) → the Dutch words
# it can be, each of which must have its English too.
INDIRECT = {
    ("klasse/imports/forms.py", "LABELS[field]"): lambda: _dict_values(
        "imports/core/mapping.py", "LABELS"
    ),
    ("klasse/imports/forms.py", "LABELS[f]"): lambda: _dict_values(
        "imports/core/mapping.py", "LABELS"
    ),
    ("klasse/imports/wizard/mapping.py", "LABELS[fills[header]]"): lambda: _dict_values(
        "imports/core/mapping.py", "LABELS"
    ),
    ("klasse/imports/core/validation.py", "LABELS[field_name]"): lambda: _dict_values(
        "imports/core/mapping.py", "LABELS"
    ),
    ("klasse/imports/core/validation.py", "LABELS[fld]"): lambda: _dict_values(
        "imports/core/mapping.py", "LABELS"
    ),
    ("klasse/imports/wizard/lines.py", "CHANGE_LABELS[fld]"): lambda: _dict_values(
        "imports/core/row_changes.py", "CHANGE_LABELS"
    ),
    ("klasse/imports/core/damage.py", "label"): lambda: _dict_values(
        "imports/core/row_changes.py", "CHANGE_LABELS"
    ),
    ("klasse/imports/wizard/lines.py", "ROLE_LABELS[row.role]"): lambda: _dict_values(
        "imports/core/row_changes.py", "ROLE_LABELS"
    ),
    ("klasse/imports/wizard/lines.py", "value"): _worded_changes,
    ("klasse/imports/templatetags/import_words.py", "name"): lambda: _dict_values(
        "imports/core/code_pages.py", "ENCODING_NAMES"
    ),
    ("klasse/imports/core/code_pages.py", "encoding"): lambda: _dict_values(
        "imports/core/code_pages.py", "ENCODING_NAMES"
    ),
    ("klasse/imports/core/group_plans.py", "template"): _group_conflicts,
    # ROW_MESSAGES' own texts are N_(…) marks in klasse/accounts/rules.py, found there.
    ("klasse/imports/core/validation.py", "ROW_MESSAGES[message or code]"): lambda: [],
}


def _constant_text(node: ast.AST, constants: dict[str, str] | None = None) -> str | None:
    """The str a node always is: a constant, or a module-level constant's name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and constants and node.id in constants:
        return constants[node.id]
    return None


def _python_messages() -> tuple[list[Message], list[str]]:
    """(messages, the indirect calls that INDIRECT does not know) of every .py in klasse/."""
    messages, unknown = [], []
    for path in sorted(KLASSE.rglob("*.py")):
        if "migrations" in path.parts or path.name == "texts.py":
            continue  # migrations copy old field options; texts.py defines say and Text
        found, not_seen = _in_python(path.read_text("utf-8"), _relative(path))
        messages += found
        unknown += not_seen
    return messages, unknown


def _in_python(source: str, file: str) -> tuple[list[Message], list[str]]:
    """(messages, indirect calls INDIRECT does not know) of one Python module."""
    tree = ast.parse(source)
    messages, unknown = [], []
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }
    says = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("texts")
        for alias in node.names
        if alias.name in TEXT_CALLS
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in says and isinstance(func, ast.Name):
            places = (None, 0, None)
        elif name in CALLS and (isinstance(func, ast.Name) or _is_translation(func)):
            places = CALLS[name]
        else:
            continue
        where = f"{file}:{node.lineno}"
        texts = []
        for index in places:
            if index is None or index >= len(node.args):
                texts.append(None)
                continue
            text = _constant_text(node.args[index], constants)
            if text is None:
                argument = ast.unparse(node.args[index])
                source_of = INDIRECT.get((file, argument))
                if source_of is None:
                    unknown.append(f"{where}: {name}({argument})")
                else:
                    messages += [Message(f"{where} ({argument})", t) for t in source_of()]
                break
            texts.append(text)
        else:
            context, singular, plural = texts
            if singular is not None:
                messages.append(Message(where, singular, plural, context))
    return messages, unknown


def _is_translation(func: ast.Attribute) -> bool:
    """`translation.gettext(…)` and the like, not some object's own `.gettext`."""
    return isinstance(func.value, ast.Name) and func.value.id in ("translation", "trans_real")


_TEMPLATE_CALLS = {"gettext": (None, 0, None), "ngettext": (None, 0, 1), **CALLS}
# A Python string literal as templatize writes it (u'…', or the template's own quotes).
_STRING = re.compile(r"u?'(?:[^'\\\n]|\\.)*'" + r'|u?"(?:[^"\\\n]|\\.)*"')
_TEMPLATE_CALL = re.compile(
    r"\b(?P<name>_|gettext|ngettext|pgettext|npgettext)\("
    rf"(?P<args>\s*(?:{_STRING.pattern})(?:\s*,\s*(?:{_STRING.pattern}))*)"
)


def _template_messages() -> list[Message]:
    """Every message of the Django templates under klasse/."""
    messages = []
    for path in sorted(KLASSE.rglob("templates/**/*")):
        if path.is_file() and path.suffix in (".html", ".txt", ".xml"):
            messages += _in_template(path.read_text("utf-8"), _relative(path))
    return messages


def _in_template(source: str, file: str) -> list[Message]:
    """The messages of one template, found by `templatize`, which turns a template into
    Python-like text with a `gettext(…)`/`ngettext(…)`/`pgettext(…)` call for each
    translatable string (trimmed, with its variables as %(name)s), on the template's own
    line."""
    messages = []
    text = translation_template.templatize(source, origin=file)
    for call in _TEMPLATE_CALL.finditer(text):
        args = [ast.literal_eval(a) for a in _STRING.findall(call.group("args"))]
        context_at, singular_at, plural_at = _TEMPLATE_CALLS[call.group("name")]
        messages.append(
            Message(
                f"{file}:{text.count(chr(10), 0, call.start()) + 1}",
                args[singular_at],
                args[plural_at] if plural_at is not None else None,
                args[context_at] if context_at is not None else None,
            )
        )
    return messages


PLACE = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _places(text: str) -> list[str]:
    return sorted(PLACE.findall(text.replace("%%", "")))


def _english_catalogue():
    with translation.override("en"):
        return trans_real.translation("en")._catalog


def _problems(message: Message, catalogue) -> str | None:
    """What is wrong with the English of `message`, or None."""
    if message.msgid in SAME_IN_ENGLISH:
        return None
    key = message.msgid if message.context is None else f"{message.context}\x04{message.msgid}"
    if message.plural is None:
        english = catalogue.get(key)
        if not english:
            return "no English"
        if english == message.msgid and message.msgid not in SAME_IN_ENGLISH:
            return "English is the Dutch (add it to SAME_IN_ENGLISH if that is right)"
        if _places(english) != _places(message.msgid):
            return f"places differ: {english!r}"
        return None
    forms = [catalogue.get((key, 0)), catalogue.get((key, 1))]
    if not all(forms):
        return "no English for both plural forms"
    if forms[1] == message.plural and message.plural not in SAME_IN_ENGLISH:
        return "English plural is the Dutch"
    if set(_places(forms[1])) != set(_places(message.plural)):
        return f"places of the plural differ: {forms[1]!r}"
    if not set(_places(forms[0])) <= set(_places(message.msgid)) | set(_places(message.plural)):
        return f"places of the singular differ: {forms[0]!r}"
    return None


def test_the_finder_reads_every_form_of_a_python_message():
    source = """
from django.utils import translation
from django.utils.translation import gettext as _, gettext_lazy, gettext_noop as N_
from django.utils.translation import ngettext, ngettext_lazy, pgettext_lazy
from .core.texts import say
TEMPLATE = "Rij %(row)s: vast"
a = _("een")
b = gettext_lazy("twee")
c = N_("drie")
d = ngettext("%(n)s kind", "%(n)s kinderen", 3)
e = ngettext_lazy("%(n)s klas", "%(n)s klassen", "n")
f = ngettext_lazy("één rij", "meer rijen")
g = pgettext_lazy("knop", "Opslaan")
h = translation.gettext("vier")
i = say("Rij %(row)s: " "samen", row=1)
j = say(TEMPLATE, row=2)
k = _(LABELS[field])
l = form.gettext("geen vertaling")
"""
    messages, unknown = _in_python(source, "klasse/x.py")
    assert {(m.msgid, m.plural, m.context) for m in messages} == {
        ("een", None, None),
        ("twee", None, None),
        ("drie", None, None),
        ("%(n)s kind", "%(n)s kinderen", None),
        ("%(n)s klas", "%(n)s klassen", None),
        ("één rij", "meer rijen", None),
        ("Opslaan", None, "knop"),
        ("vier", None, None),
        ("Rij %(row)s: samen", None, None),
        ("Rij %(row)s: vast", None, None),
    }
    assert unknown == ["klasse/x.py:17: _(LABELS[field])"]
    assert [m.where for m in messages if m.msgid == "twee"] == ["klasse/x.py:8"]


def test_the_finder_reads_every_form_of_a_template_message():
    source = (
        "{% load i18n %}\n"
        '{% translate "Terug" %} {% trans \'Klas\' %} {{ _("Naam") }}\n'
        '{% translate "Mei" context "maand" %}\n'
        "{% blocktranslate count n=rows %}{{ n }} rij.{% plural %}{{ n }} rijen."
        "{% endblocktranslate %}\n"
        "{% blocktrans with who=a.b when=c|date:'d' trimmed %}\n"
        "  door {{ who }}\n  op {{ when }}\n{% endblocktrans %}\n"
        "{% blocktranslate %}100% {{ x }}{% endblocktranslate %}\n"
    )
    messages = {(m.msgid, m.plural, m.context, m.where) for m in _in_template(source, "t.html")}
    assert messages == {
        ("Terug", None, None, "t.html:2"),
        ("Klas", None, None, "t.html:2"),
        ("Naam", None, None, "t.html:2"),
        ("Mei", None, "maand", "t.html:3"),
        ("%(n)s rij.", "%(n)s rijen.", None, "t.html:4"),
        ("door %(who)s op %(when)s", None, None, "t.html:5"),
        ("100%% %(x)s", None, None, "t.html:9"),
    }


def test_the_finder_sees_every_kind_of_translatable_string_in_klasse():
    messages, unknown = _python_messages()
    found = {m.msgid for m in messages + _template_messages()}
    assert unknown == [], "\n".join(["Calls whose text the test cannot see:", *unknown])
    assert "%(where)s: dit veld is leeg. Vul de %(label)s in." in found  # N_ in rules.py
    assert "Excel heeft de voorloopnullen weggehaald" in found  # say() in the import core
    assert "korte naam" in found  # a model field's lazy verbose_name
    assert "wordt gelezen" in found  # a lazy choices label
    assert "UTF-16 (Unicode-tekst)" in found  # ENCODING_NAMES, via INDIRECT
    assert "nieuw wachtwoord" in found  # a change's own words, via INDIRECT
    assert "Bestand wordt gelezen…" in found  # {% translate %}
    assert "door %(who)s op %(when)s" in found  # {% blocktranslate with %}
    plurals = [m for m in messages + _template_messages() if m.plural]
    assert any(".html:" in m.where for m in plurals)  # {% blocktranslate count %}
    assert any(".py:" in m.where for m in plurals)  # ngettext
    assert len(found) > 700
    stale = SAME_IN_ENGLISH - found
    assert not stale, stale  # the allow-list holds no word that Klasse no longer says


def test_every_translatable_string_has_its_english_with_the_same_places():
    messages, _unknown = _python_messages()
    catalogue = _english_catalogue()
    missing = sorted(
        {
            f"{m.where}: {m.msgid!r}" + (f" / {m.plural!r}" if m.plural else "") + f" — {why}"
            for m in messages + _template_messages()
            if (why := _problems(m, catalogue))
        }
    )
    assert not missing, (
        f"{len(missing)} strings without proper English (add them at the end of "
        "klasse/locale/en/LC_MESSAGES/django.po, then run `klasse compiletranslations`):\n"
        + "\n".join(missing)
    )


def test_no_msgid_is_defined_twice_in_the_catalogues():
    """A msgid given twice (in one .po or in both) leaves one of its English unused."""
    seen: dict[tuple[str | None, str], str] = {}
    twice = []
    for po_path in CATALOGUES:
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete:
                continue
            key = (entry.msgctxt, entry.msgid)
            where = f"{_relative(po_path)}:{entry.linenum}"
            if key in seen:
                twice.append(f"{where}: {entry.msgid!r} (also {seen[key]})")
            seen[key] = where
    assert twice == [], "\n".join(["Defined twice:", *twice])
