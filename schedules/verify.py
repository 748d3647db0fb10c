"""Check a training run's logged learning rate against its design, from the command line.

    python -m schedules.verify LOG [--config FILE] [--tag NAME] [--steps-per-epoch N] [--json]

LOG is an event file, trainer_state.json, a CSV, a folder of them or a .zip. A studio run folder
(or its .zip) is checked against the design its ``run.json`` saved. With ``--config``
(a v1 document) or that saved design, the exit status is 0 when every logged step matches, 1 when one differs (the
findings follow, one a line), 2 when the log or the config cannot be read (one sentence on
stderr). Without it, the schedule fitted to the log alone is printed as a v1 document. ``--json``
prints one object: points, match, max_rel_error, findings and the fitted document.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

import numpy as np

from schedules.diagnose import (
    behind_from_the_start,
    diagnose,
    ends_a_fraction_in,
    lag_at_first_record,
    lags_on_straight_lines,
    skipped_from_lags,
    skipped_in_log,
)
from schedules.document import MAX_TEXT_BYTES, from_config, load, read_file, read_json
from schedules.errors import ConfigError
from schedules.files import UnreadableFile, read_regular_file
from schedules.fit import Fit, check_every_record, fit
from schedules.logs import LogError, Series, choose, read_path
from schedules.logs.limits import MAX_FILE_BYTES
from schedules.schedule import MAX_TOTAL_STEPS

MATCH, MISMATCH, UNREADABLE = 0, 1, 2
RUN_RECORD = "run.json"  # a studio run folder's record, its design under "schedule" (a v1 document)


def saved_design(files: Iterable[tuple[str, bytes]]):
    """The design a studio run folder saved beside its logs (``run.json``, at the top or one folder
    down, or inside an uploaded .zip), None when there is none; ConfigError naming the record.

    A log checked against its own run's design needs no other design, nor its steps per epoch.
    """
    for name, data in files:
        path = PurePosixPath(name)
        if path.name == RUN_RECORD and len(path.parts) <= 2:
            return _design_of_record(data)
        if path.suffix.lower() == ".zip":
            record = _record_in_zip(data)
            if record is not None:
                return _design_of_record(record)
    return None


def saved_design_at(path: str | Path):
    """:func:`saved_design` of a log path: a run folder's ``run.json``, or one inside a .zip."""
    path = Path(path)
    if path.is_dir() and (path / RUN_RECORD).is_file():
        return _design_of_record(read_file(path / RUN_RECORD, RUN_RECORD))
    if path.suffix.lower() == ".zip" and path.is_file():
        try:
            return saved_design([(path.name, read_regular_file(path, MAX_FILE_BYTES))])
        except UnreadableFile:
            return None  # the log reader says what is wrong with the file
    return None


