"""Compare's entries: following the Designer, and importing a set or one schedule."""

import json

import pytest

from schedules import ConfigError, dumps
from studio import compare, compare_items, design, presets


def test_a_following_entry_shows_the_designers_document_of_now():
    followed = {"designer": presets.PRESETS["1cycle"], "baseline": design.baseline_document(design.DEFAULTS)}
    item = {"id": 1, "name": "Designer", "document": design.document(design.DEFAULTS), "follows": "designer"}
    assert compare_items.current_document(item, followed) == presets.PRESETS["1cycle"]
    assert compare_items.current_document(item | {"follows": None}, followed) == item["document"]


def test_without_a_designer_visit_the_defaults_are_the_designers():
    followed = compare_items.designer_documents({})
    assert followed["designer"] == design.document(design.DEFAULTS)
    assert followed["baseline"] == design.baseline_document(design.DEFAULTS)


def test_one_exported_schedule_is_read_and_named_after_its_file():
    schedule = presets.preset("1cycle")
    (entry,) = compare_items.read_import(dumps(schedule).encode(), "my run.json")
    assert entry.name == "my run" and entry.schedule == schedule


def test_a_set_is_read_as_a_set():
    items = [compare.Named("a", presets.preset("1cycle")), compare.Named("b", presets.preset("SGDR warm restarts"))]
    text = "\n  " + compare.dump_set(items)
    assert [entry.name for entry in compare_items.read_import(text.encode(), "set.json")] == ["a", "b"]


@pytest.mark.parametrize("data", [b"{not json", json.dumps({"format": "lr-schedule", "version": 2}).encode(), b"[1]"])
def test_a_bad_file_raises_one_config_error(data):
    with pytest.raises(ConfigError):
        compare_items.read_import(data, "bad.json")


def test_room_for_at_most_six():
    compare_items.check_room(5, 1)
    with pytest.raises(ConfigError, match="the most, 6"):
        compare_items.check_room(6, 1)
