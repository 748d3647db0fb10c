"""Foreign text (file names, set names, link values, messages that echo them) shown as plain text.

Streamlit renders labels, captions, warnings and errors as Markdown (with KaTeX between dollar
signs), and Plotly renders a subset of HTML in titles, legends and hover labels (``<a href>``,
``<b>``, ``<br>``). A name typed or uploaded by someone must never become a link, an image, a
formula or bold text there: these two escapes are the only ways the pages show such text.
"""

from __future__ import annotations

import re

# Every character Markdown, GitHub-flavoured Markdown or KaTeX gives a meaning to.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+\-.!$<>|~&:=\"'^@%])")


def markdown(text: object) -> str:
    r"""``text`` for Streamlit Markdown, shown exactly as written: each special character is
    backslash-escaped and line breaks become spaces (no headings, lists or tables can start).

    Escaping ``.`` and ``:`` also keeps a bare ``https://host.example`` from becoming a link.

    >>> markdown("[sign in](https://example.com) **$x$**")
    '\\[sign in\\]\\(https\\://example\\.com\\) \\*\\*\\$x\\$\\*\\*'
    """
    flat = " ".join(str(text).split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def plotly(text: object) -> str:
    """``text`` for a Plotly title, legend or hover label: its HTML subset is escaped, so a name
    like ``<a href=…>`` reads as typed.

    >>> plotly('<a href="https://x.example">1 & 2</a>')
    '&lt;a href="https://x.example"&gt;1 &amp; 2&lt;/a&gt;'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
