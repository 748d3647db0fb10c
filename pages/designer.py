"""Designer: shape a schedule with live controls, compare it with step decay, export or import it."""

import pandas as pd
import streamlit as st

from frameworks.code import FRAMEWORKS
from pages import run_through_app
from schedules import KINDS, ConfigError, dumps, from_config
from schedules.fields import Choice, Flag, NumberList
from schedules.schedule import GRANULARITIES
from studio import design, presets, share
from studio.curves import curve_csv, format_stats, sample_many
from studio.figures import make_figure

run_through_app()

KEEP = "session"  # controls keep their values while the user visits other pages

if "link_read" not in st.session_state:  # a shared link opens the schedule it carries, once
    st.session_state["link_read"] = True
    if st.query_params:
        try:
            st.session_state.update(design.controls(share.from_query(st.query_params.to_dict())))
        except ConfigError as error:
            st.session_state["link_problem"] = (
                f"This link's schedule could not be read ({error}); showing the defaults."
            )

for key, value in design.DEFAULTS.items():
    # Re-assigning pins the value: a slider whose range follows another control (options that
    # include an imported value, a maximum that follows total epochs) would otherwise reset.
    st.session_state[key] = st.session_state.get(key, value)


@st.cache_data(max_entries=64, show_spinner=False)
def curves_for(designed: dict, baseline: dict):
    title = KINDS[designed["schedule"]["kind"]].title
    return sample_many([(from_config(designed), title), (from_config(baseline), "Step decay")])


def on_preset() -> None:
    name = st.session_state.get("preset")
    if name:
        st.session_state.update(design.controls(presets.preset(name)))


def on_import() -> None:
    uploaded = st.session_state.get("import_file")
    if uploaded is None:
        return
    try:
        design.import_into(st.session_state, uploaded.getvalue())
        st.session_state["import_message"] = ("success", f"Imported {uploaded.name}.")
    except ConfigError as error:
        st.session_state["import_message"] = ("error", f"Could not import {uploaded.name}: {error}")


def kind_field(field) -> None:
    """The control for one of the kind's own fields, chosen by its rule."""
    label, common = (
        field.name.replace("_", " ").capitalize(),
        {"help": field.help, "key": field.name, "persist_state": KEEP},
    )
    rule = field.rule
    if isinstance(rule, Choice):
        st.selectbox(label, rule.options, **common)
    elif isinstance(rule, Flag):
        st.checkbox(label, **common)
    elif isinstance(rule, NumberList):
        st.text_input(label, placeholder="30, 60, 80", **common)
    else:
        st.number_input(
            label,
            min_value=float(rule.ge) if rule.ge is not None else None,
            max_value=float(rule.le) if rule.le is not None else None,
            step=1.0 if field.duration else 0.05,
            format="%g",
            **common,
        )


st.title("Learning-rate schedule designer")
if problem := st.session_state.pop("link_problem", None):
    st.warning(problem, icon=":material/link_off:")
controls, chart = st.columns([1, 2.4], gap="large")

