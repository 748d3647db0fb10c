"""The format reference says what the engine does, in plain words."""

import pytest

from schedules import KINDS
from studio import reference


def test_a_computed_default_names_the_field_it_follows():
    rows = {row["field"]: row for _, _, rows in reference.kind_sections() for row in rows}
    assert rows["cycle_down_epochs"]["default"] == "as cycle_up_epochs"
    assert not any("<function" in row["default"] for row in rows.values())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_formulas_show_no_restructured_text_quoting(kind):
    assert "``" not in reference.formula(kind)


def test_the_warmup_text_covers_both_shapes():
    assert "cosine" in reference.WARMUP_TEXT and "linear" in reference.WARMUP_TEXT
