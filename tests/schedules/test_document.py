"""Reading and writing v1 documents: round trips and one clear sentence for every mistake."""

import json

import pytest

import schedules
from schedules import KINDS, ConfigError
from tests.strategies import deeply_nested

GOOD = {
    "format": "lr-schedule",
    "version": 1,
    "steps_per_epoch": 100,
    "granularity": "step",
    "schedule": {
        "kind": "cosine",
        "base_lr": 0.01,
        "total_epochs": 100,
        "warmup_epochs": 5,
        "warmup_start_lr": 0.0,
        "hold_epochs": 10,
        "epsilon": 1e-6,
    },
}


def with_(doc=GOOD, **schedule_changes):
    changed = json.loads(json.dumps(doc))
    changed["schedule"].update(schedule_changes)
    return changed


def test_the_readme_example_round_trips():
    s = schedules.from_config(GOOD)
    assert s.to_config() == with_(warmup_shape="linear")  # defaults filled in
    assert schedules.loads(schedules.dumps(s)) == s


def test_defaults_are_filled_in():
    minimal = {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": 1,
        "schedule": {"kind": "constant", "base_lr": 1, "total_epochs": 1},
    }
    config = schedules.from_config(minimal).to_config()
    assert config["granularity"] == "step"
    assert config["schedule"] == {
        "kind": "constant",
        "base_lr": 1,
        "total_epochs": 1,
        "warmup_epochs": 0,
        "warmup_start_lr": 0.0,
        "warmup_shape": "linear",
        "hold_epochs": 0,
        "epsilon": 0.0,
    }


def test_loads_accepts_bytes_with_a_utf8_bom():
    assert schedules.loads(b"\xef\xbb\xbf" + json.dumps(GOOD).encode()) == schedules.from_config(GOOD)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            with_(hold_epochs=90, total_epochs=90),
            "schedule.hold_epochs: warmup_epochs + hold_epochs (95) must not exceed total_epochs (90)",
        ),
        (with_(base_lr=0), "schedule.base_lr: must be a number > 0, got 0"),
        (with_(base_lr=True), "schedule.base_lr: must be a number > 0, got true"),
        (with_(base_lr="0.1"), "schedule.base_lr: must be a number > 0, got '0.1'"),
        (with_(base_lr=float("nan")), "schedule.base_lr: must be a number > 0, got nan"),
        (with_(total_epochs=float("inf")), "schedule.total_epochs: must be a number > 0, got inf"),
        (with_(total_epochs=10**400), "schedule.total_epochs: must be a number > 0, got 100000000000…"),
        (with_(epsilon=0.02), "schedule.epsilon: must not exceed base_lr (0.01), got 0.02"),
        (with_(warmup_start_lr=0.5), "schedule.warmup_start_lr: must not exceed base_lr (0.01), got 0.5"),
        (with_(warmup_epochs=-1), "schedule.warmup_epochs: must be a number ≥ 0, got -1"),
        (with_(kind="cosin"), "schedule.kind: must be one of " + ", ".join(f'"{k}"' for k in KINDS) + ", got 'cosin'"),
        (with_(bse_lr=0.1), "schedule.bse_lr: 'bse_lr' is not a field of kind \"cosine\""),
        (with_(drop=0.5), "schedule.drop: 'drop' is not a field of kind \"cosine\""),
        (with_(kind="step"), "schedule.drop: is required"),
        (with_(kind="step", drop=1.5, epochs_per_drop=1), "schedule.drop: must be a number in (0, 1], got 1.5"),
        (
            with_(kind="step", drop=0.5, epochs_per_drop=0.001),
            "schedule.epochs_per_drop: 0.001 epochs is shorter than one step at 100 steps per epoch",
        ),
        (
            with_(total_epochs=10**7 + 1),
            "schedule.total_epochs: total_epochs × steps_per_epoch (1e+07 × 100) must be at most 1,000,000,000 steps",
        ),
        ({**GOOD, "steps_per_epoch": 2.5}, "steps_per_epoch: must be an integer ≥ 1, got 2.5"),
        ({**GOOD, "steps_per_epoch": 0}, "steps_per_epoch: must be an integer ≥ 1, got 0"),
        ({**GOOD, "granularity": "batch"}, 'granularity: must be one of "step", "epoch", got \'batch\''),
        ({**GOOD, "version": 2}, "version: must be 1, got 2"),
        ({**GOOD, "version": True}, "version: must be 1, got true"),
        ({**GOOD, "format": "keras"}, "format: must be \"lr-schedule\", got 'keras'"),
        ({**GOOD, "extra": 1}, "extra: 'extra' is not a document field"),
        ({**GOOD, "schedule": [1, 2]}, "schedule: must be an object, got a list"),
        ({k: v for k, v in GOOD.items() if k != "steps_per_epoch"}, "steps_per_epoch: is required"),
        ([GOOD], "document: must be a JSON object, got a list"),
    ],
)
def test_each_mistake_names_its_field_and_rule(doc, message):
    with pytest.raises(ConfigError) as raised:
        schedules.from_config(doc)
    assert str(raised.value) == message
    assert raised.value.field == message.split(":")[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "document: is not valid JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
        ('{"version": NaN}', "document: NaN is not a JSON number"),
        ('{"version": -Infinity}', "document: -Infinity is not a JSON number"),
        ('{"version": 1, "version": 1}', "version: 'version' appears twice in one object"),
        ('{"a\\nb": 1}', "document: 'a\\nb' is not a document field"),
        (b"\xff\xfe{}", "document: must be UTF-8 text"),
        (b" " * 1_000_001, "document: must be at most 1,000,000 bytes, got 1,000,001"),
        ("[" * 100_000 + "]" * 100_000, "document: is nested too deeply"),
        ('{"version": 1' + "0" * 5000 + "}", "document: holds a number too long to read"),
        ("", "document: is not valid JSON (Expecting value at line 1, column 1)"),
    ],
)
def test_bad_texts_get_one_sentence(text, message):
    with pytest.raises(ConfigError, match=None) as raised:
        schedules.loads(text)
    assert str(raised.value) == message