with controls:
    st.selectbox(
        "Start from a preset",
        list(presets.PRESETS),
        index=None,
        placeholder="Choose a well-known schedule…",
        on_change=on_preset,
        key="preset",
    )
    kind = KINDS[
        st.selectbox(
            "Schedule", list(KINDS), format_func=lambda name: KINDS[name].title, key="kind", persist_state=KEEP
        )
    ]
    fixed = {
        name: name not in kind.common
        for name in ("warmup_epochs", "hold_epochs", "epsilon", "warmup_start_lr", "warmup_shape")
    }
    if "warmup_epochs" not in kind.common:
        st.caption(f"{kind.title} brings its own warm-up: warm-up, hold and epsilon do not apply.")
    lr_grid = design.log_grid(-7, 1)
    st.select_slider(
        "Base learning rate",
        options=design.options_with(lr_grid, st.session_state["base_lr"]),
        format_func=lambda value: f"{value:.3g}",
        help="Peak lr, reached at the end of the warm-up (log-spaced steps).",
        key="base_lr",
        persist_state=KEEP,
    )
    total = st.number_input(
        "Total epochs", min_value=0.0, step=1.0, format="%g", key="total_epochs", persist_state=KEEP
    )
    for key, label, help_text in (
        ("warmup_epochs", "Warm-up epochs", "Ramp from the warm-up start lr to the base lr."),
        ("hold_epochs", "Hold epochs", "Plateau at the base lr before the decay begins."),
    ):
        st.slider(
            label,
            min_value=0.0,
            max_value=max(float(total), st.session_state[key], 1.0),
            step=0.5,
            format="%g",
            help=help_text,
            disabled=fixed[key],
            key=key,
            persist_state=KEEP,
        )
    st.select_slider(
        "Epsilon (minimum lr)",
        options=design.options_with([0.0, *design.log_grid(-9, 0)], st.session_state["epsilon"]),
        format_func=lambda value: f"{value:.3g}",
        help="The floor the decay ends on; at most the base lr.",
        disabled=fixed["epsilon"],
        key="epsilon",
        persist_state=KEEP,
    )
    for field in kind.fields:
        kind_field(field)
    with st.expander("Steps and warm-up start"):
        st.number_input(
            "Steps per epoch", min_value=1, max_value=10**7, step=1, key="steps_per_epoch", persist_state=KEEP
        )
        st.number_input(
            "Warm-up start lr",
            min_value=0.0,
            format="%g",
            step=1e-4,
            disabled=fixed["warmup_start_lr"],
            key="warmup_start_lr",
            persist_state=KEEP,
        )
        st.radio(
            "Warm-up shape",
            ("linear", "cosine"),
            horizontal=True,
            help="'cosine' rises along half a cosine: gentle at both ends.",
            disabled=fixed["warmup_shape"],
            key="warmup_shape",
            persist_state=KEEP,
        )
        st.radio(
            "Granularity",
            GRANULARITIES,
            horizontal=True,
            help="'epoch' holds the lr constant within each epoch, as Keras's LearningRateScheduler does.",
            key="granularity",
            persist_state=KEEP,
        )
    st.markdown("#### Step-decay baseline")
    st.number_input(
        "Drop factor", min_value=0.0, max_value=1.0, step=0.05, format="%g", key="baseline_drop", persist_state=KEEP
    )
    st.number_input(
        "Epochs per drop", min_value=0.0, step=1.0, format="%g", key="baseline_epochs_per_drop", persist_state=KEEP
    )

values = {key: st.session_state[key] for key in design.DEFAULTS}
try:
    documents = design.document(values), design.baseline_document(values)
    for doc in documents:
        from_config(doc)
    st.session_state["valid_documents"] = documents
except ConfigError as error:
    with controls:
        st.error(f"{error} — showing the last valid schedule.", icon=":material/warning:")
documents = st.session_state.get(
    "valid_documents", (design.document(design.DEFAULTS), design.baseline_document(design.DEFAULTS))
)
st.session_state["schedule_document"] = documents[0]
designed_schedule = from_config(documents[0])
if st.query_params.to_dict() != (link := share.to_query(designed_schedule)):
    st.query_params.from_dict(link)  # the address bar always holds a link to this schedule

designed, baseline = curves_for(*documents)

with chart:
    toggles = st.columns(2)
    log_scale = toggles[0].toggle("Log scale", key="log_scale", persist_state=KEEP)
    overlay = toggles[1].toggle("Overlay step decay", key="overlay", persist_state=KEEP)
    if overlay:
        st.plotly_chart(make_figure([designed, baseline], log_scale, height=460), key="chart_overlay")
    else:
        left, right = st.columns(2)
        left.plotly_chart(make_figure([designed], log_scale), key="chart_designed")
        right.plotly_chart(make_figure([baseline], log_scale), key="chart_baseline")

    st.dataframe(
        pd.DataFrame({curve.name: format_stats(curve.stats) for curve in (designed, baseline)}), width="stretch"
    )

    st.subheader("Code", divider="gray")
    for tab, framework in zip(st.tabs(["Keras", "PyTorch", "optax"]), FRAMEWORKS, strict=True):
        try:
            tab.code(designed_schedule.to_code(framework), language="python")
        except ValueError as error:  # an optax table too large for this length
            tab.info(str(error))

    st.subheader("Export and import", divider="gray")
    export, upload = st.columns([1, 2])
    export.download_button(
        "Export JSON",
        data=dumps(designed_schedule),
        file_name="lr-schedule.json",
        mime="application/json",
        icon=":material/download:",
        key="export",
    )
    export.download_button(
        "Curve as CSV",
        data=lambda: curve_csv(designed_schedule),  # built on click: 10⁶ steps make a large file
        file_name="lr-curve.csv",
        mime="text/csv",
        icon=":material/table:",
        key="export_csv",
    )
    upload.file_uploader("Import a v1 JSON document", type=["json"], key="import_file", on_change=on_import)
    if message := st.session_state.pop("import_message", None):
        level, text = message
        (st.success if level == "success" else st.error)(text)
