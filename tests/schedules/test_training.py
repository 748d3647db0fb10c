"""The demo's pieces: data that ships with the code, run folders that never collide or escape."""

import datetime as dt

import numpy as np
import pytest

training = pytest.importorskip("schedules.training")


@pytest.mark.parametrize(
    ("name", "classes", "features", "examples"), [("digits", 10, 64, 1797), ("spirals", 2, 2, 2000)]
)
def test_datasets_ship_with_the_code(name, classes, features, examples):
    data = training.load_dataset(name, seed=3)
    assert data.classes == classes and data.x_train.shape[1] == features
    assert len(data.x_train) + len(data.x_val) == examples and len(data.x_train) == int(0.8 * examples)
    assert set(np.unique(data.y_train)) == set(range(classes))
    again = training.load_dataset(name, seed=3)
    np.testing.assert_array_equal(again.x_train, data.x_train)


def test_run_folders_are_unique_and_stay_inside_the_root(tmp_path):
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    first = training.new_run_dir(tmp_path, "cosine", now)
    second = training.new_run_dir(tmp_path, "cosine", now)
    assert (first.name, second.name) == ("20260102-030405-cosine", "20260102-030405-cosine-2")
    sneaky = training.new_run_dir(tmp_path, "../../etc/passwd", now)
    assert sneaky.parent == tmp_path and sneaky.name == "20260102-030405-etc-passwd"


def test_options_reject_out_of_range_values():
    with pytest.raises(ValueError, match="optimizer: must be one of sgd, adam, adamw"):
        training.RunOptions(optimizer="rmsprop")
    with pytest.raises(ValueError, match="epochs"):
        training.RunOptions(epochs=0)
