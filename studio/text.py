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
# GitHub-flavoured Markdown turns URLs and e-mail addresses in plain text into links after the
# escapes are read, so no escape stops it. An invisible word joiner (U+2060) inside each trigger
# (after "://"'s colon, in "www.", after "@") does: the text reads the same, and links nothing.
JOINER = "\u2060"
LINK_TRIGGERS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def markdown(text: object) -> str:
    r"""``text`` for Streamlit Markdown, shown as written: each special character is
    backslash-escaped, line breaks become spaces (no headings, lists or tables can start), and a
    word joiner sits inside every URL or e-mail trigger (see LINK_TRIGGERS).

    >>> markdown("**$x$** [a](b)")
    '\\*\\*\\$x\\$\\*\\* \\[a\\]\\(b\\)'
    >>> markdown("https://example.com").replace(JOINER, "+")
    'https\\:+//example\\.com'
    """
    flat = " ".join(str(text).split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", LINK_TRIGGERS.sub(JOINER, flat))


def plotly(text: object) -> str:
    """``text`` for a Plotly title, legend or hover label: its HTML subset is escaped, so a name
    like ``<a href=…>`` reads as typed.

    >>> plotly('<a href="https://x.example">1 & 2</a>')
    '&lt;a href="https://x.example"&gt;1 &amp; 2&lt;/a&gt;'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
