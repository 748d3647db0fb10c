"""Compare a logged learning-rate series with its design and say, in plain words, what went wrong.

A logged step s matches when |logged − designed| ≤ RTOL · |designed| + ATOL_OF_PEAK · peak: the
precision of a float32 log (TensorBoard stores float32) with a floor for lrs near zero.

The diagnosis explains the log as pieces of the designed curve read at warped steps,
t = c · s + b (c = 1/n reads ⌊s / n⌋ + b): b ≠ 0 at the start is an offset (the log records the
next step's lr), c ≠ 1 a stretch (the schedule stepped per micro-batch), a new b = −c · s₀ from
step s₀ on a restart (a resume that rebuilt the scheduler). Each piece is the warp that matches
the longest run of logged steps from where the last one stopped, simplest warp first. A log no
warp explains is compared with the design scaled by a constant factor and with the other
granularity; what remains is described by its floor, peak and warm-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from schedules.logs.limits import MAX_STEP, LogError
from schedules.schedule import Schedule

RTOL = 1e-6  # float32 keeps 24 bits: 6e-8 relative, with room for a framework's float32 arithmetic
ATOL_OF_PEAK = 1e-7  # lrs near zero (the end of a cosine) match to float32 precision of the peak
RELATIVE_FLOOR = 1e-2  # a relative difference is measured against at least this share of the peak
MAX_OFFSET = 3  # steps: off-by-one logging and its neighbours
MIN_PIECE = 10  # logged steps: a shorter piece that does not reach the log's end explains nothing
MAX_PIECES = 6  # more pieces than this tell no story; the rest is described by its shape
MAX_RESTART_GAP = 2000  # logged steps between two records searched for where a restart happened
STRETCHES = (2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 24, 32, 48, 64)  # gradient-accumulation factors
MAX_LAG = 100_000  # steps a scheduler may fall behind the step counter (skipped optimizer steps)
MAX_HELD = 8  # logged intervals in a row, between two steady ones, where skipped steps are looked for
SKIPPED_SHARE = 0.1  # skipped steps are rare: at most this share of the steps where the lr moves
SKIPPED_CHUNK = 1_000_000  # records looked at for skipped steps at once


def tolerance(designed: np.ndarray, peak: float) -> np.ndarray:
    """The largest difference that still counts as a match at each step.

    >>> tolerance(np.array([1.0, 0.0]), peak=1.0).tolist()
    [1.1e-06, 1e-07]
    """
    return RTOL * np.abs(designed) + ATOL_OF_PEAK * abs(peak)


def relative_difference(logged: np.ndarray, designed: np.ndarray, peak: float) -> np.ndarray:
    """(logged − designed) / designed, measured against a hundredth of the peak where the design
    is below it (near 0 a tiny difference would read as a huge ratio).

    >>> relative_difference(np.array([1.1, 0.0, 0.001]), np.array([1.0, 0.0, 0.0]), peak=1.0).round(6).tolist()
    [0.1, 0.0, 0.1]
    """
    scale = np.maximum(np.abs(designed), RELATIVE_FLOOR * abs(peak))
    return (logged - designed) / scale


@dataclass(frozen=True)
class Warp:
    """Designed step t = factor · s + shift (factor 1/n: t = ⌊s / n⌋ + shift) for logged step s."""

    factor: float = 1.0
    shift: int = 0

    def __call__(self, steps: np.ndarray) -> np.ndarray:
        if self.factor < 1:
            return np.floor(steps * self.factor + 1e-9) + self.shift
        return steps * self.factor + self.shift


@dataclass(frozen=True)
class Convention:
    """Which step a writer's entry belongs to: the designed step is the logged one plus ``shift``.

    Shift 0 is the lr after s optimizer steps (the lr for the next step, as ``scheduler.get_last_lr()``
    reads right after ``scheduler.step()``); -1 the lr step s itself used.
    """

    shift: int
    sentence: str | None = None


TRAINER = "it follows the Trainer's convention"


def conventions(writer: str | None, unit: str, steps_per_epoch: int) -> tuple[Convention, ...]:
    """The conventions a writer is known to follow, the first one the default.

    >>> [c.shift for c in conventions("transformers.Trainer", "step", 1)]
    [0, -1]
    """
    if writer == "transformers.Trainer":
        return (
            Convention(0, f"{TRAINER} before transformers#36973: at step k, the lr for step k + 1"),
            Convention(-1, f"{TRAINER} since transformers#36973 (2025): at step k, the lr step k used"),
        )
    if writer == "keras" and unit == "epoch":  # only Keras's TensorBoard callback writes epoch_learning_rate
        return (
            Convention(
                steps_per_epoch,
                "it follows Keras's convention: each epoch's lr is written at its end, the lr for the next epoch",
            ),
        )
    return (Convention(0),)


@dataclass(frozen=True)
class Diagnosis:
    """A logged series against its design.

    Attributes:
      steps: the logged steps, as logged (epochs for an epoch-level series).
      design_steps: the same steps counted in optimizer steps of the design.
      logged, designed: the lr at each logged step.
      relative: (logged − designed) / designed at each step.
      matched: whether each step matches to float32 precision.
      findings: what went wrong, each ``{"type": …, <its numbers>, "sentence": …}``.
      convention: the writer's convention the log follows, in words (None for a writer of no
        known convention); design_steps already include its shift.
    """

    steps: np.ndarray
    design_steps: np.ndarray
    logged: np.ndarray
    designed: np.ndarray
    relative: np.ndarray
    matched: np.ndarray
    findings: list[dict] = field(default_factory=list)
    convention: str | None = None

    @property
    def match(self) -> bool:
        return bool(self.matched.all())

    @property
    def max_rel_error(self) -> float:
        return float(np.abs(self.relative).max()) if self.relative.size else 0.0

    @property
    def first_mismatch(self) -> int | None:
        """The first logged step that differs (as logged), None when all match."""
        return None if self.match else int(self.steps[np.argmin(self.matched)])

    @property
    def largest_mismatch(self) -> int | None:
        """The logged step where the relative difference is largest, None when all match."""
        return None if self.match else int(self.steps[np.argmax(np.abs(self.relative))])

    @property
    def first_defect(self) -> int | None:
        """Where the first finding locates what went wrong (a restart's step, the first lagged
        step), as logged; the first mismatch where it names no step (a scale, an offset from the
        start); None when all match.

        The largest difference of a restarted or lagging run lies at its end, far from its cause.
        """
        if self.match:
            return None
        defects = [finding for finding in self.findings if finding["type"] not in ("ends_early", "runs_past_end")]
        located = _located(defects[0]) if defects else None
        return self.first_mismatch if located is None else located

    def summary(self) -> dict:
        """The JSON-ready verdict: points, match, max_rel_error, first/largest mismatch, first defect, findings."""
        return {
            "points": int(self.steps.size),
            "match": self.match,
            "max_rel_error": self.max_rel_error,
            "first_mismatch": self.first_mismatch,
            "largest_mismatch": self.largest_mismatch,
            "first_defect": self.first_defect,
            "convention": self.convention,
            "findings": self.findings,
        }


def diagnose(steps, lr, schedule: Schedule, unit: str = "step", writer: str | None = None) -> Diagnosis:
    """Compare logged (steps, lr) with ``schedule``; ``unit`` "epoch" when steps count epochs.

    The design's epochs map onto logged steps through the schedule's steps_per_epoch. ``writer``
    (a :class:`~schedules.logs.Series`' writer) names the conventions the log may follow: the one
    that matches the most steps is taken, and a difference it explains is no finding.

    >>> from schedules import from_config
    >>> s = from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 10,
    ...                  "schedule": {"kind": "linear", "base_lr": 1.0, "total_epochs": 10}})
    >>> steps = np.arange(100)
    >>> diagnose(steps, s.lr(steps), s).match
    True
    >>> diagnose(steps, s.lr(steps + 1), s).findings[0]["sentence"]
    'the log is 1 step ahead: it records the lr for the next step'
    >>> diagnose(steps + 1, s.lr(steps), s, writer="transformers.Trainer").match
    True
    """
    steps = np.asarray(steps, dtype=np.int64)
    logged = np.asarray(lr, dtype=np.float64)
    base_steps = epochs_to_steps(steps, schedule.steps_per_epoch) if unit == "epoch" else steps
    peak = schedule.peak_lr
    choices = conventions(writer, unit, schedule.steps_per_epoch)
    best = None
    for convention in choices:
        design_steps = np.maximum(base_steps + convention.shift, 0)
        designed = schedule.lr(design_steps)
        matched = np.abs(logged - designed) <= tolerance(designed, peak)
        # The convention the log's start follows longest (every step, for a log that matches); the
        # writer's default on a tie. A log that differs cannot tell two conventions a step apart
        # for sure, and says so.
        prefix = int(np.argmin(matched)) if not matched.all() else matched.size + 1
        if best is None or prefix > best[0]:
            best = (prefix, convention, design_steps, designed, matched)
    _, convention, design_steps, designed, matched = best
    said = convention.sentence
    if said and not matched.all() and len(choices) > 1:
        said = f"{said} (assumed: a log that differs cannot tell the conventions apart)"
    diagnosis = Diagnosis(
        steps,
        design_steps,
        logged,
        designed,
        relative_difference(logged, designed, peak),
        matched,
        [],
        said,
    )
    if steps.size:
        span = schedule.steps_per_epoch if unit == "epoch" else 1  # the steps one logged record covers
        if not matched.all():  # explained on the logged steps, so every step a finding names is as logged
            shifted = _Shifted(schedule, int(design_steps[0] - base_steps[0]) if steps.size else 0)
            diagnosis.findings.extend(_explain(base_steps.astype(np.float64), logged, shifted, peak))
        diagnosis.findings.extend(_coverage(int(base_steps[-1]) + span - 1, schedule))
    return diagnosis


def epochs_to_steps(epochs: np.ndarray, steps_per_epoch: int) -> np.ndarray:
    """Logged epochs as the steps they start at; LogError past the engine's 10^15 steps (never a
    wrapped int64).

    >>> epochs_to_steps(np.array([0, 2]), 10).tolist()
    [0, 20]
    """
    if epochs.size and int(epochs.max()) > MAX_STEP // steps_per_epoch:
        raise LogError(
            f"the log's epoch {int(epochs.max()):,} × {steps_per_epoch:,} steps per epoch is past step 10^15"
        )
    return epochs * steps_per_epoch


# Findings ------------------------------------------------------------------------------------
def _located(finding: dict) -> int | None:
    """The logged step a finding places its defect at, None for one that names no step (a scale,
    a floor, an offset from the log's start)."""
    if finding["type"] == "skipped_steps":
        return int(finding["lags"][0][0])
    if finding["type"] in ("restart", "differs"):
        return int(finding["step"])
    if finding["type"] in ("offset", "stretch", "never_decays"):
        return finding.get("from_step")
    return None


class _Shifted:
    """A schedule read through a writer's convention: ``lr(s)`` is the design's lr at s + shift,
    its boundaries moved to match; everything else is the schedule's own."""

    def __init__(self, schedule: Schedule, shift: int):
        self.schedule, self.shift = schedule, shift
        self.boundaries = tuple(b - shift for b in schedule.boundaries)

    def lr(self, steps) -> np.ndarray:
        return self.schedule.lr(np.maximum(np.asarray(steps) + self.shift, 0))

    def __getattr__(self, name):
        return getattr(self.schedule, name)


def _explain(steps: np.ndarray, logged: np.ndarray, schedule: _Shifted, peak: float) -> list[dict]:
    """Findings for a log that differs: the variant of the design and the warps that explain it best."""
    if (never := _never_decays(steps, logged, schedule, peak)) is not None:
        return [never]  # no warp of a decaying design is a flat line: said before any is tried
    variants = [(schedule.lr, [])]
    ratio = _constant_ratio(steps, logged, schedule)
    if ratio is not None:
        variants.append((lambda t: ratio * schedule.lr(t), [_scale_finding(ratio)]))
    other = "epoch" if schedule.granularity == "step" else "step"
    flipped = _Shifted(
        Schedule(schedule.params | {"kind": schedule.kind.name}, schedule.steps_per_epoch, other), schedule.shift
    )
    variants.append((flipped.lr, [_granularity_finding(schedule.granularity, other)]))
    best = None
    for curve, variant_findings in variants:
        pieces, explained = _segments(steps, logged, curve, peak, schedule.steps_per_epoch)
        # Prefer the variant explaining the most steps; on a tie, fewer pieces (the simpler story).
        score = (explained, -len(pieces) - len(variant_findings))
        if best is None or score > best[0]:
            best = (score, pieces, variant_findings)
    (explained, _), pieces, variant_findings = best
    only_offsets = all(warp.factor == 1 for warp, _, _ in pieces) and len(pieces) > 1
    if explained < steps.size or only_offsets:
        lags, lag_explained = _lag_track(steps, logged, schedule.lr, peak)
        # A lag growing along the run explains every step: skipped steps, not a row of offsets.
        if lag_explained == steps.size and (len(lags) > 1 or (lags and explained < steps.size)):
            return [_lag_finding(lags)]
    findings = list(variant_findings) + _warp_findings(pieces, steps, schedule.steps_per_epoch)
    if explained < steps.size:
        start = int(steps[explained])
        findings += _shape_findings(steps, logged, schedule, peak, start)
    return findings


def _constant_ratio(steps, logged, schedule) -> float | None:
    """A factor that may scale the whole design onto the log: the median ratio of logged to
    designed when that is constant, else the ratio of the peaks; None when it is 1. The
    segmentation then decides whether the scaled design explains anything."""
    designed = schedule.lr(steps)
    usable = np.abs(designed) > 0
    if not usable.any():
        return None
    ratios = logged[usable] / designed[usable]
    ratio = float(np.median(ratios))
    if not np.allclose(ratios, ratio, rtol=10 * RTOL, atol=0):
        ratio = float(logged.max() / designed.max())
    return None if abs(ratio - 1) <= 10 * RTOL else ratio


def _segments(steps, logged, curve, peak: float, steps_per_epoch: int):
    """[(warp, first index, end index)] covering the log from its start, and how far they reach.

    A piece that stops before the log's end must hold MIN_PIECE records, or a quarter of a short
    log's (a checkpoint logged every few steps holds a handful)."""
    pieces, start = [], 0
    shortest = min(MIN_PIECE, max(3, steps.size // 4))
    while start < steps.size:
        warp, end = _longest_run(steps, logged, curve, peak, start, pieces[-1][0] if pieces else None, steps_per_epoch)
        if end <= start or (end < steps.size and (end - start < shortest or len(pieces) + 1 >= MAX_PIECES)):
            break
        pieces.append((warp, start, end))
        start = end
    return pieces, start


def _candidates(first_step: float, previous_step: float | None, previous: Warp | None, steps_per_epoch: int):
    """Warps to try from ``first_step`` on (the last logged step before it: ``previous_step``), simplest first."""
    offsets = [k for d in range(1, MAX_OFFSET + 1) for k in (d, -d)]
    if steps_per_epoch > MAX_OFFSET:
        offsets += [steps_per_epoch, -steps_per_epoch]
    factor = previous.factor if previous else 1.0
    warps = [previous] if previous else [Warp()]
    warps += [Warp(factor, (previous.shift if previous else 0) + k) for k in offsets]
    # The counter restarted at some step r between the last logged step and this one (a resume
    # that rebuilt the scheduler): t = factor · (s − r), give or take a step.
    gap = int(first_step - previous_step) if previous_step is not None else 0
    for restart in range(int(first_step), int(first_step) - min(gap, MAX_RESTART_GAP), -1):
        warps += [Warp(factor, int(round(-factor * restart)) + k) for k in (0, 1, -1)]
    for n in STRETCHES:
        warps += [Warp(n, 0), Warp(n, n - 1), Warp(n, n), Warp(1 / n, 0)]
        if first_step > 0:
            warps += [Warp(n, int(-n * first_step)), Warp(1 / n, -int(first_step // n))]
    return list(dict.fromkeys(warps))  # each once, in order (a Warp is hashable)


def _longest_run(steps, logged, curve, peak, start, previous, steps_per_epoch):
    """The candidate warp matching the longest run of steps from ``start``, and where that run ends."""

    def matches(warp, lo, hi):
        designed = curve(np.maximum(warp(steps[lo:hi]), 0.0))
        return np.abs(logged[lo:hi] - designed) <= tolerance(designed, peak)

    def run_end(warp):
        lo, width = start, 64
        while lo < steps.size:
            hi = min(lo + width, steps.size)
            ok = matches(warp, lo, hi)
            if not ok.all():
                return lo + int(np.argmin(ok))
            lo, width = hi, width * 4
        return steps.size

    best, best_end = None, start
    previous_step = float(steps[start - 1]) if start else None
    for warp in _candidates(float(steps[start]), previous_step, previous, steps_per_epoch):
        if best is not None and (best_end >= steps.size or not matches(warp, best_end, best_end + 1).all()):
            continue  # it cannot reach further than the best so far
        end = run_end(warp)
        if end > best_end:
            best, best_end = warp, end
    return best, best_end


def _never_decays(steps, logged, schedule: _Shifted, peak: float) -> dict | None:
    """The lr holds still from the decay's start to the log's end while the design falls (a
    constant scheduler, such as DeepSpeed's WarmupLR, in place of the designed one)."""
    decaying = steps >= schedule.boundaries[1]
    if decaying.sum() < 3:
        return None
    designed, held = schedule.lr(steps[decaying]), logged[decaying]
    flat = float(np.ptp(held)) <= tolerance(np.array([held.max()]), peak)[0]
    at_peak = held[0] >= 0.99 * designed[0]  # held where the decay should start, not at a floor reached early
    if not (flat and at_peak) or float(designed.min()) >= float(designed.max()) * 0.99:
        return None
    first = int(steps[decaying][0])
    return {
        "type": "never_decays",
        "lr": float(held[0]),
        "from_step": first,
        "sentence": (
            f"the lr never decays: it stays at {held[0]:.6g} from step {first:,} to the log's end at step "
            f"{int(steps[-1]):,}, where the design falls to {designed[-1]:.6g}: a constant schedule (e.g. "
            f"DeepSpeed's WarmupLR) in place of the designed {schedule.kind.name}?"
        ),
    }


def _lag_track(steps, logged, curve, peak: float) -> tuple[list[tuple[int, int]], int]:
    """[(logged step, lag)] where the log reads the design ``lag`` steps late, the lag never
    shrinking and growing by at most the steps between two records; and how far it explains.

    This is what skipped optimizer steps leave: a mixed-precision loss scaler skips a step whose
    gradients overflowed, the scheduler is not stepped, and from then on the lr lags the step
    counter by one more step. Each stretch under one lag is checked at once; a new lag is looked
    for only where the current one stops matching.
    """

    def matches(lag: int, lo: int, hi: int) -> np.ndarray:
        designed = curve(np.maximum(steps[lo:hi] - lag, 0.0))
        return np.abs(logged[lo:hi] - designed) <= tolerance(designed, peak)

    lags: list[tuple[int, int]] = []
    lag, index = 0, 0
    while index < steps.size:
        lo, width = index, 64
        while lo < steps.size:
            hi = min(lo + width, steps.size)
            ok = matches(lag, lo, hi)
            if not ok.all():
                lo += int(np.argmin(ok))
                break
            lo, width = hi, width * 4
        if lo >= steps.size:
            return lags, steps.size
        gap = int(steps[lo] - steps[lo - 1]) if lo else int(steps[0]) + 1
        candidates = np.arange(lag + 1, min(lag + max(gap, 1), MAX_LAG) + 1)
        if candidates.size == 0:
            return lags, lo
        designed = curve(np.maximum(steps[lo] - candidates, 0.0))
        hit = np.abs(logged[lo] - designed) <= tolerance(designed, peak)
        if not hit.any():
            return lags, lo
        lag = int(candidates[np.argmax(hit)])
        lags.append((int(steps[lo]), lag))
        index = lo
    return lags, steps.size


def _lag_finding(lags: list[tuple[int, int]]) -> dict:
    shown = [f"{plural(lags[0][1], 'step')} from step {lags[0][0]:,}"]
    shown += [f"{lag:,} from step {step:,}" for step, lag in lags[1:]]
    if len(shown) > 4:
        shown = [*shown[:3], f"… ({len(lags) - 4:,} more changes)", shown[-1]]
    return {
        "type": "skipped_steps",
        "lags": [[step, lag] for step, lag in lags],
        "sentence": (
            f"the scheduler lags the step counter by {listed(shown)}: optimizer steps skipped by a mixed-precision "
            "loss scaler do not step the scheduler (Hugging Face Trainer, PyTorch GradScaler)"
        ),
    }


def _warp_findings(pieces, steps: np.ndarray, steps_per_epoch: int) -> list[dict]:
    findings = []
    for number, (warp, first, _) in enumerate(pieces):
        previous = pieces[number - 1][0] if number else Warp()
        at = int(steps[first])
        if warp.factor != previous.factor:
            findings.append(_stretch_finding(warp.factor, at))
        if number and warp.shift != previous.shift:
            # The counter fell back to where the previous piece's offset would put step 0.
            same = warp.factor == previous.factor
            restart_step = ((previous.shift if same else 0) - warp.shift) / warp.factor if warp.factor >= 1 else None
            previous_step = int(steps[first - 1])
            restart = restart_step is not None and previous_step - MAX_OFFSET < restart_step <= at + MAX_OFFSET
            if restart or warp.factor != previous.factor:
                findings.append(_restart_finding(int(round(restart_step)) if restart else at, restart))
            else:
                findings.append(_offset_finding(warp.shift, steps_per_epoch, at))
        elif not number and warp.shift != 0 and warp.factor == 1:
            findings.append(_offset_finding(warp.shift, steps_per_epoch, None))
    return findings


def _shape_findings(steps, logged, schedule: Schedule, peak: float, start: int) -> list[dict]:
    """Where no warp explains the log from ``start`` on: its floor, peak and warm-up against the design."""
    findings = []
    logged_peak = float(logged.max())
    if abs(logged_peak - schedule.peak_lr) > tolerance(np.array([schedule.peak_lr]), peak)[0]:
        findings.append(
            {
                "type": "peak",
                "logged": logged_peak,
                "designed": schedule.peak_lr,
                "sentence": f"the peak lr is {logged_peak:.6g}, designed {schedule.peak_lr:.6g}",
            }
        )
    decaying = steps >= schedule.boundaries[1]  # the warm-up's start is no floor
    decaying = decaying if decaying.any() else np.ones_like(decaying)
    designed_after = schedule.lr(steps[decaying])
    logged_after = logged[decaying]
    designed_low = float(designed_after.min())
    logged_low = float(logged_after.min())
    if (
        schedule.kind.name != "constant"
        and abs(logged_low - designed_low) > tolerance(np.array([designed_low]), peak)[0]
    ):
        findings.append(
            {
                "type": "floor",
                "logged": logged_low,
                "designed": designed_low,
                "sentence": (
                    f"the lowest lr is {logged_low:.6g}, designed {designed_low:.6g}: a different floor (epsilon)?"
                ),
            }
        )
    if "warmup_epochs" in schedule.kind.common:
        # Both read on the logged steps: a sparse log sees the peak only at its first record after it.
        designed_curve = schedule.lr(steps)
        reached = int(steps[np.argmax(logged >= logged_peak * (1 - RTOL))])
        designed_reached = int(steps[np.argmax(designed_curve >= designed_curve.max() * (1 - RTOL))])
        if reached != designed_reached and reached < steps[-1]:
            findings.append(
                {
                    "type": "warmup",
                    "logged_steps": reached,
                    "designed_steps": schedule.warmup_steps,
                    "sentence": (
                        f"the lr first reaches its peak at step {reached:,}, the design at step {designed_reached:,} "
                        f"(a warm-up of {schedule.warmup_steps:,} steps)"
                    ),
                }
            )
    if not findings:
        findings.append(
            {
                "type": "differs",
                "step": start,
                "sentence": f"the lr differs from the design from step {start:,} on, in no pattern recognised",
            }
        )
    return findings


def _coverage(last: int, schedule: Schedule) -> list[dict]:
    """Whether the log stops before the schedule's end or runs past it; ``last``: the last step it covers."""
    total = schedule.total_steps
    if last < total - 1:
        return [
            {
                "type": "ends_early",
                "step": last,
                "total_steps": total,
                "sentence": f"the log ends at step {last:,}, before the schedule's end at step {total:,}",
            }
        ]
    if last > total:
        return [
            {
                "type": "runs_past_end",
                "step": total,
                "last_step": last,
                "sentence": (
                    f"the run goes on to step {last:,}, past the schedule's end at step {total:,}: "
                    "its lr stays at the final value"
                ),
            }
        ]
    return []


# Without a design ----------------------------------------------------------------------------
def skipped_in_log(steps, lr, unit: str = "step") -> dict | None:
    """Optimizer steps the scheduler missed, read off the log alone: where the lr moves steadily on
    both sides of a stretch and across it by whole steps less; None where the log shows none.

    A mixed-precision loss scaler skips a step whose gradients overflowed, and the scheduler is not
    stepped: the lr holds still for that step while the counter moves on. Two signs of it:

    - logged every step: the lr holds still for a step or a few between steps where it moves the
      same way by comparable amounts (any smooth shape);
    - logged every few steps: the lr moves at one rate per step before and after (a linear warm-up
      or decay), and across the stretch by a whole number of steps' worth less.

    What the log does not show is not said: steps skipped before its second record, inside a
    curved stretch logged every few steps, or in an epoch-level log.

    >>> steps = np.arange(30)
    >>> lr = 1.0 - 0.01 * np.where(steps < 12, steps, steps - 1)  # step 11's lr held at step 12
    >>> skipped_in_log(steps, lr)["skipped"]
    [[12, 1]]
    """
    steps = np.asarray(steps, dtype=np.float64)
    lr = np.asarray(lr, dtype=np.float64)
    if unit == "epoch" or steps.size < 4 or not np.isfinite(lr).all():
        return None
    if (np.diff(steps) < 0).any():
        order = np.argsort(steps, kind="stable")
        steps, lr = steps[order], lr[order]
    missed: dict[int, int] = {}
    turns = moving_count = 0
    moving_steps = 0.0
    # A chunk of records at a time, each reaching MAX_HELD + 2 records into the next: memory stays
    # bounded at 10^7 records, and every stretch is seen whole by one chunk.
    for start in range(0, steps.size - 1, SKIPPED_CHUNK):
        part = slice(start, min(start + SKIPPED_CHUNK + MAX_HELD + 3, steps.size))
        gaps, moves = np.diff(steps[part]), np.diff(lr[part])
        noise = 2 * RTOL * np.maximum(np.abs(lr[part][:-1]), np.abs(lr[part][1:]))  # float32 precision of a move
        moving = (gaps > 0) & (np.abs(moves) > 10 * noise)
        own = slice(0, min(SKIPPED_CHUNK, moves.size))  # the intervals this chunk counts
        directions = np.sign(moves[own][moving[own]])
        turns += int(np.count_nonzero(directions[1:] != directions[:-1]))
        moving_count += directions.size
        moving_steps += float(gaps[own][moving[own]].sum())
        for index, count in (
            _held_steps(gaps, moves, noise, moving) | _short_stretches(gaps, moves, noise, moving)
        ).items():
            missed[start + index] = count
    if turns > SKIPPED_SHARE * moving_count:
        return None  # the lr turns too often for a schedule: noise, or a log of something else
    total = sum(missed.values())
    if not missed or total > SKIPPED_SHARE * moving_steps:
        return None  # a staircase, not a smooth schedule that paused now and then
    places = []  # [first step, last step, steps missed]: adjacent intervals said as one place
    for index, count in sorted(missed.items()):
        if places and places[-1][1] == steps[index]:
            places[-1][1:] = [int(steps[index + 1]), places[-1][2] + count]
        else:
            places.append([int(steps[index]), int(steps[index + 1]), count])
    skipped = [[int(steps[index + 1]), count] for index, count in sorted(missed.items())]
    return _skipped_finding(skipped, places)


def lag_at_first_record(steps, lr) -> int:
    """Scheduler steps the log is behind its counter at its first record, as a linear warm-up from
    0 shows it: the records before the highest one, read off their line through 0 at step 0 (as
    :func:`lags_on_straight_lines` reads them), the first one's lag. 0 where the log does not show
    it (fewer than three records before the highest, not on such a line).

    >>> steps = np.arange(25, 300, 25)
    >>> lag_at_first_record(steps, 1e-5 * np.minimum(steps - 2, 500) / 500)
    2
    """
    s = np.asarray(steps, dtype=np.float64)
    y = np.asarray(lr, dtype=np.float64)
    if s.size < 4 or not np.isfinite(y).all():
        return 0
    top = int(np.argmax(y))
    lags = np.full(top, np.nan)
    if top < 3 or (np.diff(s[: top + 1]) <= 0).any() or _line_through(s[:top], y[:top], 0.0, lags) is None:
        return 0
    return int(lags[0])


# Records read off the lines at most: a few arrays of them at once, 16 MB at this size. Logs of
# mixed-precision runs that skip steps are written every few steps (a few thousand records);
# longer ones are left to skipped_in_log, which reads any length a chunk at a time.
LINE_RECORDS = 200_000


def lags_on_straight_lines(steps, lr, total: float | None = None) -> np.ndarray | None:
    """Per record, how many steps the scheduler is behind the counter, read off a linear warm-up
    from 0 and a linear decay to 0 at ``total`` (the file's stated max_steps), the shape of
    Hugging Face's default schedule: each record's lr, divided by its line's slope per step, is
    the scheduler's own step, whatever steps were skipped before it — the first record too.

    A line holds where the lags so read are whole numbers that never decrease. The records before
    the highest one are on the warm-up's line, those after it on the decay's; the highest one on
    whichever gives it a lag between its neighbours' (with one record before it, on the warm-up's;
    with fewer than three, the warm-up's line is read only where the decay's runs to the total). None unless every
    record is read so (a curved shape, a warm-up from above 0, a total not stated), and for a log
    of fewer than 5 records or more than LINE_RECORDS.

    >>> steps = np.arange(25, 1001, 25)
    >>> behind = np.where(steps < 300, 2, 3)  # 2 steps skipped before the first record, 1 more at 300
    >>> lr = 1e-5 * np.minimum((steps - behind) / 500, (1000 - steps + behind) / 500)
    >>> lags_on_straight_lines(steps, lr, total=1000)[[0, 10, 11, 39]].tolist()
    [2, 2, 3, 3]
    """
    if not 5 <= np.size(steps) <= LINE_RECORDS:
        return None
    s = np.asarray(steps, dtype=np.float64)
    y = np.asarray(lr, dtype=np.float64)
    if (np.diff(s) <= 0).any() or not np.isfinite(y).all() or y.max() <= 0:
        return None
    top = int(np.argmax(y))
    lines = []  # (anchor, slope) of each line the records hold to
    lags = np.full(s.size, np.nan)
    # The warm-up's records, before the highest; in a log of a handful with the decay's line held
    # to a stated total, two records and step 0 make the line's test (one before the highest: it too).
    rising = top if top >= 3 else 2 if top >= 1 and total is not None else 0
    if rising:
        lines.append(_line_through(s[:rising], y[:rising], anchor=0.0, lags=lags[:rising]))
    if total is not None:  # the decay's, after it, down to the first record at 0
        after = np.arange(top + (top > 0), s.size)
        after = after[y[after] > 0]
        if after.size >= 3:
            part = np.full(after.size, np.nan)
            lines.append(_line_through(s[after], y[after], anchor=float(total), lags=part))
            lags[after] = part
    lines = [line for line in lines if line is not None]
    unread = np.flatnonzero(np.isnan(lags))
    if ((unread != top) & ((unread < top) | (y[unread] > 0))).any():
        return None  # a record on neither line
    for index in unread:  # the highest record; records at 0 past the end
        before = lags[index - 1] if index > 0 else 0.0
        on = [float(_whole_lags(s[index], y[index], *line)) for line in lines]
        fitting = [lag for lag in on if lag >= before]  # NaN compares false
        lags[index] = min(fitting) if fitting else before
    if np.isnan(lags).any() or (np.diff(lags) < 0).any() or not lags.any():
        return None
    return lags.astype(np.int64)


def _line_through(s: np.ndarray, y: np.ndarray, anchor: float, lags: np.ndarray) -> tuple[float, float] | None:
    """(anchor, slope) of the line through 0 at ``anchor`` (a rise from step 0, or a fall to the
    total) that every record holds to with a whole lag never decreasing, its slope the median of
    the records' step-to-step moves; their lags written into ``lags``. None if they do not."""
    slope = float(np.median(np.diff(y) / np.diff(s)))
    if slope == 0 or np.sign(slope) != (1 if anchor == 0 else -1):
        return None
    read = _whole_lags(s, y, anchor, slope)
    if np.isnan(read).any() or (np.diff(read) < 0).any():
        return None
    lags[:] = read
    return anchor, slope


def _whole_lags(step, value, anchor: float, slope: float) -> np.ndarray:
    """Steps from the scheduler's own step (where the line has ``value``) to ``step``, where whole
    and not negative to float32 logging precision; NaN elsewhere."""
    own = anchor + np.asarray(value, dtype=np.float64) / slope
    lag = np.asarray(step, dtype=np.float64) - own
    whole = np.round(lag)
    return np.where((whole >= 0) & (np.abs(lag - whole) <= 0.05 + 4 * RTOL * np.abs(own)), whole, np.nan)


def ends_a_fraction_in(steps, lr, schedule: Schedule) -> dict | None:
    """A schedule fitted to the whole log that ends a whole fraction 1/n of the way into it, the
    lr moving up to its end and holding still after it to the log's last record: stepped n times
    per optimizer step, as a scheduler stepped per micro-batch under gradient accumulation n is.

    >>> from schedules import from_config
    >>> fitted = from_config({"format": "lr-schedule", "version": 1, "steps_per_epoch": 1,
    ...                       "schedule": {"kind": "linear", "base_lr": 1.0, "total_epochs": 10}})
    >>> steps = np.arange(1, 41)
    >>> ends_a_fraction_in(steps, fitted.lr(steps), fitted)["factor"]
    4.0
    """
    steps = np.asarray(steps, dtype=np.int64)
    lr = np.asarray(lr, dtype=np.float64)
    end, last = schedule.total_steps, int(steps.max()) if steps.size else 0
    after = steps >= end
    if after.sum() < 2 or after.all() or end < 2:
        return None
    final = float(schedule.lr(np.array([end]))[0])
    before_end = lr[~after][np.argmax(steps[~after])]  # the last record before the end
    noise = tolerance(np.array([final]), schedule.peak_lr)[0]
    if abs(before_end - final) <= noise or np.ptp(lr[after]) > noise:
        return None  # the lr does not move up to the end, or does not hold still after it
    factor = round(last / end)
    if factor < 2 or abs(last - factor * end) > max(1, 0.02 * factor * end):
        return None
    return {
        "type": "stretch",
        "factor": float(factor),
        "from_step": int(steps.min()),
        "sentence": (
            f"the schedule ends at step {end:,} and the log goes on at its final lr to step {last:,}, "
            f"{factor}× as far: was the scheduler stepped per micro-batch, e.g. gradient accumulation {factor}?"
        ),
    }


def _held_steps(gaps, moves, noise, moving) -> dict[int, int]:
    """{interval: 1} for each step the lr holds still, logged every step, between two steps where it
    moves the same way by comparable amounts (neither twice the other)."""
    held = (gaps == 1) & (np.abs(moves) <= noise)
    edges = np.diff(np.concatenate([[0], held.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # ends: the first interval after
    keep = (ends - starts <= MAX_HELD) & (starts > 0) & (ends < moves.size)
    starts, ends = starts[keep], ends[keep]
    before, after = starts - 1, ends
    ratio = np.abs(moves[after]) / np.maximum(np.abs(moves[before]), np.finfo(float).tiny)
    steady = (
        moving[before]
        & moving[after]
        & (gaps[before] == 1)
        & (gaps[after] == 1)
        & (np.sign(moves[before]) == np.sign(moves[after]))
        & (ratio >= 0.5)
        & (ratio <= 2)
    )
    pairs = zip(starts[steady], ends[steady], strict=True)
    return {int(index): 1 for start, end in pairs for index in range(start, end)}


def _short_stretches(gaps, moves, noise, moving) -> dict[int, int]:
    """{interval: steps} for up to MAX_HELD logged intervals in a row, each moving a whole number
    of steps' worth less than the rate per step the lr keeps on both sides of them; at least three
    intervals at that rate, so the rate is one (a curved schedule's rate changes at every record)."""
    count = moves.size
    spans = np.where(gaps > 0, gaps, 1.0)
    rate = moves / spans
    # One step's worth of the rate is well above the precision, so a whole step is told from noise.
    steady = moving & (np.abs(rate) > 10 * noise)
    sure_rate = np.where(steady, rate, 1.0)

    def at_rate(first: np.ndarray, other: np.ndarray) -> np.ndarray:
        """Whether interval ``other`` moves at ``first``'s rate per step."""
        allowed = noise[other] + noise[first] * spans[other] / spans[first]
        return steady[other] & (np.abs(moves[other] - rate[first] * gaps[other]) <= allowed)

    def missed(first: np.ndarray, inside: np.ndarray) -> np.ndarray:
        """The whole steps ``inside`` moves less than ``first``'s rate, 0 where it is not whole."""
        whole = np.round(gaps[inside] - moves[inside] / sure_rate[first])
        exact = np.abs(moves[inside] - rate[first] * (gaps[inside] - whole)) <= noise[inside] + noise[first]
        return np.where(exact & (whole >= 1) & (whole <= gaps[inside]), whole, 0)

    index = np.arange(count)
    same_as_next = np.zeros(count, dtype=bool)
    same_as_next[:-1] = steady[:-1] & at_rate(index[:-1], index[1:])
    same_as_previous = np.concatenate([[False], same_as_next[:-1]])
    found: dict[int, int] = {}
    short = steady  # [a]: interval a is steady and the ones after it so far each move whole steps less
    for width in range(1, MAX_HELD + 1):
        first = index[: max(count - width - 1, 0)]
        short = short[: first.size] & (missed(first, first + width) > 0)
        if not short.any():
            break
        last = first + width + 1
        ends = short & at_rate(first, last) & (same_as_previous[first] | same_as_next[last])
        for start in first[ends]:
            inside = np.arange(start + 1, start + width + 1)
            found |= dict(zip(inside.tolist(), missed(np.full(width, start), inside).astype(int).tolist(), strict=True))
    return found


def skipped_from_lags(steps, lags) -> dict | None:
    """The skipped-steps finding of a lag profile (see :func:`lags_on_straight_lines`): where the
    lag grows between two records; None where it never does."""
    steps, lags = np.asarray(steps), np.asarray(lags)
    grows = np.flatnonzero(np.diff(lags) > 0) + 1
    if grows.size == 0:
        return None
    counts = [int(lags[i] - lags[i - 1]) for i in grows]
    skipped = [[int(steps[i]), count] for i, count in zip(grows, counts, strict=True)]
    places = [[int(steps[i - 1]), int(steps[i]), count] for i, count in zip(grows, counts, strict=True)]
    return _skipped_finding(skipped, places)


def behind_from_the_start(lag: int) -> dict:
    """The skipped-steps finding of a log whose lr lags its course by ``lag`` steps from its first
    record on, and never falls further behind: all of them skipped before it.

    >>> behind_from_the_start(2)["sentence"].split(":")[0]
    'the lr is 2 steps behind its course from the first record on'
    """
    return {
        "type": "skipped_steps",
        "skipped": [],
        "total": 0,
        "sentence": (
            f"the lr is {plural(lag, 'step')} behind its course from the first record on: optimizer steps skipped "
            "by a mixed-precision loss scaler before it?"
        ),
    }


def _skipped_finding(skipped: list[list[int]], places: list[list[int]]) -> dict:
    """``skipped``: [logged step, steps missed] at each record that falls further behind;
    ``places``: [step before, step after, steps missed] for people."""
    total = sum(count for _, count in skipped)
    shown = [
        f"{plural(count, 'step') if number == 0 else f'{count:,} more'} between steps {before:,} and {after:,}"
        for number, (before, after, count) in enumerate(places)
    ]
    if len(shown) > 4:
        shown = [*shown[:3], f"… ({plural(len(shown) - 4, 'more place')})", shown[-1]]
    return {
        "type": "skipped_steps",
        "skipped": skipped,
        "total": total,
        "sentence": (
            f"the lr falls {plural(total, 'step')} behind its steady course, by {listed(shown)}: optimizer steps "
            "skipped by a mixed-precision loss scaler, which do not step the scheduler?"
        ),
    }


# Sentences -----------------------------------------------------------------------------------
def plural(count: int, word: str) -> str:
    """``count`` ``word``s, the word singular for one: "1 step", "2,400 steps"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def listed(words: list[str]) -> str:
    """Words joined as a person lists them: "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _offset_finding(shift: int, steps_per_epoch: int, at: int | None) -> dict:
    ahead = "ahead" if shift > 0 else "behind"
    size = abs(shift)
    amount = plural(size, "step") + (" (one epoch)" if size == steps_per_epoch and size > 1 else "")
    why = "it records the lr for the next step" if shift > 0 else "it records the lr of an earlier step"
    where = f" from step {at:,} on" if at is not None else ""
    finding = {"type": "offset", "steps": int(shift), "sentence": f"the log is {amount} {ahead}{where}: {why}"}
    if at is not None:
        finding["from_step"] = at
    return finding


def _stretch_finding(factor: float, at: int) -> dict:
    where = f" from step {at:,} on" if at else ""
    if factor > 1:
        sentence = (
            f"the schedule runs {factor:.2f}× faster than designed{where}: was the total counted in micro-batches, "
            f"e.g. gradient accumulation {factor:g}?"
        )
    else:
        slower = 1 / factor
        sentence = (
            f"the schedule runs {slower:.2f}× slower than designed{where}: is the scheduler stepped once every "
            f"{slower:g} optimizer steps?"
        )
    return {"type": "stretch", "factor": float(factor), "from_step": int(at), "sentence": sentence}


def _restart_finding(step: int, restart: bool) -> dict:
    if restart:
        sentence = f"the schedule restarted at step {step:,}: a resume that did not restore the scheduler's state?"
    else:
        sentence = f"the schedule jumps at step {step:,}"
    return {"type": "restart", "step": int(step), "sentence": sentence}


def _scale_finding(ratio: float) -> dict:
    return {
        "type": "scale",
        "factor": ratio,
        "sentence": (
            f"every logged lr is {ratio:.4g}× the designed one: a different base lr, or lr scaled by batch size?"
        ),
    }


def _granularity_finding(designed: str, logged: str) -> dict:
    per = {"step": "every step", "epoch": "once per epoch"}
    return {
        "type": "granularity",
        "logged": logged,
        "designed": designed,
        "sentence": f"the lr changes {per[logged]}, designed to change {per[designed]}",
    }
