"""Real logs checked against the design their repository states: the right verdict, the writer's
convention named, and a defect named with its steps — never a floor, peak or warm-up it does not have.

The designs are those of ``tests/data/real_logs/*/design.json`` (see that folder's README for where
each repository states it). Every clean run matches; the runs in fp16 with a loss scaler lag the step
counter by the optimizer steps it skipped, located at the first record after each skip.
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

# name → (the convention, the lags of skipped steps as [logged step, lag]; None for a match)
SKIPPED = {
    "hf-alpaca-lora-linear-fp16": [[30, 1], [40, 2], [50, 3]],
    "tb-alpaca-lora-linear-fp16": [[30, 1], [40, 2], [50, 3]],
    "hf-dnabert2-linear-fp16": [[100, 1], [700, 2], [1600, 3]],
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
}
NEWER_TRAINER = {
    "hf-dllm-cosine-every-step-checkpoint-1000",
    "hf-qlora-cosine-warmup-100-of-171",
    "hf-whisper-bashkir-linear-bf16",
}


def diagnosis_of(name: str):
    entry = MANIFEST[name]
    series = choose(read_path(CORPUS / name / entry["file"]))
    design = loads((CORPUS / name / "design.json").read_text())
    return series, diagnose(series.steps, series.lr, design, series.unit, series.writer)


def test_the_corpus_has_designs_to_check():
    assert len(WITH_DESIGN) >= 20 and set(SKIPPED) | NEWER_TRAINER <= set(WITH_DESIGN)


@pytest.mark.parametrize("name", WITH_DESIGN)
def test_each_real_log_gets_the_right_verdict_against_its_stated_design(name):
    series, diagnosis = diagnosis_of(name)
    kinds = [finding["type"] for finding in diagnosis.findings]
    assert not {"floor", "peak", "warmup", "offset", "differs", "stretch"} & set(kinds), diagnosis.findings
    if series.writer == "transformers.Trainer":
        assert (SINCE if name in NEWER_TRAINER else BEFORE) in diagnosis.convention
    if name in SKIPPED:
        assert not diagnosis.match
        assert diagnosis.findings[0]["type"] == "skipped_steps"
        assert diagnosis.findings[0]["lags"] == SKIPPED[name]
        assert "cannot tell the conventions apart" in diagnosis.convention
    else:
        assert diagnosis.match, diagnosis.findings
        assert set(kinds) <= {"ends_early"}
    if "ends_early" in kinds:  # a checkpoint before the end: said with the log's own last step
        ends = next(f for f in diagnosis.findings if f["type"] == "ends_early")
        assert ends["step"] == int(series.steps[-1])
