"""A schedule bake-off: every schedule of a set trained on the same data, over several seeds.

    python -m training.bakeoff --set lr-schedule-set.json [--epochs 20] [--seeds 3] [--seed 0]
        [--batch-size B] [--optimizer sgd|adam|adamw] [--dataset digits|spirals] [--logdir DIR]

Every schedule gets the same budget: its shape is fitted to ``--epochs`` of the data (the same
number of optimizer steps for each, whatever its own epochs). For each seed, every schedule starts
from the same initial weights and sees the same batches, so the seeds measure the noise and the
schedules the difference. Seeds run in turn, each over the whole set, so the first comparison is
complete early. Each run writes its folder as the demo does; its ``run.json`` names the schedule
and the bake-off. ``--json`` prints one JSON object per line, for programs.

Exit status: 0 done or stopped on request, 1 a run diverged, 2 invalid arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

from schedules import ConfigError, from_config
from schedules.document import over_steps, read_file
from schedules.sets import load_set
from training import data
from training.demo import EXIT_DIVERGED, EXIT_USAGE, Reporter, run_command, stop_on_signals, train_run
from training.options import DATASETS, OPTIMIZERS, RunOptions

MAX_SEEDS = 10
DEFAULT_EPOCHS = 20  # 3 schedules × 3 seeds of the digits train in about a minute on two cores


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=sys.argv[0] if sys.argv[0].startswith("lr-studio ") else "python -m training.bakeoff",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--set", required=True, type=Path, help="a set of named schedules (the Compare page's export)")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help="each schedule fitted to this many epochs")
    parser.add_argument("--seeds", type=int, default=3, help=f"seeds from --seed on (1 to {MAX_SEEDS})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    parser.add_argument("--dataset", choices=DATASETS, default="digits")
    parser.add_argument("--logdir", type=Path, default=Path("runs"))
    parser.add_argument("--json", action="store_true", help="print JSON lines (for programs)")
    return parser.parse_args(argv)


def plan(args: argparse.Namespace, steps_per_epoch: int) -> list[tuple[str, object]]:
    """(name, schedule) of each entry, its shape fitted to ``args.epochs`` × ``steps_per_epoch``
    steps; ConfigError (one sentence naming the entry) for a set or a fit that does not hold."""
    if not 1 <= args.seeds <= MAX_SEEDS:
        raise ConfigError("seeds", f"must be an integer in [1, {MAX_SEEDS}], got {args.seeds}")
    entries = load_set(read_file(args.set, "set"))
    longest = max(entry.schedule.params["total_epochs"] for entry in entries)
    least = math.ceil(longest / steps_per_epoch)  # a step for each of the longest schedule's epochs
    if args.epochs < least:
        raise ConfigError(
            "epochs", f"must be at least {least} here: a schedule of {longest:g} epochs needs a step for each"
        )
    fitted = []
    for index, entry in enumerate(entries):
        try:
            document = over_steps(entry.schedule.to_config(), args.epochs * steps_per_epoch)
            fitted.append((entry.name, from_config(document)))
        except ConfigError as error:
            raise ConfigError(
                f"[{index}].document.{error.field}", f"{error.rule} (fitted to {args.epochs} epochs)"
            ) from None
    return fitted


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = Reporter(args.json)
    stop = stop_on_signals()
    try:
        options = RunOptions(args.epochs, args.batch_size, args.optimizer, args.seed, args.dataset)
        dataset = data.load_dataset(options.dataset, options.seed)  # one split for every run
        todo = plan(args, data.steps_per_epoch(dataset, options.batch_size))
    except (ConfigError, ValueError) as error:
        report.say("error", f"invalid bake-off: {error}")
        return EXIT_USAGE
    run_steps = args.epochs * data.steps_per_epoch(dataset, options.batch_size)
    for name, schedule in todo:
        if schedule.total_steps != run_steps:  # whole steps per epoch: a shape cannot always fit exactly
            report.say("note", f"{name}: its shape spans {schedule.total_steps:,} of the run's {run_steps:,} steps")
    exit_code, bakeoff = 0, f"bakeoff-{dt.datetime.now():%Y%m%d-%H%M%S}"  # what its runs' records share
    for seed in range(args.seed, args.seed + args.seeds):
        start_weights = None  # every schedule of this seed starts from the first one's weights
        seeded = RunOptions(args.epochs, args.batch_size, args.optimizer, seed, args.dataset)
        for name, schedule in todo:
            if stop.is_set():
                return exit_code
            result, start_weights = train_run(
                f"{name}-seed{seed}",
                schedule,
                seeded,
                dataset,
                args.logdir,
                report,
                stop,
                start_weights,
                in_steps=True,
                name=name,
                bakeoff=bakeoff,
            )
            if result.status == "diverged":
                exit_code = EXIT_DIVERGED
    return exit_code


if __name__ == "__main__":
    run_command(main)
