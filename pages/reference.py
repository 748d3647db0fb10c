"""Reference: the v1 JSON format, every field's rule, and each kind's formula."""

import pandas as pd
import streamlit as st

from pages import run_through_app
from studio import design, reference

run_through_app()

st.title("Schedule format reference")
st.markdown(
    "A schedule is a small JSON document (**format** `lr-schedule`, **version** 1). Durations are in "
    "epochs and may be fractional; each is rounded to whole optimizer steps with `steps_per_epoch`. "
    "The designer exports and imports exactly this document."
)
st.subheader("Document")
st.code(
    """{"format": "lr-schedule", "version": 1, "steps_per_epoch": 100, "granularity": "step",
 "schedule": {"kind": "cosine", "base_lr": 0.01, "total_epochs": 100,
              "warmup_epochs": 5, "warmup_start_lr": 0.0, "hold_epochs": 10, "epsilon": 1e-6}}""",
    language="json",
)
st.markdown(
    "- `steps_per_epoch`: an integer ≥ 1; `total_epochs × steps_per_epoch` at most 10⁹ steps.\n"
    "- `granularity`: `step` (lr changes every step) or `epoch` (constant within an epoch, equal to its "
    "value at the epoch's first step, as Keras's `LearningRateScheduler` does).\n"
    "- `run`: optional, the data and the batch that imply `steps_per_epoch` (below)."
)
st.subheader("Fields every kind takes")
# A static table wraps long meanings instead of clipping them.
st.table(pd.DataFrame(reference.COMMON_ROWS).set_index("field"))
st.markdown(reference.WARMUP_TEXT)
st.subheader("The run (optional)")
st.markdown(reference.RUN_TEXT)
st.table(pd.DataFrame(reference.RUN_ROWS).set_index("field"))
st.subheader("Kinds")
st.table(pd.DataFrame(reference.kinds_rows()).set_index("kind"))
for name, title, rows in reference.kind_sections():
    with st.expander(f"{title} — `{name}`", expanded=name == design.DEFAULTS["kind"]):
        st.code(reference.formula(name), language="text")
        if rows:
            st.table(pd.DataFrame(rows).set_index("field"))
        else:
            st.caption("No fields beyond the common ones.")
