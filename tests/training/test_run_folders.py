"""The demo's pieces: data that ships with the code, run folders that never collide or escape."""

import datetime as dt

import numpy as np
import pytest

from training import data, run_folders
from training.options import RunOptions


@pytest.mark.parametrize(
    ("name", "classes", "features", "examples"), [("digits", 10, 64, 1797), ("spirals", 2, 2, 2000)]
)
def test_datasets_ship_with_the_code(name, classes, features, examples):
    dataset = data.load_dataset(name, seed=3)
    assert dataset.classes == classes and dataset.x_train.shape[1] == features
    assert len(dataset.x_train) + len(dataset.x_val) == examples and len(dataset.x_train) == int(0.8 * examples)
    assert set(np.unique(dataset.y_train)) == set(range(classes))
    again = data.load_dataset(name, seed=3)
    np.testing.assert_array_equal(again.x_train, dataset.x_train)


def test_run_folders_are_unique_and_stay_inside_the_root(tmp_path):
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    first = run_folders.new_run_dir(tmp_path, "cosine", now)
    second = run_folders.new_run_dir(tmp_path, "cosine", now)
    assert (first.name, second.name) == ("20260102-030405-cosine", "20260102-030405-cosine-2")
    sneaky = run_folders.new_run_dir(tmp_path, "../../etc/passwd", now)
    assert sneaky.parent == tmp_path and sneaky.name == "20260102-030405-etc-passwd"


def test_options_reject_out_of_range_values():
    with pytest.raises(ValueError, match="optimizer: must be one of sgd, adam, adamw"):
        RunOptions(optimizer="rmsprop")
    with pytest.raises(ValueError, match="epochs"):
        RunOptions(epochs=0)
