"""Train the demo model with a schedule from a v1 document, logging to TensorBoard.

    python -m training.demo --config lr-schedule.json [--epochs N] [--batch-size B]
        [--optimizer sgd|adam|adamw] [--seed S] [--logdir DIR] [--baseline] [--dataset digits|spirals]

Each run writes ``DIR/<timestamp>-<kind>/``: TensorBoard logs with the per-step ``learning_rate``
and ``run.json``. ``--baseline`` also trains the schedule's step-decay baseline from the same
initial weights. ``--json`` prints one JSON object per line instead of text, for programs.

Exit status: 0 completed or stopped on request (SIGINT/SIGTERM), 1 diverged, 2 invalid arguments.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import math
import os
import signal
import sys
import threading
from pathlib import Path

from schedules import ConfigError, Schedule, from_config, loads, step_baseline
from schedules.document import BASELINE_DROP, BASELINE_EPOCHS_PER_DROP, read_file
from training import data, run_folders
from training.options import DATASETS, OPTIMIZERS, RunOptions

EXIT_DIVERGED, EXIT_USAGE = 1, 2


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=sys.argv[0] if sys.argv[0].startswith("lr-studio ") else "python -m training.demo",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--config", required=True, type=Path, help="a v1 schedule document (JSON)")
    parser.add_argument("--epochs", type=int, help="default: the schedule's total epochs, rounded up")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--logdir", type=Path, default=Path(os.environ.get("RUNS_DIR", "runs")))
    parser.add_argument("--dataset", choices=DATASETS, default="digits")
    parser.add_argument("--baseline", action="store_true", help="also train the step-decay baseline")
    parser.add_argument(
        "--baseline-drop",
        type=float,
        help=f"the baseline's drop factor (default: ×{BASELINE_DROP:g} at one third and two thirds of the decay)",
    )
    parser.add_argument(
        "--baseline-epochs-per-drop",
        type=float,
        help=f"the baseline's epochs per drop (with a drop factor alone: {BASELINE_EPOCHS_PER_DROP:g})",
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines (for programs)")
    return parser.parse_args(argv)


def read_schedule(path: Path):
    """The schedule in ``path``; a missing or unreadable file is a ConfigError like a bad document."""
    return loads(read_file(path, "config"))


class Reporter:
    """Text for people or JSON lines for programs, flushed at once."""

    def __init__(self, as_json: bool):
        self.as_json = as_json

    def say(self, event: str, text: str, **fields) -> None:
        if self.as_json:
            print(json.dumps({"event": event, "message": text, **fields}, default=str), flush=True)
        else:  # errors where a shell user expects them
            print(text, file=sys.stderr if event == "error" else sys.stdout, flush=True)

    def epoch(self, run: str, total_epochs: int, row: dict) -> None:
        shown = {key: value for key, value in row.items() if key not in ("epoch", "learning_rate")}
        metrics = "  ".join(f"{key} {'nan' if value is None else f'{value:.4f}'}" for key, value in shown.items())
        text = f"[{run}] epoch {row['epoch']:>3}/{total_epochs}  {metrics}  lr {row['learning_rate']:.3g}"
        self.say("epoch", text, run=run, total_epochs=total_epochs, **row)


class UsageError(Exception):
    """An argument or document the demo cannot run: one sentence, exit status 2."""


def read_runs(args: argparse.Namespace) -> list[tuple[str, Schedule]]:
    """(label, schedule) of each run asked for: the document's, then its step-decay baseline."""
    try:
        schedule = read_schedule(args.config)
        todo = [(schedule.kind.name, schedule)]
        if args.baseline:
            baseline = step_baseline(schedule.to_config(), args.baseline_drop, args.baseline_epochs_per_drop)
            todo.append(("step-baseline", from_config(baseline)))
    except ConfigError as error:
        raise UsageError(f"invalid config: {error}") from None
    return todo


def run_options(args: argparse.Namespace, schedule: Schedule) -> RunOptions:
    epochs = math.ceil(schedule.params["total_epochs"]) if args.epochs is None else args.epochs
    try:
        return RunOptions(epochs, args.batch_size, args.optimizer, args.seed, args.dataset)
    except ValueError as error:
        raise UsageError(f"invalid argument: {error}") from None


