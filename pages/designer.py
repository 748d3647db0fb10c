"""Designer: shape a schedule with live controls, compare it with step decay, export or import it."""

import pandas as pd
import streamlit as st

from frameworks.code import FRAMEWORKS
from pages import run_through_app
from schedules import KINDS, ConfigError, dumps, from_config
from schedules.document import MAX_TEXT_BYTES
from studio import controls, design, links, presets, run_section, text
from studio.compare_items import BASELINE_NAME
from studio.curves import csv_note, curve_csv, format_stats, sample_many
from studio.figures import make_figure, shared_ranges

run_through_app()

KEEP = "session"  # controls keep their values while the user visits other pages

if "link_read" not in st.session_state:  # a shared link opens the schedule it carries, once
    st.session_state["link_read"] = True
    if st.query_params:
        try:
            schedule, view = links.from_link(st.query_params.to_dict())
            st.session_state.update(design.controls(schedule) | view)
        except ConfigError as error:
            st.session_state["link_problem"] = (
                f"This link's schedule could not be read ({error}); showing the defaults."
            )

for key, value in (design.DEFAULTS | run_section.DEFAULTS).items():
    # Re-assigning pins the value: a slider whose range follows another control (options that
    # include an imported value, a maximum that follows total epochs) would otherwise reset.
    st.session_state[key] = st.session_state.get(key, value)
st.session_state.setdefault("import_round", 0)
# The run section's steps per epoch, and amounts given in steps, samples or tokens, become the
# document's values before any control is drawn.
derived = run_section.derive(st.session_state)
st.session_state.update(derived.updates)


@st.cache_data(max_entries=64, show_spinner=False)
def curves_for(designed: dict, baseline: dict):
    title = KINDS[designed["schedule"]["kind"]].title
    return sample_many([(from_config(designed), title), (from_config(baseline), BASELINE_NAME)])


def on_preset() -> None:
    name = st.session_state.get("preset")
    if name:
        st.session_state.update(design.controls(presets.preset(name)) | run_section.LOADED)


def on_kind() -> None:
    """A new kind starts from its own fields' defaults, not from another kind's same-named field."""
    st.session_state.update(controls.starting_values(st.session_state["kind"]))


def on_import(key: str) -> None:
    uploaded = st.session_state.get(key)
    if uploaded is None:
        return
    name = text.markdown(uploaded.name)
    try:
        design.import_into(st.session_state, uploaded.getvalue())
        st.session_state.update(run_section.LOADED)
        st.session_state["import_message"] = ("success", f"Imported {name}.")
    except ConfigError as error:
        st.session_state["import_message"] = ("error", f"Could not import {name}: {text.markdown(error)}")
    st.session_state["import_round"] += 1  # a fresh uploader: no file or error of this one stays


def on_scale() -> None:
    try:
        batch = run_section.checked_run(st.session_state).global_batch
    except ConfigError:
        return  # the button is disabled while the run does not read
    state = st.session_state
    lr, sentence = run_section.scaling(
        state["scale_reference_lr"], state["scale_reference_batch"], batch, state["scale_rule"]
    )
    state["base_lr"] = lr
    state["scale_message"] = f"Base lr set to {lr:.6g} by the {sentence}."
    state["scale_followed"] = True  # from now on, say when the rule and the base lr part


def draw(control: controls.Control) -> None:
    """One generated control: ``st.<widget>(label, key=…, **options)``, kept across pages; the
    run section's note under it, if any."""
    options = dict(control.options)
    if control.widget == "select_slider":
        options["format_func"] = lambda value: f"{value:.3g}"
    getattr(st, control.widget)(control.label, key=control.key, persist_state=KEEP, **options)
    if note := derived.notes.get(control.key):
        st.caption(note)


def draw_run_section() -> None:
    """The Run section: the data and the batch side by side, the derivation of the steps per epoch
    below them, then the batch-size scaling of the base lr."""
    state = st.session_state
    with st.expander("Run: data and batch", expanded=bool(state["run_enabled"])):
        st.toggle(
            "Plan from the data",
            key="run_enabled",
            persist_state=KEEP,
            help="Dataset, micro-batch, accumulation and devices set the steps per epoch.",
        )
        if not state["run_enabled"]:
            return
        data, batch = st.columns(2, gap="medium")
        for column, group in zip((data, batch), run_section.run_columns(state), strict=True):
            with column:
                for control in group:
                    draw(control)
        with batch:
            for control in run_section.total_controls(state, derived):
                draw(control)
        if derived.run is not None:
            st.info(derived.run.arithmetic(), icon=":material/calculate:")
        st.markdown("**Scale the base lr with the batch**")
        for column, control in zip(st.columns([1, 1, 1.4]), run_section.scaling_controls(), strict=True):
            with column:
                draw(control)
        if derived.run is not None:
            rule_lr, sentence = run_section.scaling(
                state["scale_reference_lr"],
                state["scale_reference_batch"],
                derived.run.global_batch,
                state["scale_rule"],
            )
            st.caption(sentence)
            if state.get("scale_followed") and (drift := run_section.scaling_drift(state["base_lr"], rule_lr)):
                st.warning(drift, icon=":material/sync_problem:")
        st.button("Set base lr", key="scale_apply", on_click=on_scale, disabled=derived.run is None)
        if message := state.pop("scale_message", None):
            st.success(message)


st.title("LR schedule designer")
if problem := st.session_state.pop("link_problem", None):
    st.warning(text.markdown(problem), icon=":material/link_off:")
