"""Every preset through the engine: a clean log of it matches, its drawn envelope is exact at 10⁷
steps, and its log is fitted back to its design (the engine's own tests use each kind's example)."""

import numpy as np
import pytest

import schedules
from schedules.diagnose import diagnose
from schedules.fit import fit
from studio.presets import PRESETS, preset
from tests.schedules.test_diagnose import logged, types
from tests.schedules.test_envelope import assert_exact
from tests.schedules.test_fit import assert_recovered, float32_log


@pytest.mark.parametrize("name", PRESETS)
def test_a_clean_log_of_every_preset_matches(name):
    schedule = preset(name)
    steps = np.arange(min(schedule.total_steps, 200_000))
    diagnosis = diagnose(steps, logged(schedule.lr(steps)), schedule)
    assert diagnosis.match and diagnosis.first_mismatch is None and diagnosis.largest_mismatch is None
    assert diagnosis.max_rel_error < 1e-7
    assert types(diagnosis) in ([], ["ends_early"])


@pytest.mark.parametrize("name", PRESETS)
def test_presets_at_ten_million_steps(name):
    doc = preset(name).to_config()
    doc["steps_per_epoch"] = 10_000_000 // doc["schedule"]["total_epochs"] // 1
    assert_exact(schedules.from_config(doc), 2000)


@pytest.mark.slow  # the whole catalog fitted to each preset's log, of up to 450,000 steps
@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_is_recovered_from_its_log(name):
    truth = preset(name)
    steps = np.arange(truth.total_steps)
    values = float32_log(truth, steps)
    assert_recovered(fit(steps, values, truth.steps_per_epoch), steps, values)
