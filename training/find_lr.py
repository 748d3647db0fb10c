"""The lr range test on the demo's data and model, and the short trainings that check its answer.

    python -m training.find_lr [--start-lr 1e-7] [--end-lr 10] [--steps 200] [--seeds 3]
        [--batch-size B] [--optimizer sgd|adam|adamw] [--dataset digits|spirals] [--out FILE]
    python -m training.find_lr --check LR --config lr-schedule.json [--steps 200] ...

Each seed trains the demo model from its own fresh weights while the lr grows exponentially,
and stops when the smoothed loss passes ``--stop-factor`` × its lowest or turns NaN. ``--check LR``
instead trains the schedule of ``--config``, its shape squeezed to the test's length, with its
peak at LR ÷ 3, LR and LR × 3, and reports each one's final losses. ``--json`` prints one JSON
object per line, for programs (the studio's worker reads them).

Exit status: 0 done or stopped on request, 2 invalid arguments.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

import numpy as np

from schedules import ConfigError, from_config
from schedules import range_test as rt
from schedules.document import over_steps
from training import data
from training.demo import EXIT_USAGE, Reporter, read_schedule, run_command, stop_on_signals
from training.options import DATASETS, OPTIMIZERS

CHECK_FACTORS = (1 / 3, 1.0, 3.0)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=sys.argv[0] if sys.argv[0].startswith("lr-studio ") else "python -m training.find_lr",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--start-lr", type=float, default=rt.DEFAULTS["start_lr"])
    parser.add_argument("--end-lr", type=float, default=rt.DEFAULTS["end_lr"])
    parser.add_argument("--steps", type=int, default=rt.DEFAULTS["steps"], help="optimizer steps of the sweep")
    parser.add_argument("--seeds", type=int, default=3, help="repeat over this many seeds (from --seed on)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    parser.add_argument("--dataset", choices=DATASETS, default="digits")
    parser.add_argument("--smoothing", type=float, default=rt.DEFAULTS["smoothing"])
    parser.add_argument("--stop-factor", type=float, default=rt.DEFAULTS["stop_factor"])
    parser.add_argument("--out", type=Path, help="write the result as an lr-range-test JSON file")
    parser.add_argument("--check", type=float, metavar="LR", help="check this lr with short trainings")
    parser.add_argument("--config", type=Path, help="with --check: the v1 schedule document to train")
    parser.add_argument("--json", action="store_true", help="print JSON lines (for programs)")
    return parser.parse_args(argv)


def settings_of(args: argparse.Namespace) -> rt.Settings:
    if not 1 <= args.seeds <= rt.MAX_CURVES:
        raise ConfigError("seeds", f"must be an integer in [1, {rt.MAX_CURVES}], got {args.seeds}")
    if not 1 <= args.batch_size <= 4096:
        raise ConfigError("batch_size", f"must be an integer in [1, 4096], got {args.batch_size}")
    return rt.Settings(args.start_lr, args.end_lr, args.steps, args.smoothing, args.stop_factor)


def find_lr(args, settings: rt.Settings, report: Reporter, stop: threading.Event) -> rt.RangeTest:
    """One range test per seed, each from the demo model's fresh weights, on the same data."""
    import keras  # noqa: PLC0415 - TensorFlow starts here, after every check

    from frameworks.keras_range_test import batches, train_at  # noqa: PLC0415
    from training.session import build_model, make_optimizer  # noqa: PLC0415

    dataset = data.load_dataset(args.dataset, args.seed)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    curves = []
    for index, seed in enumerate(range(args.seed, args.seed + args.seeds)):
        if stop.is_set():
            break
        report.say("seed", f"seed {seed}: {index + 1} of {args.seeds}", seed=seed, index=index, of=args.seeds)
        keras.utils.set_random_seed(seed)
        model = build_model(dataset)
        tracker = rt.LossTracker(settings.smoothing, settings.stop_factor)
        feed = batches((dataset.x_train, dataset.y_train), args.batch_size, seed)
        optimizer = make_optimizer(args.optimizer, settings.start_lr)
        losses, stopped = train_at(model, optimizer, feed, loss, settings.lrs, 1, tracker.add)
        curves.append((settings.lrs[: len(losses)], losses, stopped, seed))
        report.say(
            "curve",
            f"seed {seed}: {len(losses)} steps{', ' + stopped if stopped else ''}",
            seed=seed,
            steps=len(losses),
            stopped=stopped,
        )
    return rt.result(settings, curves, source=f"demo: {args.dataset}, {args.optimizer}, batch {args.batch_size}")