def test_deep_nesting_inside_a_field_is_an_error_not_a_crash():
    with pytest.raises(ConfigError, match="^schedule: must be an object, got a list$"):
        schedules.loads(deeply_nested(900))


def test_configerror_is_a_valueerror():
    assert issubclass(ConfigError, ValueError)


def test_step_baseline_shares_everything_but_the_decay():
    baseline = schedules.from_config(schedules.step_baseline(GOOD, drop=0.5, epochs_per_drop=7))
    assert baseline.kind.name == "step"
    assert baseline.params["epochs_per_drop"] == 7 and baseline.params["drop"] == 0.5
    for name in ("base_lr", "total_epochs", "warmup_epochs", "hold_epochs", "epsilon", "warmup_start_lr"):
        assert baseline.params[name] == GOOD["schedule"][name]


@pytest.mark.parametrize(
    ("schedule", "steps_per_epoch", "drops_at"),
    [
        # ResNet's own recipe: 90 epochs, ×0.1 at 30 and 60
        ({"kind": "cosine", "base_lr": 0.1, "total_epochs": 90}, 5005, [30 * 5005, 60 * 5005]),
        # the 1cycle preset's 30 epochs: at 10 and 20, not a flat line
        ({"kind": "one_cycle", "base_lr": 0.1, "total_epochs": 30}, 100, [1000, 2000]),
        # a fit's 1,000 one-step epochs: two drops, not 33
        ({"kind": "linear", "base_lr": 0.1, "total_epochs": 1000}, 1, [333, 667]),
        # the Designer's default: decay from epoch 15 to 100
        (
            {"kind": "cosine", "base_lr": 0.01, "total_epochs": 100, "warmup_epochs": 5, "hold_epochs": 10},
            100,
            [1500 + 2833, 1500 + 5667],
        ),
        # a decay of two steps still drops twice, a step apart
        ({"kind": "cosine", "base_lr": 0.1, "total_epochs": 10, "hold_epochs": 8}, 1, [9, 10]),
    ],
)
def test_the_default_baseline_drops_twice_at_thirds_of_the_decay(schedule, steps_per_epoch, drops_at):
    doc = schedules.make_document(schedule, steps_per_epoch)
    baseline = schedules.from_config(schedules.step_baseline(doc))
    assert baseline.turning_steps().tolist() == drops_at
    assert (
        baseline.peak_lr == schedule["base_lr"] and baseline.total_steps == schedule["total_epochs"] * steps_per_epoch
    )
    before, after = baseline.lr([drops_at[0] - 1, drops_at[0]])
    assert after == pytest.approx(before * 0.1)


def test_a_drop_alone_keeps_the_classic_period():
    baseline = schedules.step_baseline(GOOD, drop=0.5)["schedule"]
    assert (baseline["kind"], baseline["drop"], baseline["epochs_per_drop"]) == ("step", 0.5, 30.0)
