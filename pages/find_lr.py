"""Find the lr: the lr range test on the demo, its suggestions checked by training, or a range
test from your own code imported and shown the same way."""

import pandas as pd
import streamlit as st

from pages import run_through_app, session_label, training_queue
from schedules import ConfigError
from schedules import range_test as rt
from studio import design, find_lr, text
from studio.training_queue import FINISHED
from training.options import DATASETS, OPTIMIZERS

run_through_app()

queue = training_queue()
state = st.session_state
session_label()
for key, value in (
    ("find_start_lr", rt.DEFAULTS["start_lr"]),
    ("find_end_lr", rt.DEFAULTS["end_lr"]),
    ("find_steps", rt.DEFAULTS["steps"]),
    ("find_seeds", 3),
    ("find_batch_size", 32),
    ("find_optimizer", "sgd"),
    ("find_dataset", "digits"),
    ("find_stop_factor", rt.DEFAULTS["stop_factor"]),
    ("find_import_round", 0),
):
    state.setdefault(key, value)

st.title("Find the lr")
st.caption(
    "The lr range test: from fresh weights, the demo model trains while the lr grows exponentially from "
    "the start to the end lr, and the loss at every step says which lrs train. Each seed runs its own test; "
    "the suggestions are given over the seeds, with their spread."
)

sweep, model = st.columns(2)
sweep.select_slider("Start lr", design.log_grid(-9, -3), key="find_start_lr", format_func=find_lr.lr_text)
sweep.select_slider("End lr", design.log_grid(-2, 2), key="find_end_lr", format_func=find_lr.lr_text)
sweep.select_slider("Steps", find_lr.STEP_CHOICES, key="find_steps")
sweep.number_input(
    "Stop when the smoothed loss passes k × its lowest; k =", min_value=1.5, max_value=100.0, key="find_stop_factor"
)
model.number_input("Seeds", min_value=1, max_value=10, step=1, key="find_seeds")
model.selectbox("Batch size", [16, 32, 64, 128], key="find_batch_size")
model.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.get, key="find_optimizer")
model.selectbox("Data", list(DATASETS), format_func=DATASETS.get, key="find_dataset")
st.caption(
    f"The test stops early when the smoothed loss passes {state['find_stop_factor']:g} × its lowest or the "
    "loss turns NaN: past there the loss only explodes."
)


def submit(request) -> None:
    try:
        state["find_job"] = queue.submit(request).id
        state.pop("find_imported", None)
    except ConfigError as error:
        state["find_error"] = str(error)


def start_test() -> None:
    state.pop("find_check_job", None)
    submit(
        find_lr.FindRequest(
            document=design.designer_document(state),
            start_lr=float(state["find_start_lr"]),
            end_lr=float(state["find_end_lr"]),
            steps=int(state["find_steps"]),
            seeds=int(state["find_seeds"]),
            batch_size=int(state["find_batch_size"]),
            optimizer=state["find_optimizer"],
            dataset=state["find_dataset"],
            stop_factor=float(state["find_stop_factor"]),
            owner=session_label(),
        )
    )


def on_import(key: str) -> None:
    uploaded = state.get(key)
    if uploaded is None:
        return
    state["find_import_round"] += 1
    try:
        find_lr.read_import(uploaded.getvalue())
        state["find_imported"] = (uploaded.name, uploaded.getvalue())
        state.pop("find_job", None)
        state.pop("find_check_job", None)
    except ConfigError as error:
        state["find_error"] = f"Could not import {uploaded.name}: {error}"


job = queue.job(state.get("find_job"))
active = job is not None and job.status not in FINISHED
check_job = queue.job(state.get("find_check_job"))
check_active = check_job is not None and check_job.status not in FINISHED

buttons = st.columns([1.4, 3])
buttons[0].button(
    "Run the range test",
    type="primary",
    icon=":material/play_arrow:",
    on_click=start_test,
    disabled=active or check_active,
    key="find_start",
)
upload_key = f"find_file_{state['find_import_round']}"
buttons[1].file_uploader(
    "Import a range test (lr-range-test JSON from lr_range_test in PyTorch or Keras)",
    type=["json"],
    key=upload_key,
    on_change=on_import,
    args=(upload_key,),
    max_upload_size=design.UPLOAD_MB,
)
if message := state.pop("find_error", None):
    st.error(text.markdown(message))


