"""What a bake-off costs on the demo, as the Compare page runs it.

    python -m bench.bench_bakeoff

1. Wall time of a bake-off of 3 schedules (the Designer's cosine, its step-decay baseline, 1cycle)
   × 3 seeds at the page's default 20 epochs, in its worker process, TensorFlow's start included:
   goal ≤ 2 minutes.
2. Beside it, in turns, one 20-epoch demo training the same way: the bake-off's 9 runs share one
   process, so it should cost well under 9 trainings.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

from bench.bench_range_test import DOC, timed
from schedules import from_config, step_baseline
from schedules.sets import Named, dump_set
from studio import presets

GOAL_SECONDS = 120


def main(rounds: int = 2) -> None:
    cosine = from_config(DOC)
    entries = [Named("cosine", cosine), Named("step decay", from_config(step_baseline(DOC)))]
    entries.append(Named("1cycle", presets.preset("1cycle")))
    with tempfile.TemporaryDirectory() as folder:
        set_file, config = Path(folder, "set.json"), Path(folder, "schedule.json")
        set_file.write_text(dump_set(entries))
        config.write_text(json.dumps(DOC))
        bake = [sys.executable, "-m", "training.bakeoff", "--json", "--set", str(set_file), "--logdir", folder]
        demo = [sys.executable, "-m", "training.demo", "--json", "--config", str(config), "--logdir", folder]
        bakes, demos = [], []
        for _ in range(rounds):
            seconds, events = timed(bake)
            bakes.append(seconds)
            demos.append(timed(demo)[0])
    runs = sum(event["event"] == "end" and event["status"] == "completed" for event in events)
    bakeoff, training = statistics.median(bakes), statistics.median(demos)
    print(
        f"bake-off, 3 schedules × 3 seeds at 20 epochs ({runs} runs completed): {bakeoff:.1f} s "
        f"(goal ≤ {GOAL_SECONDS} s: {bakeoff / GOAL_SECONDS:.2f}× the goal)"
    )
    print(f"one 20-epoch demo training: {training:.1f} s; bake-off ÷ training = {bakeoff / training:.2f}× (9 runs)")


if __name__ == "__main__":
    main()
