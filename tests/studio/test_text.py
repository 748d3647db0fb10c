"""Foreign text escapes: what Markdown and Plotly receive reads back exactly as typed."""

import re

from hypothesis import given
from hypothesis import strategies as st

from studio import text


@given(st.text(max_size=80))
def test_markdown_escape_reads_back_as_the_flattened_text(raw):
    escaped = text.markdown(raw)
    shown = re.sub(r"\\(.)", r"\1", escaped).replace(text.JOINER, "")
    assert shown == " ".join(raw.split()).replace(text.JOINER, "")
    # every special character is preceded by a backslash: none is left to Markdown
    unescaped = re.sub(r"\\.", "", escaped)
    assert not text.MARKDOWN_SPECIAL.search(unescaped)


def test_markdown_escape_of_links_images_formulas_and_bold():
    escaped = text.markdown("![x](http://127.0.0.1:9/x.png)").replace(text.JOINER, "")
    assert escaped == r"\!\[x\]\(http\://127\.0\.0\.1\:9/x\.png\)"
    assert text.markdown("**$x^2$**") == r"\*\*\$x\^2\$\*\*"


@given(st.text(max_size=40), st.sampled_from(["https://example.com", "www.example.com", "me@example.com"]))
def test_no_url_or_address_is_left_for_the_link_finder(before, link):
    shown = re.sub(r"\\(.)", r"\1", text.markdown(before + " " + link))
    assert not re.search(r"(https?://|www\.|@[-\w]+\.)", shown, re.IGNORECASE)


def test_no_line_break_survives():
    assert "\n" not in text.markdown("# title\n- item\n\n| a | b |")


@given(st.text(max_size=80))
def test_plotly_escape_leaves_no_tag_and_reads_back(raw):
    escaped = text.plotly(raw)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == raw
