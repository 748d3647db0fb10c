"""One worker of a two-worker Keras run under MultiWorkerMirroredStrategy, for its test.

    TF_CONFIG='{"cluster": {"worker": [...]}, "task": {"type": "worker", "index": I}}' \
        python -m tests.frameworks.keras_multiworker DOC.json LOG_DIR OUT.json

Trains a small model with ``schedule.to_keras()`` for the schedule's whole length, one global
batch per step, in a custom training loop that drives Keras callbacks: ``model.fit`` under this
strategy fails in Keras 3 before the first step (keras-team/keras#20585), whatever the schedule.
Every worker records the lr its optimizer applies before each step; the chief (worker 0) alone
attaches ``LearningRateLogger(LOG_DIR)``. Writes JSON: the worker's index, the replicas in sync,
its (step, lr) pairs and its final weights.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import schedules
from frameworks.keras_callbacks import LearningRateLogger, current_lr, current_step

GLOBAL_BATCH = 16


def main(document: Path, log_dir: Path, out: Path) -> None:
    # The strategy first: it must exist before any other TensorFlow op runs in this process (and
    # not at import, which pytest's doctest collection does).
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    s = schedules.loads(document.read_text())
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    rng = np.random.default_rng(0)  # the same data on every worker: the strategy shards it
    x = rng.normal(size=(GLOBAL_BATCH * s.steps_per_epoch, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32")
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH).repeat().with_options(options)
    with strategy.scope():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(s.to_keras()), loss="mse")
    optimizer = model.optimizer

    @tf.function
    def train_step(batch):
        def on_replica(x, y):
            with tf.GradientTape() as tape:  # the loss of the global batch: each share's sum / global size
                loss = tf.reduce_sum(tf.square(model(x, training=True) - y)) / GLOBAL_BATCH
            variables = model.trainable_variables
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))

        strategy.run(on_replica, args=batch)

    # The chief alone writes the lr log, as with any callback that writes files.
    callbacks = keras.callbacks.CallbackList([LearningRateLogger(log_dir)] if index == 0 else [], model=model)
    seen = []
    batches = iter(strategy.experimental_distribute_dataset(data))
    callbacks.on_train_begin()
    for epoch in range(s.total_steps // s.steps_per_epoch):
        callbacks.on_epoch_begin(epoch)
        for batch in range(s.steps_per_epoch):
            callbacks.on_train_batch_begin(batch)
            seen.append((current_step(optimizer), current_lr(optimizer)))  # what this step applies
            train_step(next(batches))
            callbacks.on_train_batch_end(batch)
        callbacks.on_epoch_end(epoch)
    callbacks.on_train_end()
    weights = [w.tolist() for w in model.get_weights()]
    answer = {"index": index, "replicas": strategy.num_replicas_in_sync, "seen": seen, "weights": weights}
    out.write_text(json.dumps(answer))


if __name__ == "__main__":
    main(*map(Path, sys.argv[1:4]))
