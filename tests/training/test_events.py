"""Event files read back without TensorFlow, including ones a killed writer cut short."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests import ROOT
from training.events import read_scalars

tf = pytest.importorskip("tensorflow")


def write(log_dir, values):
    with tf.summary.create_file_writer(str(log_dir / "train")).as_default() as _:
        for step, value in enumerate(values):
            tf.summary.scalar("learning_rate", value, step=step)
            tf.summary.scalar("other", -value, step=step)


def test_reads_every_step_of_one_tag(tmp_path):
    write(tmp_path, [0.1, 0.2, 0.3])
    steps, values = read_scalars(tmp_path)
    assert steps.tolist() == [0, 1, 2]
    np.testing.assert_allclose(values, [0.1, 0.2, 0.3], rtol=1e-6)
    assert read_scalars(tmp_path, "missing")[0].size == 0


def test_a_truncated_file_yields_what_came_before_the_cut(tmp_path):
    write(tmp_path, [float(i) for i in range(50)])
    (path,) = (tmp_path / "train").glob("events.out.tfevents.*")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 7])  # mid-record
    steps, values = read_scalars(tmp_path)
    assert 0 < len(steps) < 50
    np.testing.assert_array_equal(values, steps.astype(float))


def test_reading_does_not_import_tensorflow(tmp_path):
    write(tmp_path, [0.5])
    probe = textwrap.dedent(
        f"""
        import sys
        from training.events import read_scalars
        print(read_scalars({str(tmp_path)!r})[1].tolist(), "tensorflow" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "[0.5] False", result.stderr
