"""The catalog: every schedule kind, one module each, with its formula, turns, checks, peers and
what the fit knows of it, side by side. :data:`KINDS` lists them in the order people see them.

Adding a kind is local: a module with its formula's builder and one :class:`Kind`, listed below.
"""

from schedules.kinds.constant import CONSTANT
from schedules.kinds.cosine import COSINE
from schedules.kinds.cosine_from_start import COSINE_FROM_START
from schedules.kinds.cosine_restarts import COSINE_RESTARTS
from schedules.kinds.cyclic import CYCLIC
from schedules.kinds.exponential import EXPONENTIAL
from schedules.kinds.inverse_sqrt import INVERSE_SQRT
from schedules.kinds.inverse_time import INVERSE_TIME
from schedules.kinds.kind import (
    COMMON_FIELDS,
    COMMON_NAMES,
    Decay,
    Fitting,
    Kind,
    TurnSequence,
    Values,
    progress,
    whole_periods,
)
from schedules.kinds.linear import LINEAR
from schedules.kinds.multistep import MULTISTEP
from schedules.kinds.one_cycle import ONE_CYCLE
from schedules.kinds.one_minus_sqrt import ONE_MINUS_SQRT
from schedules.kinds.polynomial import POLYNOMIAL
from schedules.kinds.step import STEP

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        COSINE,
        STEP,
        CONSTANT,
        LINEAR,
        POLYNOMIAL,
        ONE_MINUS_SQRT,
        EXPONENTIAL,
        MULTISTEP,
        INVERSE_TIME,
        INVERSE_SQRT,
        COSINE_RESTARTS,
        CYCLIC,
        ONE_CYCLE,
        COSINE_FROM_START,
    )
}

__all__ = [
    "COMMON_FIELDS",
    "COMMON_NAMES",
    "KINDS",
    "Decay",
    "Fitting",
    "Kind",
    "TurnSequence",
    "Values",
    "progress",
    "whole_periods",
]
