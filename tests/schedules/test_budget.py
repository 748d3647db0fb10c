"""Budgets in the user's units: the arithmetic, the run section of a document, the batch scaling rule."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import schedules
from schedules import ConfigError
from schedules.budget import Run, read_run, scaled_lr

IMAGENET = {"dataset_size": 1_281_167, "micro_batch": 64, "gradient_accumulation": 4, "devices": 8}


def doc_with(run, steps_per_epoch):
    doc = schedules.make_document({"kind": "cosine", "base_lr": 0.1, "total_epochs": 90}, steps_per_epoch)
    return doc | {"run": run}


def test_imagenet_on_eight_devices_with_accumulation():
    run = read_run(IMAGENET, 625)
    assert run.global_batch == 2048 and run.steps_per_epoch == 625
    assert run.arithmetic() == (
        "1,281,167 samples ÷ (64 × 4 accumulation × 8 devices) = 625 optimizer steps per epoch, "
        "last partial batch dropped"
    )
    assert read_run(IMAGENET | {"drop_last": False}, 626).steps_per_epoch == 626


def test_tokens_count_whole_sequences():
    run = read_run({"dataset_size": 10_000_000, "unit": "tokens", "sequence_length": 2048, "micro_batch": 8}, 610)
    assert run.samples_per_epoch == 4882 and run.steps_per_epoch == 610
    assert run.tokens_at(610) == 610 * 8 * 2048
    assert run.epochs_for_tokens(2 * 610 * 8 * 2048) == 2.0
    assert run.arithmetic().startswith("10,000,000 tokens ÷ 2,048 per sample = 4,882 samples ÷ 8 = 610")


def test_a_document_with_a_run_round_trips_and_old_documents_load_unchanged():
    s = schedules.from_config(doc_with(IMAGENET, 625))
    assert s.run.global_batch == 2048
    again = schedules.loads(schedules.dumps(s))
    assert again == s and again.to_config()["run"]["devices"] == 8
    plain = schedules.from_config(schedules.make_document({"kind": "cosine", "base_lr": 0.1, "total_epochs": 9}, 10))
    assert plain.run is None and "run" not in plain.to_config()


@pytest.mark.parametrize(
    ("run", "steps", "message"),
    [
        (IMAGENET, 600, "steps_per_epoch: must be 625 as run implies (1,281,167 samples"),
        (IMAGENET | {"devices": 0}, 625, "run.devices: must be an integer"),
        (IMAGENET | {"batch": 3}, 625, "run.batch: 'batch' is not a field of run"),
        ({"micro_batch": 64}, 625, "run.dataset_size: is required"),
        (IMAGENET | {"sequence_length": 128}, 625, 'run.sequence_length: applies only when unit is "tokens"'),
        ({"dataset_size": 10, "micro_batch": 64}, 1, "run.dataset_size: 10 samples are fewer than one global batch"),
        ([], 625, "run: must be an object"),
        (
            {"dataset_size": 100, "unit": "tokens", "sequence_length": 512, "micro_batch": 1, "drop_last": False},
            1,
            "run.dataset_size: 100 tokens are fewer than one sequence of 512",
        ),
    ],
)
def test_bad_runs_get_one_sentence(run, steps, message):
    with pytest.raises(ConfigError) as raised:
        schedules.from_config(doc_with(run, steps))
    assert str(raised.value).startswith(message)


@given(st.integers(1, 10**9), st.integers(1, 4096), st.integers(1, 64), st.integers(1, 512), st.booleans())
def test_steps_per_epoch_covers_the_data_exactly_once(size, micro, accumulation, devices, drop_last):
    run = Run(size, micro, gradient_accumulation=accumulation, devices=devices, drop_last=drop_last)
    batch = micro * accumulation * devices
    assert run.steps_per_epoch == (size // batch if drop_last else math.ceil(size / batch))
    assert run.steps_per_epoch * batch <= size or not drop_last


def test_batch_scaling_rules():
    assert scaled_lr(0.1, 256, 8192) == pytest.approx(3.2)
    assert scaled_lr(0.1, 256, 1024, "sqrt") == pytest.approx(0.2)
    with pytest.raises(ValueError, match="rule: must be one of linear, sqrt"):
        scaled_lr(0.1, 256, 1024, "cubic")
