"""What the range test costs on the demo, as the Find the lr page runs it.

    python -m bench.bench_range_test

1. Wall time of the default range test on the digits (1e-7 → 10, 200 steps, 3 seeds, batch 32,
   SGD) in its worker process, TensorFlow's start included: goal ≤ 30 s.
2. Beside it, in turns, the time of a 20-epoch demo training (900 steps) the same way, so the ratio
   holds on any machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import schedules

ROOT = Path(__file__).resolve().parents[1]
ENV = os.environ | {"TF_CPP_MIN_LOG_LEVEL": "3"}
DOC = schedules.make_document(
    {"kind": "cosine", "base_lr": 0.05, "total_epochs": 20, "warmup_epochs": 2, "hold_epochs": 2}, steps_per_epoch=45
)


def timed(command: list[str]) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, check=True)
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return time.perf_counter() - start, events


def main(rounds: int = 2) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder, "schedule.json")
        config.write_text(json.dumps(DOC))
        find = [sys.executable, "-m", "training.find_lr", "--json"]
        demo = [sys.executable, "-m", "training.demo", "--json", "--config", str(config), "--logdir", folder]
        tests, demos = [], []
        for _ in range(rounds):
            seconds, events = timed(find)
            tests.append(seconds)
            demos.append(timed(demo)[0])
        (result,) = [event["document"] for event in events if event["event"] == "result"]
    steps = sum(len(curve["lrs"]) for curve in result["curves"])
    test, training = statistics.median(tests), statistics.median(demos)
    print(f"default range test, 3 seeds ({steps} steps in all): {test:.1f} s (goal ≤ 30 s: {test / 30:.2f}× the goal)")
    print(f"20-epoch demo training (900 steps): {training:.1f} s; range test ÷ training = {test / training:.2f}×")
    for name, value in result["suggestions"].items():
        print(f"  {name}: {value:.3g}" if value is not None else f"  {name}: none")


if __name__ == "__main__":
    main()