def at_run_steps(todo: list[tuple[str, Schedule]], steps_per_epoch: int) -> list[tuple[str, Schedule]]:
    """Each schedule in epochs mapped onto the run's real steps per epoch, checked before any folder
    is made: a warm-up of 0.001 epochs spans no step at 45 steps per epoch."""
    try:
        return [(label, schedule.with_steps_per_epoch(steps_per_epoch)) for label, schedule in todo]
    except ConfigError as error:
        raise UsageError(f"invalid config at the run's {steps_per_epoch} steps per epoch: {error}") from None


def stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM: a command stops cleanly between steps, keeping what it logged."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def run_command(main) -> None:
    """Run a training command's ``main`` and exit with its status, skipping the interpreter's teardown.

    Once every file is closed and every exit function has run, unloading TensorFlow's modules
    writes nothing and costs 2 of a short run's 16 core-seconds (measured), so the process ends
    there. The handler is registered before TensorFlow loads, so it runs after every exit function
    registered since (atexit runs them last in, first out). A traceback exits as Python does.
    """
    # Optional imports the command never uses, refused (ImportError, which both libraries expect):
    # TensorFlow's lite converter imports JAX and Keras imports pandas when installed (0.8 s).
    for unused in ("jax", "pandas"):
        sys.modules.setdefault(unused, None)
    status: list[int] = []

    def end_now() -> None:
        if status:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to tell
                    stream.flush()
            os._exit(status[0])

    atexit.register(end_now)
    status.append(main())
    sys.exit(status[0])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = Reporter(args.json)
    stop = stop_on_signals()
    try:
        todo = read_runs(args)
        options, file_steps = run_options(args, todo[0][1]), todo[0][1].steps_per_epoch
        dataset = data.load_dataset(options.dataset, options.seed)
        real_steps = data.steps_per_epoch(dataset, options.batch_size)
        todo = at_run_steps(todo, real_steps)
    except UsageError as error:
        report.say("error", str(error))
        return EXIT_USAGE
    if real_steps != file_steps:
        report.say(
            "note",
            f"the schedule's epochs map onto {real_steps} steps per epoch ({len(dataset.x_train)} "
            f"examples / batch {options.batch_size}), not the file's {file_steps}",
            steps_per_epoch=real_steps,
        )
    return train_each(todo, options, dataset, args.logdir, report, stop)


def train_each(todo, options: RunOptions, dataset, logdir: Path, report: Reporter, stop: threading.Event) -> int:
    """Train each run in turn from the same initial weights; exit status 1 if any diverged."""
    exit_code, start_weights = 0, None
    for label, schedule in todo:
        if stop.is_set():
            break
        result, start_weights = train_run(label, schedule, options, dataset, logdir, report, stop, start_weights)
        if result.status == "diverged":
            exit_code = EXIT_DIVERGED
    return exit_code


def train_run(
    label: str,
    schedule: Schedule,
    options: RunOptions,
    dataset,
    logdir: Path,
    report: Reporter,
    stop: threading.Event,
    start_weights=None,
    in_steps: bool = False,
    **labels: str,
):
    """Train one run in a fresh folder ``logdir/<timestamp>-<label>``, reporting its start, epochs
    and end; ``labels`` (a bake-off's ``name`` and ``bakeoff``) go into its start event and record.
    Returns the result and the weights it started from."""
    from training import session  # noqa: PLC0415 - TensorFlow starts here, after every check

    run_dir = run_folders.new_run_dir(logdir, label)
    name = run_dir.name
    report.say(
        "start",
        f"[{name}] training {options.epochs} epochs, logs in {run_dir}",
        run=name,
        run_dir=str(run_dir),
        epochs=options.epochs,
        seed=options.seed,
        **labels,
    )
    result, start_weights = session.train(
        schedule,
        options,
        run_dir,
        dataset=dataset,
        initial_weights=start_weights,
        on_epoch=lambda row: report.epoch(name, options.epochs, row),
        should_stop=stop.is_set,
        in_steps=in_steps,
        **labels,
    )
    summary = result.message or f"completed {len(result.history)} epochs"
    report.say("end", f"[{name}] {summary}", run=name, status=result.status, initial_weights=result.initial_weights)
    return result, start_weights


if __name__ == "__main__":
    run_command(main)
