"""The documentation site builds with `mkdocs build --strict`, as `python3 tasks.py docs build`
builds it: a broken link or anchor, a page missing from the nav, or an API object the reference
names that no longer exists fails here."""

import doctest
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tasks  # the docs command's own mkdocs invocation (the project root is on pytest's path)

ROOT = Path(__file__).resolve().parents[1]


def build(tmp_path: Path, config: Path = ROOT / "mkdocs.yml") -> subprocess.CompletedProcess:
    arguments = ["build", "--config-file", str(config), "--site-dir", str(tmp_path / "site")]
    command = tasks.mkdocs(arguments, python=sys.executable)
    return subprocess.run(command, cwd=ROOT, env=os.environ | tasks.MKDOCS_ENV, capture_output=True, text=True)


@pytest.mark.slow  # needs mkdocs, not the fast tier's NumPy, pytest and hypothesis
def test_the_site_builds_strictly_without_a_warning(tmp_path):
    result = build(tmp_path)
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    api = (tmp_path / "site" / "api" / "schedules" / "index.html").read_text()
    assert 'id="schedules.schedule.Schedule.lr"' in api  # the reference is read from the docstrings
    assert "```" not in api  # every doctest became a code block


@pytest.mark.slow
def test_a_broken_link_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [the catalog](catalog.md).\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: broken\ndocs_dir: {docs}\n")
    result = build(tmp_path, config)
    assert result.returncode != 0 and "catalog.md" in result.stderr, result.stderr


@pytest.mark.slow
def test_the_api_reference_shows_doctests_as_code():
    spec = importlib.util.spec_from_file_location("griffe_docstrings", ROOT / "docs" / "griffe_docstrings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert doctest.testmod(module).failed == 0
    assert module.ROLE.sub(r"`\1`", "a :class:`~schedules.logs.Series`") == "a `schedules.logs.Series`"


@pytest.mark.parametrize("page", sorted(path.name for path in (ROOT / "docs").glob("*.md")))
def test_the_readme_links_every_top_level_page(page):
    assert f"(docs/{page})" in (ROOT / "README.md").read_text()
