"""Escape strings that come from input data before a notebook displays them.

A sample id, a gene name or a sentence from a clinical note is data, never markup: ``<script>`` in a note
must show as the text ``<script>`` in ``report.html``. Use :func:`html_text` for ``IPython.display.HTML``
and :func:`markdown_text` for ``IPython.display.Markdown``::

    from IPython.display import Markdown
    display(Markdown(f"**Proband:** {markdown_text(proband)}"))
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["html_text", "markdown_text"]

# Every ASCII punctuation character may be backslash-escaped in CommonMark (spec 0.31, section 2.4);
# '&', '<' and '>' are left to html.escape (an entity renders as the character, a backslash would show).
# '$' is escaped too: Jupyter renders $...$ as MathJax.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~\"'=:^$/])")


def html_text(value: Any) -> str:
    """``value`` as text safe inside HTML element content and quoted attribute values.

    Parameters
    ----------
    value
        Any value; ``None`` becomes the empty string, others ``str(value)``.

    Returns
    -------
    str
        ``html.escape(str(value), quote=True)``: ``&``, ``<``, ``>``, ``"`` and ``'`` as entities.

    Examples
    --------
    >>> html_text("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    return "" if value is None else html.escape(str(value), quote=True)


def markdown_text(value: Any) -> str:
    """``value`` as literal text inside Markdown (Jupyter's ``Markdown`` display and Markdown cells).

    HTML is escaped to entities and every Markdown control character is backslash-escaped, so that
    neither a tag, a link, emphasis, a heading, a table cell separator nor MathJax can come from data.
    Line breaks are kept as spaces (a newline could start a heading or a list).

    Examples
    --------
    >>> markdown_text("<script>alert(1)</script>")
    '&lt;script&gt;alert\\\\(1\\\\)&lt;\\\\/script&gt;'
    >>> markdown_text("*KCNH2* [link](x)")
    '\\\\*KCNH2\\\\* \\\\[link\\\\]\\\\(x\\\\)'
    """
    if value is None:
        return ""
    text = " ".join(str(value).splitlines())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return html.escape(text, quote=False)
