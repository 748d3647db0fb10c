"""The documentation's catalog table is the registry's: a kind added or changed shows up there, or this fails."""

from pathlib import Path

import pytest

from schedules import KINDS
from schedules.phases import WARMUP_SHAPES
from studio import reference
from studio.reference import CATALOG_END, CATALOG_START, catalog_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_the_catalog_page_is_generated_from_the_registry():
    page = (ROOT / "docs" / "catalog.md").read_text()
    shown = page.split(CATALOG_START)[1].split(CATALOG_END)[0].strip()
    assert shown == catalog_markdown(), "docs/catalog.md's table is stale: run `python3 tasks.py docs`"


def test_every_kind_and_every_peer_is_in_the_catalog():
    table = catalog_markdown()
    for kind in KINDS.values():
        assert f"| `{kind.name}` |" in table
        for peer in kind.peers:
            assert f"`{peer.short_name}`" in table


def test_a_computed_default_names_the_field_it_follows():
    rows = {row["field"]: row for _, _, rows in reference.kind_sections() for row in rows}
    assert rows["cycle_down_epochs"]["default"] == "as cycle_up_epochs"
    assert not any("<function" in row["default"] for row in rows.values())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_formulas_show_no_restructured_text_quoting(kind):
    assert "``" not in reference.formula(kind)


def test_the_warmup_text_covers_every_shape():
    assert all(f'"{shape}"' in reference.WARMUP_TEXT for shape in WARMUP_SHAPES)
