"""A problem's message, kept as words and values so that each reader gets it in their own
language (issue 17, item 6).

A `Text` is a `str`: its value is the Dutch message, exactly what the JSON report, the
fix-up file and the logs carry (the import contract promises Dutch messages there). It also
keeps its `template` (a Dutch msgid with `%(name)s` places, translated in
klasse/locale/*/django.po) and its `params`, so that a page renders it with gettext in the
reader's language at render time (`localized`), not at plan time. A param is a plain
value (a name, a number, a header as the file writes it: never translated), another
`Text` (a phrase such as "Rij 5, kolom 'klas'") or a `Worded` (words another library gives
per language, such as the password policy's reasons).

`text_data` / `text_from_data` turn a message into JSON-safe data and back, for what is
stored: the table read from a file and the history's copy of the report.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext


class Text(str):
    """The Dutch message `template % params`, able to say itself again (`localized`)."""

    template: str
    params: dict

    def __new__(cls, template: str, **params) -> Text:
        self = super().__new__(cls, template % {k: str(v) for k, v in params.items()})
        self.template = template
        self.params = params
        return self

    def __reduce__(self):  # copy and pickle keep the template, not just the Dutch
        return (_rebuild, (self.template, self.params))


class Worded(str):
    """A value given ready-made per language ({"nl": …, "en": …}); its str is the Dutch."""

    words: dict[str, str]

    def __new__(cls, words: dict[str, str]) -> Worded:
        self = super().__new__(cls, words["nl"])
        self.words = words
        return self

    def __reduce__(self):
        return (Worded, (self.words,))


def _rebuild(template: str, params: dict) -> Text:
    return Text(template, **params)


def say(template: str, **params) -> Text:
    """A `Text`; `template` is a Dutch msgid with `%(name)s` places for `params`.
    Raises KeyError or ValueError (at once, in Dutch) when they do not fit."""
    return Text(template, **params)


def localized(message: str) -> str:
    """`message` in the active language: a `Text` translated with gettext (a template
    without translation stays Dutch), a `Worded` in its words for that language (else
    Dutch), any other str as it is."""
    if isinstance(message, Text):
        translated = gettext(message.template)
        values = {k: localized(v) if isinstance(v, str) else v for k, v in message.params.items()}
        try:
            return translated % values
        except (KeyError, ValueError, TypeError):  # a translation that lost a place
            return message.template % values
    if isinstance(message, Worded):
        language = (get_language() or "nl").split("-")[0]
        return message.words.get(language, str(message))
    return message


def text_data(message: str) -> dict | str:
    """`message` as JSON-safe data: {"t": template, "p": params} for a `Text`,
    {"w": words} for a `Worded`, the plain str otherwise."""
    if isinstance(message, Text):
        return {"t": message.template, "p": {k: text_data(v) for k, v in message.params.items()}}
    if isinstance(message, Worded):
        return {"w": message.words}
    return message


def text_from_data(data) -> str:
    """The message that `text_data` stored; a plain value comes back as it is."""
    if isinstance(data, dict) and "t" in data:
        return Text(data["t"], **{k: text_from_data(v) for k, v in data.get("p", {}).items()})
    if isinstance(data, dict) and "w" in data:
        return Worded(data["w"])
    return data


def where(number: int | None, column: str) -> Text:
    """ "Rij 5, kolom 'klas'": the place most messages start with (`column` as the file
    writes its header; a field's label when the file has no column for it, a `Text`)."""
    return Text("Rij %(row)s, kolom '%(column)s'", row=number, column=column)
