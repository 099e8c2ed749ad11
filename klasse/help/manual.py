"""The manual as HTML: `handleiding.md`, rendered once per process with markdown-it-py.

Raw HTML in the Markdown is escaped, never passed through, and block attributes are cut
down to `id` (and a list's `start`): the page must keep the site's Content-Security-Policy,
which forbids inline styles (a table's column alignment would be one) and event handlers.
A section gets its fixed id from a line `{#stap-1}` above its heading, so that the links
from the wizard keep working when a title changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.attrs import attrs_block_plugin

MANUAL_FILE = Path(__file__).with_name("handleiding.md")
# What a block may keep of its attributes: anything else could carry a style or a script.
_BLOCK_ATTRS = frozenset({"id", "start"})
_TOC_LEVELS = {"h2": 2, "h3": 3}


@dataclass
class Section:
    """A heading with a fixed id, for the table of contents; `children` are its h3s."""

    id: str
    title: str
    children: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Manual:
    html: SafeString
    toc: list[Section]


@cache
def manual() -> Manual:
    """The shipped manual, read and rendered at its first request in this process."""
    return render_markdown(MANUAL_FILE.read_text(encoding="utf-8"))


def render_markdown(text: str) -> Manual:
    """`text` as safe HTML, with a table of contents of its h2 and h3 headings that have
    an id."""
    parser = _parser()
    tokens = parser.parse(text)
    html = parser.renderer.render(tokens, parser.options, {})
    # Safe: with "html" off, markdown-it escapes every character of the text it outputs.
    return Manual(html=mark_safe(html), toc=_contents(tokens))


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table").use(attrs_block_plugin)
    parser.core.ruler.push("klasse_block_attrs", _keep_safe_block_attrs)
    return parser


def _keep_safe_block_attrs(state: StateCore) -> None:
    """Blocks keep only the attributes in _BLOCK_ATTRS. Links and images (inline tokens)
    keep theirs: markdown-it already refuses `javascript:` and the like in those."""
    for token in state.tokens:
        if token.attrs:
            token.attrs = {k: v for k, v in token.attrs.items() if k in _BLOCK_ATTRS}


def _contents(tokens) -> list[Section]:
    sections: list[Section] = []
    for index, token in enumerate(tokens):
        level = _TOC_LEVELS.get(token.tag)
        section_id = token.attrGet("id")
        if token.type != "heading_open" or level is None or not section_id:
            continue
        inline = tokens[index + 1]
        title = "".join(child.content for child in inline.children or ())
        section = Section(str(section_id), title)
        if level == 3 and sections:
            sections[-1].children.append(section)
        else:
            sections.append(section)
    return sections
