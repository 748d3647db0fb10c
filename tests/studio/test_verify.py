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


def traces_by_name(figure) -> dict[str, list]:
    by_name = {}
    for trace in figure.data:
        by_name.setdefault(trace.name, []).append(trace)
    return by_name


def test_overlay_figure_marks_the_first_mismatch_within_the_point_budget():
    steps = np.arange(DESIGNED.total_steps)
    values = DESIGNED.lr(steps).copy()
    values[600] *= 1.1
    values[2000] *= 2.0
    diagnosis = diagnose(steps, values, DESIGNED)
    by_name = traces_by_name(logic.overlay_figure(diagnosis, "lr"))
    assert list(by_name)[:3] == ["designed", "logged: lr", "relative difference"]
    assert [t.x[0] for t in by_name["first mismatch"]] == [600, 600]
    # No finding names a step: the first defect is the first mismatch, not the largest at 2,000.
    assert [t.x[0] for t in by_name["first defect"]] == [600, 600]
    assert by_name["first defect"][1].y[0] == pytest.approx(0.1)  # on the relative-difference axis
    assert all(len(t.x) <= 5000 for t in by_name["logged: lr"])
    colours = [by_name[name][0].line.color for name in ("designed", "logged: lr", "relative difference")]
    assert len(set(colours)) == 3 and set(colours) <= set(logic.PALETTE)


@pytest.mark.parametrize(
    ("case", "defect"),
    [
        ("a resume that restarted the schedule at step 6,000", 6_000),
        ("three optimizer steps skipped from step 3,000: the lr holds still for three steps", 3_001),
    ],
)
def test_the_marked_defect_is_where_the_run_went_wrong_not_its_largest_difference(case, defect):
    steps = np.arange(DESIGNED.total_steps)
    if case.startswith("a resume"):
        values = np.where(steps < defect, DESIGNED.lr(steps), DESIGNED.lr(steps - defect))
    else:
        values = DESIGNED.lr(steps - np.clip(steps - 3_000, 0, 3))
    diagnosis = diagnose(steps, values.astype(np.float32).astype(np.float64), DESIGNED)
    assert diagnosis.largest_mismatch != defect
    by_name = traces_by_name(logic.overlay_figure(diagnosis, "lr"))
    assert [t.x[0] for t in by_name["first defect"]] == [defect, defect]
    assert "largest mismatch" not in by_name


def test_the_lr_axes_read_in_powers_of_ten_not_si_prefixes():
    """Plotly's default writes 2e-5 as "20µ" and 2e-14 as "20f": both axes of the verify figures,
    and the training read-back's, write "2e-5"."""
    steps = np.arange(1_000)
    schedule = DESIGNED.with_steps_per_epoch(10)
    diagnosis = diagnose(steps, 2e-4 * schedule.lr(steps), schedule)
    figure = logic.overlay_figure(diagnosis, "lr")
    for axis in (figure.layout.yaxis, figure.layout.yaxis2):
        # Each tick in its own power of ten once they are 2e-4 apart or closer ("2e-6", not "0.2e-5"), zero as "0".
        assert axis.exponentformat == "e" and axis.labelalias == {"0e+0": "0"}
        assert [(stop.dtickrange, stop.value) for stop in axis.tickformatstops] == [((None, 2e-4), "~e")]
    series = Series("lr", steps, schedule.lr(steps))
    fitted = logic.fit_series(series, 10)
    assert logic.fit_figure(series, fitted).layout.yaxis.exponentformat == "e"


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
    assert rows[0]["type"] == "stretch" and rows[0]["numbers"] == "factor=4, from_step=0"


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
