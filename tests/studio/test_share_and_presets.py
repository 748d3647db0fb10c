"""Share links and presets: exact round trips, and tampering caught by the document rules."""

import pytest
from hypothesis import given, settings

import schedules
from schedules import ConfigError
from studio import share
from studio.presets import PRESETS, preset
from tests.strategies import documents, extreme_documents


@given(documents())
@settings(max_examples=200)
def test_every_schedule_survives_a_link(doc):
    s = schedules.from_config(doc)
    query = share.to_query(s)
    assert all(isinstance(value, str) for value in query.values())
    assert share.from_query(query) == s


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"kind": "cosine", "base_lr": "0.1", "total_epochs": "x", "steps_per_epoch": "1"},
            "schedule.total_epochs: must be",
        ),
        (
            {"kind": "cosine", "base_lr": "0.1", "total_epochs": "1", "steps_per_epoch": "1.5"},
            "steps_per_epoch: must be",
        ),
        (
            {"kind": "cosine", "base_lr": "0.1", "total_epochs": "1", "steps_per_epoch": "1", "x": "1" * 5000},
            "x: must be at most 3,000 characters",
        ),
        ({"kind": "cosine", "base_lr": "0.1", "total_epochs": "1"}, "^steps_per_epoch: is required$"),
        (
            {"kind": "[sign in](https://example.com)" * 5, "steps_per_epoch": "1"},
            r"got '\[sign in\]\(https://example\.com\)…'$",
        ),
        ({"base_lr": "0.1"}, "^schedule.kind: is required$"),
    ],
)
def test_tampered_links_raise_configerror(params, message):
    with pytest.raises(ConfigError, match=message):
        share.from_query(params)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_are_valid_and_named_for_what_they_are(name):
    s = preset(name)
    assert s.total_steps > 0
    assert s.kind.name in {
        "cosine",
        "linear",
        "one_minus_sqrt",
        "cosine_restarts",
        "one_cycle",
        "inverse_sqrt",
        "multistep",
        "cyclic",
    }


def test_the_resnet_preset_drops_tenfold_at_30_60_80():
    s = preset("ResNet step decay (×0.1 at 30/60/80)")
    per_epoch = s.steps_per_epoch
    lr = s.lr([30 * per_epoch - 1, 30 * per_epoch, 60 * per_epoch, 80 * per_epoch])
    assert lr.tolist() == pytest.approx([0.1, 0.01, 0.001, 0.0001])


@given(extreme_documents())
@settings(max_examples=300, deadline=None)
def test_every_valid_document_survives_a_link_exactly(doc):
    s = schedules.from_config(doc)
    assert share.from_query(share.to_query(s)).to_config() == s.to_config()


def test_a_hundred_milestones_make_a_link_that_reopens():
    milestones = [round(1 + 0.123456789 * i, 9) for i in range(100)]
    doc = schedules.make_document(
        {"kind": "multistep", "base_lr": 0.1, "total_epochs": 20.0, "milestones_epochs": milestones, "gamma": 0.5},
        1_000_000,
    )
    s = schedules.from_config(doc)
    assert share.from_query(share.to_query(s)) == s
