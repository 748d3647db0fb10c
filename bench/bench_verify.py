"""How fast a 10⁶-step log reads back, with its peak memory, and the CSV reader against np.loadtxt.

    python -m bench.bench_verify

Writes a 10⁶-point TensorBoard event file (TensorFlow's own record writer: real CRCs), a CSV of
step and lr and a trainer_state.json into a temporary folder, then times ``schedules.logs`` on
each (median of a few turns, candidates interleaved) and its peak Python-heap allocation
(tracemalloc, which sees NumPy's buffers), and the CSV read against ``np.loadtxt`` of the same
file. Also times the diagnosis of the 10⁶ points against their design, and what the readers do with
hostile files (a zip bomb, a member lying about its size, a tensor of 100,000 dimensions, 20,000
distinct keys, 100,000 lr columns): each a sentence or an answer, its time and peak allocation.
"""

from __future__ import annotations

import json
import struct
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from bench.timing import interleaved_medians
from schedules import from_config
from schedules.diagnose import diagnose
from schedules.logs import LogError, read_files, read_path
from tests.schedules.test_log_limits import deflated_zip, record, scalar_event, varint  # forged files

POINTS = 1_000_000
DESIGN = from_config(
    {
        "format": "lr-schedule",
        "version": 1,
        "steps_per_epoch": 10_000,
        "schedule": {"kind": "cosine", "base_lr": 0.01, "total_epochs": 100, "warmup_epochs": 5, "epsilon": 1e-6},
    }
)


def write_logs(folder: Path, steps: np.ndarray, lr: np.ndarray) -> dict[str, Path]:
    import tensorflow as tf  # noqa: PLC0415 - only to write real records (CRCs computed in C++)

    events = folder / "events" / "events.out.tfevents.1.bench"
    events.parent.mkdir()
    with tf.io.TFRecordWriter(str(events)) as writer:
        writer.write(b"\x09" + struct.pack("<d", 1.0) + b"\x1a\x0cbrain.Event:2")  # the file version
        for step, value in zip(steps.tolist(), lr.astype(np.float32).tolist(), strict=True):
            summary = b"\x0a\x09\x0a\x02lr\x15" + struct.pack("<f", value)
            writer.write(b"\x09" + struct.pack("<d", 2.0) + b"\x10" + varint(step) + b"\x2a\x0b" + summary)
    csv = folder / "lr.csv"
    csv.write_text("step,lr\n" + "\n".join(f"{s},{v!r}" for s, v in zip(steps.tolist(), lr.tolist(), strict=True)))
    state = folder / "trainer_state.json"
    history = [
        {"epoch": s / 10_000, "learning_rate": v, "loss": 1.0, "step": s}
        for s, v in zip(steps.tolist(), lr.tolist(), strict=True)
    ]
    state.write_text(json.dumps({"global_step": POINTS, "log_history": history}))
    return {"event file": events, "CSV": csv, "trainer_state.json": state}


def peak_bytes(run) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    steps = np.arange(POINTS)
    lr = DESIGN.lr(steps)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        paths = write_logs(Path(folder), steps, lr)
        print(f"wrote the three logs of {POINTS:,} points in {time.perf_counter() - start:.1f} s")
        for name, path in paths.items():
            print(f"  {name}: {path.stat().st_size / 1e6:.0f} MB")
        readers = {name: (lambda path=path: read_path(path)) for name, path in paths.items()}
        loadtxt = lambda: np.loadtxt(paths["CSV"], delimiter=",", skiprows=1)  # noqa: E731
        medians = interleaved_medians(readers | {"np.loadtxt (CSV)": loadtxt}, rounds=3)
        print(f"\nreading {POINTS:,} points (median of 3, in turns):")
        for name, seconds in medians.items():
            peak = peak_bytes(readers.get(name, loadtxt))
            print(f"  {name:22s} {seconds:6.2f} s   peak {peak / 1e6:6.0f} MB")
        print(f"CSV reader ÷ np.loadtxt: {medians['CSV'] / medians['np.loadtxt (CSV)']:.2f}×")
        (series,) = read_path(paths["event file"])
        start = time.perf_counter()
        diagnosis = diagnose(series.steps, series.lr, DESIGN)
        print(
            f"\ndiagnosis of {series.steps.size:,} points: {time.perf_counter() - start:.2f} s, match={diagnosis.match}"
        )
        offset = diagnose(series.steps, DESIGN.lr(steps + 1), DESIGN)
        print(f"with an off-by-one log: {offset.findings[0]['sentence']}")
    fits()
    hostile()