def use_lr(lr: float, chosen: str) -> None:
    try:
        state["find_used"] = find_lr.use_as_base_lr(state, lr, f"the range test's {rt.TITLES[chosen]}")
    except ConfigError as error:
        state["find_used"] = f"The Designer's schedule does not take this lr: {error}"


def check_lr(lr: float, steps: int) -> None:
    request = find_lr.CheckRequest(
        design.designer_document(state),
        lr,
        steps=steps,
        batch_size=int(state["find_batch_size"]),
        optimizer=state["find_optimizer"],
        dataset=state["find_dataset"],
        owner=session_label(),
    )
    try:
        state["find_check_job"] = queue.submit(request).id
    except ConfigError as error:
        state["find_error"] = str(error)


def show_result(test: rt.RangeTest, source: str) -> None:
    """The chart, the stop notes, the suggestions' table, and what to do with one."""
    st.markdown(f"**{text.markdown(source)}**")
    st.plotly_chart(find_lr.range_test_figure(test), key="find_chart")
    for note in find_lr.stop_notes(test):
        st.caption(text.markdown(note))
    for warning in find_lr.warnings(test):
        st.warning(text.markdown(warning), icon=":material/warning:")
    st.table(pd.DataFrame(find_lr.suggestion_rows(test)).set_index("suggestion"))  # wraps each reason
    choices = find_lr.suggestion_choices(test)
    if not choices:
        st.info("No suggestion: the loss never fell after the burn-in. Widen the sweep or lower the start lr.")
        return
    chosen = st.radio(
        "Suggestion",
        choices,
        format_func=lambda name: f"{rt.TITLES[name]}: {find_lr.lr_text(test.spreads[name].lr)}",
        horizontal=True,
        key="find_choice",
    )
    lr = test.spreads[chosen].lr
    use, check = st.columns([1, 1])
    use.button("Use as base lr", icon=":material/input:", on_click=use_lr, args=(lr, chosen), key="find_use")
    check.button(
        "Check it",
        icon=":material/fact_check:",
        help="Train the Designer's schedule, squeezed to the test's length, at the suggestion ÷ 3, × 1 and × 3.",
        disabled=active or check_active,
        on_click=check_lr,
        args=(lr, int(test.settings.steps)),
        key="find_check",
    )
    if used := state.get("find_used"):
        st.success(text.markdown(used), icon=":material/check:")


polling = active or check_active


@st.fragment(run_every=1.0 if polling else None)
def live() -> None:
    job = queue.job(state.get("find_job"))
    check_job = queue.job(state.get("find_check_job"))
    if not polling and any(j is not None and j.status not in FINISHED for j in (job, check_job)):
        st.rerun()  # a job started from a button in here: the whole page, so that it polls
    if job is not None:
        fill, words = find_lr.progress(job.events, job.request.seeds)
        status = "Done" if job.status == "completed" else job.status.capitalize()
        st.progress(fill, text=f"{status} — {words}" if job.status != "completed" else text.markdown(job.message))
        if job.status in ("failed", "stopped"):
            st.error(text.markdown(job.message))
        if job.status == "completed" and (test := find_lr.result_of(job.events)):
            show_result(test, f"Range test on the demo ({test.source})")
    elif imported := state.get("find_imported"):
        name, data = imported
        show_result(find_lr.read_import(data), f"Imported {name} (from {find_lr.read_import(data).source or '?'})")
    if check_job is not None:
        st.subheader("Check it", divider="gray")
        fill, words = find_lr.progress(check_job.events, 3, "training")
        done = check_job.status in FINISHED
        st.progress(1.0 if done else fill, text=text.markdown(check_job.message if done else f"Running — {words}"))
        if checks := find_lr.checks_of(check_job.events):
            st.table(pd.DataFrame(find_lr.check_rows(checks)).set_index("run"))
            st.plotly_chart(find_lr.check_figure(checks), key="find_check_chart")
            if done:
                st.info(text.markdown(find_lr.check_verdict(checks)), icon=":material/insights:")
    finished = tuple(j.id for j in (job, check_job) if j is not None and j.status in FINISHED)
    if finished and state.get("find_seen") != finished:
        state["find_seen"] = finished
        st.rerun()  # the whole page: the buttons follow the finished state


live()
