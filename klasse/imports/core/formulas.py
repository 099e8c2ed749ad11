"""The formula escape of every export, and its undoing on import: one rule in one place.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or CR before
one). Excel also splits a CSV at its own list separator, whatever ours is: `,` in many
locales, `;` in Dutch, sometimes tab. So `1B,=2+5` opens in English Excel as `1B` and a
formula `=2+5`. Hence two escapes, each a `'` that the import removes again:

- at the start of a value: `=SUM(A1)` → `'=SUM(A1)`;
- after every separator, line break included, and any spaces or quotes behind it:
  `1B,=2+5` → `1B,'=2+5`, `a, "-1` → `a, "'-1`.

The second is exact: the `'` goes straight before the formula character, and reading
removes one `'` there, so `a,'=1` is written `a,''=1` and read back as `a,'=1`. The first
is the older rule: a value that itself starts with `'=` reads back without its `'`.
"""

import re

_STARTS = ("=", "+", "-", "@", "\t", "\r")
_AFTER_SEPARATOR = re.compile(r"(?<=[,;\t\r\n])([ \"']*)(?=[=+\-@])")
_ESCAPED_AFTER_SEPARATOR = re.compile(r"(?<=[,;\t\r\n])([ \"']*)'(?=[=+\-@])")


def escape_formulas(value: str) -> str:
    """`value` as no spreadsheet will run, however it splits the line."""
    value = _AFTER_SEPARATOR.sub(r"\1'", value)
    return f"'{value}" if value.startswith(_STARTS) else value


def unescape_formulas(cell: str) -> str:
    """Undo `escape_formulas`: the escape at the start first, as it was added last."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _STARTS:
        cell = cell[1:]
    return _ESCAPED_AFTER_SEPARATOR.sub(r"\1", cell) if "'" in cell else cell
