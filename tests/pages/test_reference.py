"""The format reference page, run headless by AppTest: every object of the format and its peers."""

from streamlit.testing.v1 import AppTest

from schedules.budget import RUN_FIELDS
from tests.pages.conftest import ROOT


def test_the_reference_shows_the_run_object_and_the_classes_each_kind_equals():
    at = AppTest.from_file(str(ROOT / "pages" / "reference.py"), default_timeout=60).run()
    assert not at.exception
    assert "The run (optional)" in [header.value for header in at.subheader]
    tables = [table.value for table in at.table]
    run_table = next(table for table in tables if "micro_batch" in table.index)
    assert list(run_table.index) == [field.name for field in RUN_FIELDS]
    kinds = next(table for table in tables if "equals (tested step for step)" in table.columns)
    equals = kinds["equals (tested step for step)"]
    assert "PyTorch `MultiStepLR`" in equals["Multi-step decay (`multistep`)"]
    assert "Keras `CosineDecay`" in equals["Cosine decay (`cosine`)"]
