"""Security: no user text as HTML, no eval of anything a user typed (the settings: test_streamlit_config)."""

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP_CODE = [
    ROOT / "app.py",
    *(ROOT / "pages").glob("*.py"),
    *(ROOT / "studio").glob("*.py"),
    *(ROOT / "schedules").glob("*.py"),
]


@pytest.mark.parametrize("path", APP_CODE, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_raw_html_and_no_eval(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            assert name not in ("eval", "exec", "html"), f"{path.name}:{node.lineno} calls {name}"
            for keyword in node.keywords:
                assert keyword.arg != "unsafe_allow_html", f"{path.name}:{node.lineno} renders raw HTML"


def test_a_schedule_named_like_markup_is_shown_as_text():
    page = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=60).run()
    uid = page.session_state["compare_items"][0]["id"]
    page.text_input(key=f"compare_name_{uid}").input("<img src=x onerror=alert(1)>").run()
    assert not page.exception
    assert page.session_state["compare_items"][0]["name"] == "<img src=x onerror=alert(1)>"
    assert not page.get("html") and not any("<img" in markdown.value for markdown in page.markdown)
