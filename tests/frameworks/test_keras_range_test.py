"""The Keras range test in real training: suggestions, accumulation, NaN and divergence, and the
model and its optimizer left exactly as they were."""

import numpy as np
import pytest

from schedules import range_test as rt

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
from frameworks.keras import lr_range_test  # noqa: E402  (after the skip: it imports Keras)
from frameworks.keras_range_test import batches, fresh_optimizer, train_at  # noqa: E402

pytestmark = pytest.mark.slow
LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def blobs(seed=0, points=512):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 2, (4, 8))
    labels = rng.integers(0, 4, points)
    return (centers[labels] + rng.normal(0, 1, (points, 8))).astype("float32"), labels.astype("int64")


def mlp(optimizer=None, activation="relu"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(32, activation=activation), keras.layers.Dense(4)])
    model.compile(optimizer=optimizer or keras.optimizers.SGD(0.1, momentum=0.9), loss=LOSS)
    return model


class Counting:
    """Batches of 32 from arrays, counted as they are drawn."""

    def __init__(self, x, y, poison_at=None):
        self.x, self.y, self.drawn, self.poison_at = x, y, 0, poison_at

    def __iter__(self):
        for start in range(0, len(self.x), 32):
            self.drawn += 1
            x = self.x[start : start + 32]
            yield (np.full_like(x, np.nan) if self.drawn == self.poison_at else x), self.y[start : start + 32]


def test_a_real_range_test_finds_an_lr_that_trains():
    result = lr_range_test(mlp(), blobs(), steps=150)
    assert "stopped at lr" in result.curves[0].stopped
    assert np.nanmin(result.losses) < 0.5 * result.losses[0]
    for name in rt.SUGGESTIONS:
        assert 1e-5 < result.suggestions[name] < 3.0, name
    assert result.source == "keras"


def test_the_model_and_its_optimizer_are_left_as_they_were():
    x, y = blobs()
    model = mlp(keras.optimizers.Adam(1e-3))
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)  # a trained state: Adam's moments exist
    weights = [w.copy() for w in model.get_weights()]
    slots = [np.array(v) for v in model.optimizer.variables]
    iterations = int(model.optimizer.iterations)

    lr_range_test(model, (x, y), steps=40, seeds=[0, 1])

    for before, after in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    for before, after in zip(slots, model.optimizer.variables, strict=True):
        np.testing.assert_array_equal(before, np.array(after))
    assert int(model.optimizer.iterations) == iterations
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)  # and it still trains as compiled


def test_accumulation_counts_optimizer_steps_not_batches():
    x, y = blobs()
    feed = Counting(x, y)
    model = mlp(keras.optimizers.SGD(0.1, gradient_accumulation_steps=4))
    result = lr_range_test(model, feed, end_lr=1e-2, steps=20)
    assert feed.drawn == 80 and result.lrs.size == 20 and result.settings.accumulation_steps == 4

    optimizer = fresh_optimizer(model.optimizer, 4)
    losses, _ = train_at(model, optimizer, batches((x, y)), LOSS, rt.sweep(1e-7, 1e-2, 20), 4)
    assert len(losses) == 20 and int(optimizer.iterations) == 20  # Keras counts 80 batches as 20 steps


def test_a_nan_loss_stops_the_test_and_is_left_out_of_the_suggestions():
    x, y = blobs()
    # Some CPUs' ReLU (oneDNN's) maps NaN to 0: a linear hidden layer carries the NaN to the loss.
    result = lr_range_test(mlp(activation=None), Counting(x, y, poison_at=12), end_lr=1e-1, steps=60)
    assert result.losses.size == 12 and np.isnan(result.losses[-1])
    assert "not a finite number" in result.curves[0].stopped
    assert all(lr is None or np.isfinite(lr) for lr in result.suggestions.values())


def test_divergence_stops_the_test_and_the_file_reads_back(tmp_path):
    path = tmp_path / "range.json"
    result = lr_range_test(mlp(), blobs(), end_lr=1e3, steps=120, path=path)
    assert result.lrs.size < 120 and "stopped at lr" in result.curves[0].stopped
    assert rt.loads(path.read_bytes()).suggestions == result.suggestions
