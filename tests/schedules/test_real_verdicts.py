"""Real logs checked against their true design: the right verdict, the writer's convention named,
and a defect named with its steps — never a floor, peak or warm-up the run does not have.

The designs are those of ``tests/data/real_logs/*/design.json``: what each public repository
states, and the exact design of each run generated here with the real frameworks (``generate.py``,
with ``expected.json``). Every clean run matches; the runs in fp16 with a loss scaler lag the step
counter by the optimizer steps it skipped; a scheduler stepped per micro-batch is a 4× stretch; a
resume that lost ``scheduler.pt`` restarts the schedule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schedules import loads
from schedules.diagnose import diagnose
from schedules.logs import choose, read_path

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real_logs"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
WITH_DESIGN = sorted(name for name in MANIFEST if (CORPUS / name / "design.json").exists())
BEFORE = "before transformers#36973"
SINCE = "since transformers#36973"

# name → the lags of skipped steps, [logged step, lag], located at the first record after each skip
SKIPPED = {
    "hf-alpaca-lora-linear-fp16": [[30, 1], [40, 2], [50, 3]],
    "tb-alpaca-lora-linear-fp16": [[30, 1], [40, 2], [50, 3]],
    "hf-dnabert2-linear-fp16": [[700, 1], [1600, 2]],
    "hf-whisper-braj-linear-8bit-adam": [[500, 6]],
    "hf-whisper-large-v2-ja-linear-fp16": [[25, 2], [125, 3], [375, 4]],
    "hf-whisper-small-hi-linear-5k": [[25, 2], [50, 3]],
    "hf-whisper-v2-flemish-linear-grad-accum": [
        [100, 3],
        [200, 4],
        [700, 5],
        [1300, 6],
        [3300, 7],
        [9400, 8],
        [10700, 9],
        [12000, 10],
    ],
    # GradScaler skipped optimizer steps 12 and 30 (expected.json); the loop logs, at its 1-based
    # step k, the lr step k used: one step behind the engine's lr(k) from the start.
    "gen-torch-gradscaler-skipped-steps": [[1, 1], [13, 2], [31, 3]],
    "gen-tb-torch-gradscaler-skipped-steps": [[1, 1], [13, 2], [31, 3]],
}
# name → the one other finding a defect log gets
DEFECTS = {
    "gen-torch-scheduler-per-micro-batch": ("stretch", "factor", 4.0),
    "gen-tb-torch-scheduler-per-micro-batch": ("stretch", "factor", 4.0),
    "gen-trainer-resume-lost-scheduler": ("restart", "step", 20),
}
# Trainers since transformers#36973 (5.17 here; the public ones by their first records); the
# fp16 run whose log cannot tell is read with the convention its start follows.
NEWER_TRAINER = {
    "hf-dllm-cosine-every-step-checkpoint-1000",
    "hf-qlora-cosine-warmup-100-of-171",
    "hf-whisper-bashkir-linear-bf16",
    "hf-dnabert2-linear-fp16",
} | {name for name in MANIFEST if name.startswith(("gen-trainer", "gen-tb-trainer"))}


def diagnosis_of(name: str):
    entry = MANIFEST[name]
    series = choose(read_path(CORPUS / name / entry["file"]))
    design = loads((CORPUS / name / "design.json").read_text())
    return series, diagnose(series.steps, series.lr, design, series.unit, series.writer)


def test_the_corpus_has_designs_to_check():
    assert len(WITH_DESIGN) >= 40 and set(SKIPPED) | set(DEFECTS) | NEWER_TRAINER <= set(WITH_DESIGN)


def test_a_log_that_equals_the_lr_for_the_next_step_is_no_defect_for_an_unknown_writer():
    """A loop that logs after scheduler.step() at a 1-based step k writes lr(k): the engine's own
    0-based convention (the lr step k uses). Nothing in a plain CSV or a SummaryWriter file tells the
    two apart, so it is a match, and no convention is claimed."""
    for name in ("gen-torch-lr-logged-after-scheduler-step", "gen-tb-torch-lr-logged-after-scheduler-step"):
        _, diagnosis = diagnosis_of(name)
        assert diagnosis.match and diagnosis.convention is None


@pytest.mark.parametrize("name", WITH_DESIGN)
def test_each_real_log_gets_the_right_verdict_against_its_stated_design(name):
    series, diagnosis = diagnosis_of(name)
    kinds = [finding["type"] for finding in diagnosis.findings]
    assert not {"floor", "peak", "warmup", "offset", "differs"} & set(kinds), diagnosis.findings
    if series.writer == "transformers.Trainer":
        assert (SINCE if name in NEWER_TRAINER else BEFORE) in diagnosis.convention
    if series.writer == "keras":  # each epoch's lr written at its end: the lr for the next epoch
        assert diagnosis.match and diagnosis.convention.startswith("it follows Keras's convention")
    if name in SKIPPED:
        assert not diagnosis.match
        assert diagnosis.findings[0]["type"] == "skipped_steps"
        assert diagnosis.findings[0]["lags"] == SKIPPED[name]
        assert diagnosis.convention is None or "cannot tell the conventions apart" in diagnosis.convention
    elif name in DEFECTS:
        kind, key, value = DEFECTS[name]
        assert not diagnosis.match and diagnosis.findings[0]["type"] == kind
        assert diagnosis.findings[0][key] == value
    else:
        assert diagnosis.match, diagnosis.findings
        assert set(kinds) <= {"ends_early"}
    if "ends_early" in kinds:  # a checkpoint before the end: said with the log's own last step
        ends = next(f for f in diagnosis.findings if f["type"] == "ends_early")
        assert ends["step"] == int(series.steps[-1])