def check(args, report: Reporter, stop: threading.Event) -> int:
    """Short trainings of the schedule at its peak lr ÷ 3, × 1 and × 3, over the test's length."""
    try:
        document = read_schedule(args.config).to_config()
        fitted = over_steps(document, args.steps)
        schedules = [(factor, from_config(rt.at_peak(fitted, args.check * factor))) for factor in CHECK_FACTORS]
    except (ConfigError, TypeError) as error:
        report.say("error", f"invalid check: {error}")
        return EXIT_USAGE
    import keras  # noqa: PLC0415

    from frameworks.keras_range_test import batches, evaluate, train_at  # noqa: PLC0415
    from training.session import build_model, make_optimizer  # noqa: PLC0415

    dataset = data.load_dataset(args.dataset, args.seed)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for factor, schedule in schedules:
        if stop.is_set():
            break
        keras.utils.set_random_seed(args.seed)  # the same initial weights and batches for each
        model = build_model(dataset)
        feed = batches((dataset.x_train, dataset.y_train), args.batch_size, args.seed)
        lrs = schedule.lr(np.arange(schedule.total_steps))
        tracker = rt.LossTracker(args.smoothing, args.stop_factor)  # a diverging run ends as the test does
        optimizer = make_optimizer(args.optimizer, float(lrs[0]))
        losses, stopped = train_at(model, optimizer, feed, loss, lrs, 1, tracker.add)
        tail = np.asarray(losses[-max(1, len(losses) // 10) :])
        val_loss, val_accuracy = evaluate(model, loss, dataset.x_val, dataset.y_val)
        finite = lambda x: float(x) if np.isfinite(x) else None  # noqa: E731 - JSON has no NaN
        row = {
            "factor": factor,
            "peak_lr": schedule.peak_lr,
            "steps": len(losses),
            "train_loss": finite(tail.mean()),
            "val_loss": finite(val_loss),
            "val_accuracy": finite(val_accuracy) if not stopped else None,
            "stopped": stopped,
            "losses": [finite(x) for x in losses],
        }
        words = stopped or f"final training loss {tail.mean():.4g}, validation loss {val_loss:.4g}"
        report.say("check", f"peak lr {schedule.peak_lr:.3g}: {words}", **row)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    report = Reporter(args.json)
    stop = stop_on_signals()
    try:
        settings = settings_of(args)
        if args.check is not None:
            if args.config is None:
                raise ConfigError("config", "--check needs --config, the schedule to train")
            rt.LR("check", args.check)
    except ConfigError as error:
        report.say("error", f"invalid argument: {error}")
        return EXIT_USAGE
    if args.check is not None:
        return check(args, report, stop)
    try:
        result = find_lr(args, settings, report, stop)
    except ValueError:  # rt.result of no curve: stopped before the first seed began
        report.say("end", "stopped on request before any seed ran")
        return 0
    for spread in result.spreads.values():
        report.say("suggestion", spread.sentence(), name=spread.name, lr=spread.lr, agrees=spread.agrees)
    if args.out is not None:
        rt.write(result, args.out)
        report.say("note", f"wrote {args.out}")
    report.say("result", "range test done", document=result.to_json())
    return 0


if __name__ == "__main__":
    run_command(main)