# The two choices that set everything else sit above, full width (long names read whole); then the
# chart comes first: on a phone the columns stack and the curve stays above the sliders.
start_from, kind_choice = st.columns(2)
start_from.selectbox(
    "Start from a preset",
    list(presets.PRESETS),
    index=None,
    placeholder="Choose a well-known schedule…",
    on_change=on_preset,
    key="preset",
)
preset_note = start_from.empty()  # filled once the design is known: has it left the preset?
kind = KINDS[
    kind_choice.selectbox(
        "Schedule",
        list(KINDS),
        format_func=lambda name: KINDS[name].title,
        key="kind",
        on_change=on_kind,
        persist_state=KEEP,
    )
]
chart, settings = st.columns([2.6, 1], gap="medium")

with settings:
    if "warmup_epochs" not in kind.common:
        st.caption(f"{kind.title} brings its own warm-up: warm-up, hold and epsilon do not apply.")
    shown, advanced = controls.split(controls.common_controls(kind.name, st.session_state))
    for control in run_section.arrange(shown, st.session_state, derived) + controls.kind_controls(
        kind.name, st.session_state
    ):
        draw(control)
    with st.expander(controls.ADVANCED_TITLE):
        for control in run_section.arrange(advanced, st.session_state, derived):
            draw(control)
    baseline_box = st.expander("Step-decay baseline", expanded=True)
    with baseline_box:
        for control in controls.baseline_controls(st.session_state):
            draw(control)

values = {key: st.session_state[key] for key in design.DEFAULTS}
problem = derived.problem  # a run that does not read: its own sentence, not the steps it implies
if problem is None:
    try:
        documents = design.document(values), design.baseline_document(values)
        for doc in documents:
            from_config(doc)
        st.session_state["valid_documents"] = documents
    except ConfigError as error:
        problem = error
documents = st.session_state.get(
    "valid_documents", (design.document(design.DEFAULTS), design.baseline_document(design.DEFAULTS))
)
st.session_state["schedule_document"], st.session_state["baseline_document"] = documents
designed_schedule = from_config(documents[0])
if note := presets.left_note(st.session_state["preset"], designed_schedule if problem is None else None):
    preset_note.caption(text.markdown(note))
baseline_fields = documents[1]["schedule"]
scaled = baseline_fields["kind"] == "multistep"  # the last valid baseline's own kind says which it is
if scaled:
    baseline_box.caption(text.markdown(design.baseline_drops(documents[1])))
view = {
    "baseline_scaled": scaled,
    "baseline_drop": baseline_fields.get("drop"),
    "baseline_epochs_per_drop": baseline_fields.get("epochs_per_drop"),
    "log_scale": bool(st.session_state["log_scale"]),
    "overlay": bool(st.session_state["overlay"]),
    "x_unit": st.session_state["x_unit"],
}
if st.query_params.to_dict() != (link := links.to_link(designed_schedule, view)):
    st.query_params.from_dict(link)  # the address bar always holds a link to this schedule and view

designed, baseline = curves_for(*documents)

with chart:
    if problem is not None:
        st.error(f"{text.markdown(problem)} — showing the last valid schedule.", icon=":material/warning:")
    toggles = st.columns([1, 1.4, 1.4], vertical_alignment="center")
    log_scale = toggles[0].toggle("Log scale", key="log_scale", persist_state=KEEP)
    overlay = toggles[1].toggle("Overlay step decay", key="overlay", persist_state=KEEP)
    toggles[2].selectbox(
        "x-axis",
        derived.units,
        format_func=lambda unit: f"x-axis: {unit}",
        key="x_unit",
        label_visibility="collapsed",
        persist_state=KEEP,
        help="Samples and tokens seen need the run section (tokens: a dataset counted in tokens).",
    )
    stale = problem is not None
    run = designed_schedule.run  # the shown schedule's own run: the last valid one
    axis = {"x_unit": run_section.chart_unit(st.session_state["x_unit"], run), "run": run}
    if overlay:
        st.plotly_chart(
            make_figure([designed, baseline], log_scale, height=460, stale=stale, **axis), key="chart_overlay"
        )
    else:
        ranges = shared_ranges([designed, baseline], log_scale, **axis)  # side by side: one scale for both
        left, right = st.columns(2)
        left.plotly_chart(make_figure([designed], log_scale, ranges=ranges, stale=stale, **axis), key="chart_designed")
        right.plotly_chart(
            make_figure([baseline], log_scale, ranges=ranges, first_color=1, stale=stale, **axis),
            key="chart_baseline",
        )
    # A static table wraps its cells: nothing is clipped at any width.
    st.table(pd.DataFrame({curve.name: format_stats(curve.stats, curve.stat_bounds) for curve in (designed, baseline)}))
    draw_run_section()

st.subheader("Code", divider="gray")
for tab, framework in zip(st.tabs(["Keras", "PyTorch", "optax"]), FRAMEWORKS, strict=True):
    tab.code(designed_schedule.to_code(framework), language="python")  # small at any length

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
    data=lambda: curve_csv(designed_schedule),  # built on click, at most a million rows
    file_name="lr-curve.csv",
    mime="text/csv",
    icon=":material/table:",
    key="export_csv",
)
export.caption(
    f"The CSV holds {csv_note(designed_schedule)}. The JSON holds the schedule; the page's address also "
    "keeps the baseline and the chart view."
)
upload_key = f"import_file_{st.session_state['import_round']}"
upload.file_uploader(
    "Import a v1 JSON document",
    type=["json"],
    key=upload_key,
    on_change=on_import,
    args=(upload_key,),
    max_upload_size=design.UPLOAD_MB,
    help=f"A schedule exported here, at most {MAX_TEXT_BYTES:,} bytes.",
)
if message := st.session_state.pop("import_message", None):
    level, message_text = message
    (upload.success if level == "success" else upload.error)(message_text)
