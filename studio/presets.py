"""Named starting points: well-known schedules as v1 documents, ready to fill the controls."""

from __future__ import annotations

from schedules import Schedule, from_config, make_document


def _doc(steps_per_epoch: int, **schedule) -> dict:
    return make_document(schedule, steps_per_epoch)


PRESETS: dict[str, dict] = {
    "Cosine with warm-up, hold and epsilon": _doc(
        100, kind="cosine", base_lr=0.01, total_epochs=100, warmup_epochs=5, hold_epochs=10, epsilon=1e-6
    ),
    "Keras CosineDecay with warm-up": _doc(100, kind="cosine", base_lr=0.1, total_epochs=90, warmup_epochs=5),
    "Hugging Face linear with warm-up": _doc(1000, kind="linear", base_lr=5e-5, total_epochs=3, warmup_epochs=0.3),
    "Warm-up–stable–decay (WSD)": _doc(
        1000, kind="one_minus_sqrt", base_lr=3e-4, total_epochs=100, warmup_epochs=2, hold_epochs=78
    ),
    "SGDR warm restarts": _doc(
        100, kind="cosine_restarts", base_lr=0.1, total_epochs=150, first_cycle_epochs=10, cycle_mult=2.0, epsilon=1e-4
    ),
    "1cycle": _doc(100, kind="one_cycle", base_lr=0.1, total_epochs=30, pct_start=0.3, div_factor=25.0),
    "Transformer inverse square root": _doc(
        1000, kind="inverse_sqrt", base_lr=1e-3, total_epochs=100, warmup_epochs=4, timescale_epochs=4
    ),
    "ResNet step decay (×0.1 at 30/60/80)": _doc(
        5005, kind="multistep", base_lr=0.1, total_epochs=90, milestones_epochs=[30, 60, 80], gamma=0.1
    ),
    "Cyclical (triangular)": _doc(100, kind="cyclic", base_lr=1e-4, max_lr=6e-3, total_epochs=40, cycle_up_epochs=4),
}


def preset(name: str):
    """The schedule a preset names (KeyError for an unknown name)."""
    return from_config(PRESETS[name])


def left_note(name: str | None, schedule: Schedule | None) -> str | None:
    """The sentence under the preset's select once the design is no longer the preset it names
    (``schedule`` None: the controls hold an invalid setting); None while it still is.

    >>> left_note("1cycle", preset("1cycle")) is None
    True
    >>> left_note("1cycle", preset("Cyclical (triangular)"))
    'Changed since chosen: no longer the preset "1cycle".'
    """
    if name not in PRESETS or schedule == preset(name):
        return None
    return f'Changed since chosen: no longer the preset "{name}".'