def _record_in_zip(data: bytes) -> bytes | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for member in archive.infolist():
            path = PurePosixPath(member.filename)
            if path.name == RUN_RECORD and len(path.parts) <= 2 and member.file_size <= MAX_TEXT_BYTES:
                with archive.open(member) as stream:
                    return stream.read(MAX_TEXT_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        return None  # the log reader says what is wrong with the archive
    return None


def _design_of_record(data: bytes):
    record = read_json(data, RUN_RECORD)
    if not isinstance(record, dict) or "schedule" not in record:
        raise ConfigError(RUN_RECORD, "must be a studio run record with its schedule")
    try:
        return from_config(record["schedule"])
    except ConfigError as error:
        raise ConfigError(f"{RUN_RECORD}: schedule.{error.field}", error.rule) from None


def fit_log(series: Series, steps_per_epoch: int = 1) -> Fit:
    """The schedule fitted to a series with no design to compare with, and what the log itself
    shows went wrong: the fit's findings (a restart, a schedule that ends early); a fit that ends a
    whole fraction into the log (stepped per micro-batch); and, where no kind explains the log,
    optimizer steps the scheduler missed. When the log fits a design once they are taken out, that
    design is the fit's document (not matching as logged; its differences are as logged) and the
    skipped-steps finding carries it as ``fits_without``. ValueError as :func:`~schedules.fit.fit`.

    An epoch-level series (Keras's epoch_* scalars) is fitted in epochs: one step per epoch.
    """
    per_epoch = 1 if series.unit == "epoch" else steps_per_epoch

    def fitted_to(steps) -> Fit:
        logged = None if steps is series.steps else series.steps  # what its sentences name
        return fit(
            steps, series.lr, per_epoch, writer=series.writer, info=series.info, unit=series.unit, logged_steps=logged
        )

    # A linear warm-up from 0 and decay to the stated total give every record's own lag, the
    # first record's too. A lag that grows along one of those lines is no design's as logged
    # (a total other than the stated one moves the whole decay line alike), nor is a warm-up
    # reached more steps late than a writer's convention shifts (it would start below 0), so the
    # design with the lags taken out is sought first: the search as logged would find nothing.
    total = (series.info or {}).get("max_steps") if series.unit == "step" else None
    lines = lags_on_straight_lines(series.steps, series.lr, total)
    on_lines = None if lines is None else skipped_from_lags(series.steps, lines)
    first_without = lines is not None and (_grows_along_a_line(series.lr, lines) or _late_warmup(series.lr, lines))
    if first_without:
        found = _design_without_lags(series, lines, on_lines, fitted_to)
        if found is not None:
            return found
    fitted = fitted_to(series.steps)
    if fitted.matches:
        said = {finding["type"] for finding in fitted.findings}
        stretch = None if "stretch" in said else ends_a_fraction_in(series.steps, series.lr, fitted.schedule)
        return fitted if stretch is None else replace(fitted, findings=(*fitted.findings, stretch))
    skipped = skipped_in_log(series.steps, series.lr, series.unit)
    if lines is not None:
        behind = lines
        skipped = on_lines or skipped
    else:  # the skips the log shows, and any lag its warm-up shows before them
        behind = np.zeros(series.steps.size, dtype=np.int64)  # scheduler steps missed before each record
        for step, count in (skipped or {}).get("skipped", []):
            behind[series.steps >= step] += count
        if skipped is not None:
            behind = behind + lag_at_first_record(series.steps - behind, series.lr)
    if skipped is None and not behind[0]:
        return fitted
    found = None if first_without else _design_without_lags(series, behind, skipped, fitted_to)  # tried above
    if found is not None:
        return found
    if skipped is None:  # a lag before the first record that explains nothing is not said
        return fitted
    return replace(fitted, findings=(*fitted.findings, skipped))


def _grows_along_a_line(lr: np.ndarray, lags: np.ndarray) -> bool:
    """Whether the lag grows between two records both on the warm-up or both on the decay (the
    records on either side of the highest one)."""
    peak = int(np.argmax(lr))
    grows = np.diff(lags) > 0
    grows[max(peak - 1, 0) : peak + 1] = False  # the pairs that end or start at the top
    return bool(grows.any())


def _late_warmup(lr: np.ndarray, lags: np.ndarray) -> bool:
    """Whether the records on the warm-up (before the highest one) are two or more steps late:
    more than any writer's convention shifts a log (one step or epoch)."""
    return bool((lags[: int(np.argmax(lr))] >= 2).any())


def fits_without_skips(fitted: Fit) -> bool:
    """Whether ``fitted``'s document is the design its log fits once skipped steps are taken out."""
    return any("fits_without" in finding for finding in fitted.findings)


def _design_without_lags(series: Series, behind: np.ndarray, skipped: dict | None, fitted_to) -> Fit | None:
    """The design the log fits with ``behind`` (scheduler steps missed before each record) taken
    out, as a fit that does not match as logged and says the skipped steps; None when none fits."""
    try:
        without = fitted_to(series.steps - behind)
    except ValueError:
        return None
    if not without.matches:
        return None
    early = int(behind[0])
    also = f" and the lag of {early:,} the log has from its first record" if early and skipped else ""
    skipped = skipped or behind_from_the_start(early)  # all of them before the first record
    kind = without.document["schedule"]["kind"]
    skipped = skipped | {
        "fits_without": without.document,
        "undetermined_without": list(without.undetermined),
        "before_first_record": early,
        "sentence": f"{skipped['sentence']} With them{also} taken out, the log fits {kind}.",
    }
    _, relative = check_every_record(without.document, series.steps + without.shift, series.lr)
    return replace(
        without,
        matches=False,
        max_rel_error=float(np.abs(relative).max()),
        rms_rel_error=float(np.sqrt(np.mean(np.square(relative, dtype=np.float64)))),
        findings=(*without.findings, skipped),
    )


def steps_per_epoch(text: str) -> int:
    """argparse's type for --steps-per-epoch: a whole number from 1 to the engine's limit."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= MAX_TOTAL_STEPS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_TOTAL_STEPS:,}, got {text!r}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=sys.argv[0] if sys.argv[0].startswith("lr-studio ") else "python -m schedules.verify",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("log", help="event file, trainer_state.json, CSV, a folder of them, or a .zip")
    parser.add_argument("--config", help="the v1 schedule document the run was meant to follow")
    parser.add_argument("--tag", help="the lr series to check when the log holds several")
    parser.add_argument(
        "--steps-per-epoch", type=steps_per_epoch, help="optimizer steps per epoch (default: the config's)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        found = read_path(args.log)
        series = choose(found, args.tag)
        schedule = _design(args.config, args.steps_per_epoch) if args.config else saved_design_at(args.log)
        if schedule is not None and not args.config:
            print(f"checking against the run's own design ({RUN_RECORD})", file=sys.stderr)
            if args.steps_per_epoch is not None:
                schedule = schedule.with_steps_per_epoch(args.steps_per_epoch)
    except LogError as error:
        hint = " (--tag NAME)" if "choose one" in str(error) else ""
        print(f"{error}{hint}", file=sys.stderr)
        return UNREADABLE
    except ConfigError as error:
        print(error, file=sys.stderr)
        return UNREADABLE
    if len(found) > 1 and args.tag is None:
        print(f"reading {series.describe()}, the only per-step series of {len(found)}", file=sys.stderr)
    for note in series.notes:
        print(f"note: {note}", file=sys.stderr)
    fit_spe = args.steps_per_epoch or (schedule.steps_per_epoch if schedule else 1)
    fitted = None
    if schedule is None or args.json:  # the fit tries every kind: only when it is shown
        try:
            fitted = fit_log(series, fit_spe)
        except ValueError as error:
            if schedule is None:
                print(f"{args.log}: {error}", file=sys.stderr)
                return UNREADABLE
    if schedule is None:
        return _report_fit(series, fitted, args.json)
    try:
        diagnosis = diagnose(series.steps, series.lr, schedule, series.unit, series.writer)
    except LogError as error:
        print(error, file=sys.stderr)
        return UNREADABLE
    if args.json:
        summary = diagnosis.summary() | {"fitted": fitted.document if fitted else None, "notes": list(series.notes)}
        print(json.dumps(_finite(summary), allow_nan=False))
    else:
        _print_verdict(series, diagnosis)
    return MATCH if diagnosis.match else MISMATCH


def _finite(value):
    """``value`` with every non-finite number as null: JSON has no infinity (a scale factor of
    1e308 / 1e-30 overflows)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _design(path: str, steps_per_epoch: int | None):
    """The config's schedule, its steps per epoch replaced when given; ConfigError names the file."""
    schedule = load(path)
    try:
        return schedule if steps_per_epoch is None else schedule.with_steps_per_epoch(steps_per_epoch)
    except ConfigError as error:
        raise ConfigError(f"{Path(path).name}: {error.field}", error.rule) from None


def _print_verdict(series, diagnosis) -> None:
    points = diagnosis.steps.size
    if diagnosis.match:
        print(
            f"match: all {points:,} logged steps of {series.name!r} follow the design "
            f"(largest relative difference {diagnosis.max_rel_error:.2g})"
        )
    else:
        differing = int((~diagnosis.matched).sum())
        print(
            f"mismatch: {differing:,} of {points:,} logged steps of {series.name!r} differ from the design; "
            f"first at step {diagnosis.first_mismatch:,}, largest at step {diagnosis.largest_mismatch:,} "
            f"(relative difference {diagnosis.max_rel_error:.3g})"
        )
    if diagnosis.convention:
        print(f"- {diagnosis.convention}")
    for finding in diagnosis.findings:
        print(f"- {finding['sentence']}")


def _report_fit(series, fitted, as_json: bool) -> int:
    if as_json:
        summary = {
            "points": int(series.steps.size),
            "match": fitted.matches,
            "max_rel_error": fitted.max_rel_error,
            "findings": list(fitted.findings),
            "fitted": fitted.document,
            "convention": fitted.convention,
            "undetermined": list(fitted.undetermined),
            "notes": list(series.notes),
        }
        print(json.dumps(_finite(summary), allow_nan=False))
        return MATCH
    print(json.dumps(fitted.document, indent=2, allow_nan=False))
    verdict = "matches every logged step" if fitted.matches else "is the closest found"
    differences = f"largest relative difference {fitted.max_rel_error:.2g}, rms {fitted.rms_rel_error:.2g}"
    if fits_without_skips(fitted):
        verdict, differences = "is the design it fits with its skipped steps taken out", f"as logged: {differences}"
    print(
        f"fitted to {series.steps.size:,} points of {series.name!r}: {verdict} ({differences})",
        file=sys.stderr,
    )
    for sentence in ([fitted.convention] if fitted.convention else []) + list(fitted.undetermined):
        print(f"- {sentence}", file=sys.stderr)
    for finding in fitted.findings:
        print(f"- {finding['sentence']}", file=sys.stderr)
    return MATCH


if __name__ == "__main__":
    sys.exit(main())
