"""Schedule sets: one JSON file in and out, a clear sentence for any bad file, and differences."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from schedules import ConfigError
from studio import compare, compare_items
from studio.presets import PRESETS, preset
from tests.strategies import extreme_documents


def a_set(*names):
    return [compare.Named(name, preset(name)) for name in names]


def test_a_set_round_trips():
    items = a_set("1cycle", "SGDR warm restarts", "Cyclical (triangular)")
    again = compare.load_set(compare.dump_set(items))
    assert [(item.name, item.schedule) for item in again] == [(item.name, item.schedule) for item in items]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "set: is not valid JSON"),
        ("[]", "set: must be a list of 2 to 6"),
        (json.dumps([{"name": "a", "document": PRESETS["1cycle"]}]), "set: must be a list of 2 to 6"),
        (json.dumps([{"name": "a", "document": PRESETS["1cycle"]}] * 7), "set: must be a list of 2 to 6"),
        ('[{"name": "a", "name": "b", "document": {}}]', "name: 'name' appears twice in one object"),
        ('[{"name": "\\ud800", "document": {}}]', "set: holds text that is not valid Unicode"),
        ("[" * 100_000 + "]" * 100_000, "set: is nested too deeply"),
        (json.dumps([{"name": "a", "document": PRESETS["1cycle"]}] * 2), "[1].name: 'a' is already the name"),
        (
            json.dumps([{"name": "a", "document": PRESETS["1cycle"]}, {"name": "b"}]),
            '[1]: must be an object with exactly "name"',
        ),
        (
            json.dumps(
                [
                    {"name": "a", "document": PRESETS["1cycle"]},
                    {"name": "b", "document": {**PRESETS["1cycle"], "version": 9}},
                ]
            ),
            "[1].document.version: must be 1, got 9",
        ),
        ('[{"name": "a", "document": NaN}, 1]', "set: NaN is not a JSON number"),
        (" " * 1_000_001, "set: must be at most 1,000,000 bytes"),
    ],
)
def test_bad_sets_get_one_sentence(text, message):
    with pytest.raises(ConfigError) as raised:
        compare.load_set(text)
    assert str(raised.value).startswith(message)


def test_difference_on_a_common_epoch_grid():
    first, second = preset("1cycle"), preset("1cycle")
    epochs, diff = compare.difference(first, second, points=50)
    assert epochs[0] == 0 and epochs[-1] == 30 and np.all(diff == 0)
    _, diff = compare.difference(preset("Keras CosineDecay with warm-up"), preset("1cycle"))
    assert np.any(diff != 0)


def test_a_single_exported_schedule_imports_as_one_entry_named_after_its_file():
    (item,) = compare_items.read_import(json.dumps(PRESETS["1cycle"]).encode(), "my run.json")
    assert item.name == "my run" and item.schedule == preset("1cycle")


def test_a_set_saved_with_a_byte_order_mark_is_still_a_set():
    text = "\ufeff" + compare.dump_set(a_set("1cycle", "SGDR warm restarts"))
    assert compare_items.is_set(text.encode("utf-8")) and len(compare_items.read_import(text.encode(), "s.json")) == 2


def test_unique_names():
    assert compare.unique_name("1cycle", {"1cycle", "1cycle (2)"}) == "1cycle (3)"
    assert compare.unique_name("x", set()) == "x"


@pytest.mark.slow  # 200 sets of up to 6 extreme documents, most of the time spent drawing them
@settings(max_examples=200, deadline=None)
@given(st.lists(extreme_documents(), min_size=2, max_size=6))
def test_any_set_of_valid_documents_survives_its_file(docs):
    items = [compare.Named(f"schedule {index}", schedules.from_config(doc)) for index, doc in enumerate(docs)]
    again = compare.load_set(compare.dump_set(items))
    assert [(item.name, item.schedule.to_config()) for item in again] == [
        (item.name, item.schedule.to_config()) for item in items
    ]
