"""The Designer's whole link: the schedule's fields (``studio.share``) plus the studio's own view
settings — the step-decay baseline, the log scale, the overlay and the x-axis's unit — under a
``studio.`` prefix.

    ?kind=cosine&base_lr=0.01&…&studio.baseline_drop=0.5&studio.baseline_epochs_per_drop=20.0
     &studio.log_scale=false&studio.overlay=false&studio.x_unit=samples

The baseline's drop and period are there only when the user set their own: without them, a link
holding the view shows the baseline scaled to the schedule (an older link always held them, 0.1
and 30 by default, and keeps them).

The exported JSON stays a plain v1 document (the engine accepts no other keys); only the link
carries the view. A link is untrusted: every value is checked and a bad one raises ConfigError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schedules import KINDS, ConfigError, Schedule
from schedules.fields import Choice, Flag, show
from studio import share
from studio.figures import X_UNITS

PREFIX = "studio."
VIEW_KEYS = ("baseline_drop", "baseline_epochs_per_drop", "log_scale", "overlay", "x_unit")
OWN_BASELINE = ("baseline_drop", "baseline_epochs_per_drop")  # written only when not scaled
# Written only when it differs, so the default view's link reads as it did before the setting.
VIEW_DEFAULTS = {"x_unit": "epochs"}
# The baseline's rules are the step kind's own: drop in (0, 1], epochs per drop > 0.
VIEW_RULES = {
    "baseline_drop": KINDS["step"].fields[0].rule,
    "baseline_epochs_per_drop": KINDS["step"].fields[1].rule,
    "log_scale": Flag(),
    "overlay": Flag(),
    "x_unit": Choice(X_UNITS),
}


def to_link(schedule: Schedule, view: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters for ``schedule`` and the view settings in ``view`` (keys of VIEW_KEYS, and
    ``baseline_scaled``: when true, the baseline's drop and period stay out of the link).

    >>> from studio import presets
    >>> to_link(presets.preset("1cycle"), {"log_scale": True, "overlay": False, "baseline_drop": 0.1,
    ...         "baseline_epochs_per_drop": 30.0})["studio.log_scale"]
    'true'
    """
    params = share.to_query(schedule)
    for key in VIEW_KEYS:
        if key in OWN_BASELINE and view.get("baseline_scaled"):
            continue
        value = view.get(key, VIEW_DEFAULTS.get(key))
        if key in VIEW_DEFAULTS and value == VIEW_DEFAULTS[key]:
            continue
        if isinstance(value, bool):
            params[PREFIX + key] = "true" if value else "false"
        else:
            params[PREFIX + key] = value if isinstance(value, str) else repr(float(value))
    return params


def from_link(params: Mapping[str, Any]) -> tuple[Schedule, dict[str, Any]]:
    """The schedule and the view settings a link holds; ConfigError naming the first bad field.

    A link without view settings (an older one) gives no view settings: the controls keep theirs.
    One with view settings says whether the baseline is scaled: it is, unless its drop or period
    is there.
    """
    values = share.query_values(params)
    view_params = {key: values.pop(key) for key in list(values) if str(key).startswith(PREFIX)}
    schedule = share.from_query(values)
    view = {}
    for key, text in view_params.items():
        name = key[len(PREFIX) :]
        if name not in VIEW_RULES:
            raise ConfigError("studio", f"the link holds an unknown view setting {show(name)}")
        view[name] = VIEW_RULES[name](key, share.parse_value(key, text, VIEW_RULES[name]))
    if view:
        view["baseline_scaled"] = not any(name in view for name in OWN_BASELINE)
    return schedule, view
