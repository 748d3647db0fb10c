"""The Verify page's logic: designs to compare with, verdicts, figures, opening a fit in the Designer."""

import numpy as np
import pytest

from schedules import ConfigError, from_config
from schedules.diagnose import diagnose
from schedules.logs import Series
from studio import design, share
from studio import verify as logic

DESIGNED = from_config(design.document(design.DEFAULTS))


def test_the_designers_defaults_when_the_designer_was_never_opened():
    assert logic.design_for(logic.DESIGNER, {}) == DESIGNED
    doc = design.document(design.DEFAULTS | {"kind": "linear"})
    assert logic.design_for(logic.DESIGNER, {"schedule_document": doc}).kind.name == "linear"
    assert logic.design_for(logic.PRESET, {}, preset="1cycle").kind.name == "one_cycle"
    assert logic.design_for(logic.FIT, {}) is None
    with pytest.raises(ConfigError, match="document: is not valid JSON"):
        logic.design_for(logic.UPLOADED, {}, uploaded=b"{")


def test_steps_per_epoch_replaces_the_designs():
    assert logic.with_steps_per_epoch(DESIGNED, None) is DESIGNED
    assert logic.with_steps_per_epoch(DESIGNED, 7).steps_per_epoch == 7


def test_overlay_figure_marks_first_and_largest_mismatch_within_the_point_budget():
    steps = np.arange(DESIGNED.total_steps)
    values = DESIGNED.lr(steps).copy()
    values[600] *= 1.1
    values[2000] *= 2.0
    diagnosis = diagnose(steps, values, DESIGNED)
    figure = logic.overlay_figure(diagnosis, "lr")
    by_name = {}
    for trace in figure.data:
        by_name.setdefault(trace.name, []).append(trace)
    assert list(by_name)[:3] == ["designed", "logged: lr", "relative difference"]
    assert [t.x[0] for t in by_name["first mismatch"]] == [600, 600]
    assert [t.x[0] for t in by_name["largest mismatch"]] == [2000, 2000]
    assert by_name["largest mismatch"][1].y[0] == pytest.approx(1.0)  # on the relative-difference axis
    assert all(len(t.x) <= 5000 for t in figure.data)
    colours = [by_name[name][0].line.color for name in ("designed", "logged: lr", "relative difference")]
    assert len(set(colours)) == 3 and set(colours) <= set(logic.PALETTE)


def test_verdict_sentences():
    steps = np.arange(100)
    level, sentence = logic.verdict(diagnose(steps, DESIGNED.lr(steps), DESIGNED), "lr")
    assert level == "success" and sentence.startswith("Match: all 100 logged steps of lr")
    level, sentence = logic.verdict(diagnose(steps, DESIGNED.lr(steps + 1), DESIGNED), "lr")
    assert level == "error" and "the first at step 0" in sentence
    # Where the design is 0 (the warm-up's start) the difference is measured against a hundredth of
    # the peak: one warm-up step of 500 reads as 0.2, not as 10^5.
    assert sentence.endswith("(relative difference 0.2).")


def test_findings_table_keeps_the_numbers():
    steps = np.arange(DESIGNED.total_steps)
    rows = logic.findings_table(diagnose(steps, DESIGNED.lr(4 * steps), DESIGNED))
    assert rows[0]["type"] == "stretch" and rows[0]["numbers"] == "factor=4"


def test_fit_figure_and_opening_it_in_the_designer():
    truth = from_config(design.document(design.DEFAULTS | {"kind": "exponential", "steps_per_epoch": 10}))
    steps = np.arange(truth.total_steps)
    series = Series("lr", steps, truth.lr(steps).astype(np.float32).astype(np.float64))
    fitted = logic.fit_series(series, 10)
    figure = logic.fit_figure(series, fitted)
    assert [t.name for t in figure.data] == ["fitted: exponential", "logged: lr"]
    state = {"link_read": True, "other": 1}
    link = logic.open_in_designer(state, fitted.document)
    assert "link_read" not in state and state["other"] == 1
    assert share.from_query(link) == fitted.schedule  # the Designer reads the link into its controls