def fits() -> None:
    """The fit of a clean log of 10⁴, 10⁶ and 10⁷ points (time; peak allocation at 10⁷), and of
    every log of the real-log corpus with their total."""
    from schedules.fit import fit  # noqa: PLC0415

    print("\nfitting a cosine log with warm-up and floor, from the log alone:")
    for points in (10_000, 1_000_000, 10_000_000):
        design = from_config(DESIGN.to_config() | {"steps_per_epoch": points // 100})
        steps = np.arange(points)
        values = design.lr(steps).astype(np.float32)
        start = time.perf_counter()
        found = fit(steps, values, points // 100)
        seconds = time.perf_counter() - start
        again = lambda s=steps, v=values, n=points: fit(s, v, n // 100)  # noqa: E731
        peak = peak_bytes(again) if points == 10_000_000 else None
        memory = f", peak allocation {peak / 1e6:.0f} MB" if peak else ""
        print(f"  {points:>10,} points: {seconds:5.2f} s, matches={found.matches}{memory}")
    corpus = Path(__file__).resolve().parents[1] / "tests" / "data" / "real_logs"
    manifest = json.loads((corpus / "manifest.json").read_text())
    start, matched = time.perf_counter(), 0
    for name, entry in manifest.items():
        (series, *_) = read_path(corpus / name / entry["file"])
        spe = 1
        matched += fit(series.steps, series.lr, spe, writer=series.writer, info=series.info, unit=series.unit).matches
    total = time.perf_counter() - start
    print(f"  the corpus: {len(manifest)} real logs fitted in {total:.1f} s ({matched} explained exactly)")


def hostile_files() -> dict[str, tuple[str, bytes]]:
    bomb = deflated_zip("run/metrics.csv", b"step,lr\n", b"0,0.1\n", 500 * 2**20)
    lying = deflated_zip("metrics.csv", b"step,lr\n", b"0,0.1\n", 100 * 2**20)
    lying = lying.replace(struct.pack("<I", 100 * 2**20), struct.pack("<I", 100))
    dims = b"\x12\x02\x08\x01" * 100_000
    shape = b"\x12" + varint(len(dims)) + dims
    tensor = b"\x08\x01" + shape + b"\x2a\x04" + struct.pack("<f", 0.25)
    value = b"\x0a\x02lr\x42" + varint(len(tensor)) + tensor
    summary = b"\x0a" + varint(len(value)) + value
    version = b"\x09" + struct.pack("<d", 1.0) + b"\x1a\x0dbrain.Event:2"
    events = record(version) + record(b"\x10\x05\x2a" + varint(len(summary)) + summary) + record(scalar_event(6, 0.5))
    keys = json.dumps({"log_history": [{"step": i, f"grad_{i}": 0.1, "learning_rate": 0.2} for i in range(20_000)]})
    columns = ",".join(f"lr-{i}" for i in range(100_000))
    return {
        "zip bomb: 500 MB CSV in a zip": ("run.zip", bomb),
        "zip member declaring 100 of 100 MB": ("run.zip", lying),
        "tensor of 100,000 dimensions": ("events.out.tfevents.1.h", events),
        "20,000 entries, each its own key": ("trainer_state.json", keys.encode()),
        "100,000 lr columns": ("metrics.csv", f"step,{columns}\n0{',0.1' * 100_000}\n".encode()),
    }


def hostile() -> None:
    print("\nhostile files (time, peak allocation, answer):")
    for label, (name, data) in hostile_files().items():

        def read(name=name, data=data):
            try:
                return f"{len(read_files([(name, data)]))} series"
            except LogError as error:
                return str(error)

        start = time.perf_counter()
        answer = read()
        seconds = time.perf_counter() - start
        peak = peak_bytes(read)
        print(f"  {label} ({len(data) / 1e6:.1f} MB): {seconds:.2f} s, peak {peak / 1e6:.0f} MB — {answer[:90]}")


if __name__ == "__main__":
    main()
