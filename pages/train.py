"""Train: a short Keras run with the designed schedule, live progress, and the lr read back."""

import pandas as pd
import streamlit as st

from pages import run_through_app, session_label, training_queue
from schedules import ConfigError, from_config
from studio import design, text, train_view
from studio import past_runs as past
from studio.figures import live_lr_figure, metrics_figure, readback_figure
from studio.training_queue import FINISHED, TrainRequest, check_writable
from studio.verify import open_in_designer
from training.options import DATASETS, OPTIMIZERS

run_through_app()

if switch := st.session_state.pop("past_switch", None):  # set by a past run's Open buttons
    st.switch_page(switch[0], query_params=switch[1])

queue = training_queue()
document = design.designer_document(st.session_state)
schedule = from_config(document)
params = schedule.params

st.title("Train a demo model")
st.markdown(f"{train_view.schedule_header(schedule)} Its epochs map onto the run's real steps per epoch.")

# The run covers the whole schedule by default, so it reaches the decay; a new schedule moves the
# default along unless the user has set the epochs.
auto_epochs = train_view.default_epochs(params["total_epochs"])
if st.session_state.get("train_epochs") in (None, st.session_state.get("train_epochs_auto")):
    st.session_state["train_epochs"] = auto_epochs
st.session_state["train_epochs_auto"] = auto_epochs
for key, value in (("train_batch_size", 32), ("train_optimizer", "sgd"), ("train_seed", 0)):
    st.session_state.setdefault(key, value)
st.session_state.setdefault("train_dataset", "digits")
st.session_state.setdefault("train_compare", False)

left, middle, right = st.columns([1, 1, 1.6])  # the data set's name reads whole
left.number_input("Epochs", min_value=1, max_value=200, step=1, key="train_epochs")
left.selectbox("Batch size", [16, 32, 64, 128], key="train_batch_size")
middle.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.get, key="train_optimizer")
middle.number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key="train_seed")
right.selectbox("Data", list(DATASETS), format_func=DATASETS.get, key="train_dataset")
right.checkbox(
    "Compare with step decay",
    help="Also train the Designer's step-decay baseline on the same data from the same initial weights.",
    key="train_compare",
)
epochs_note = train_view.epochs_note(st.session_state["train_epochs"], params["total_epochs"])
st.caption(
    epochs_note
    or f"Default: the schedule's own {params['total_epochs']:g} epochs (at most {train_view.MAX_DEFAULT_EPOCHS})."
)


def start_training() -> None:
    """The Train button's callback: runs before the page, so the buttons draw the new state."""
    state = st.session_state
    drop, epochs_per_drop = design.own_baseline(design.designer_baseline(state))
    request = TrainRequest(
        document=document,
        epochs=int(state["train_epochs"]),
        batch_size=int(state["train_batch_size"]),
        optimizer=state["train_optimizer"],
        seed=int(state["train_seed"]),
        dataset=state["train_dataset"],
        baseline=state["train_compare"],
        baseline_drop=drop,
        baseline_epochs_per_drop=epochs_per_drop,
        owner=session_label(),
    )
    try:
        state["job_id"] = queue.submit(request).id
    except ConfigError as error:
        state["train_error"] = str(error)


def stop_training() -> None:
    job = queue.job(st.session_state.get("job_id"))
    if job is not None:
        queue.stop(job)


problem = check_writable(queue.root)
if problem:
    st.error(text.markdown(problem))
if message := st.session_state.pop("train_error", None):
    st.error(text.markdown(message))
own = queue.job(st.session_state.get("job_id"))
own_active = own is not None and own.status not in FINISHED

buttons = st.columns([1, 1, 4])
buttons[0].button(
    "Train",
    type="primary",
    icon=":material/play_arrow:",
    disabled=bool(problem) or own_active,
    on_click=start_training,
    key="train_start",
)
buttons[1].button("Stop", icon=":material/stop:", disabled=not own_active, on_click=stop_training, key="train_stop")


def show_someone_elses_run(job) -> None:
    """While another session's training runs: whose it is, how far, and where this one waits."""
    current = queue.current
    if current is None or (job is not None and current.id == job.id):
        return
    position = queue.position(job) if job is not None and job.status == "queued" else None
    note = train_view.someone_else_note(
        current.request.owner, train_view.epochs_done(current.runs), current.total_epochs, position
    )
    st.info(text.markdown(note), icon=":material/hourglass_top:")


def show_progress(job) -> None:
    """The bar (the share of epochs reported) and where the run stands, in epochs."""
    done = train_view.epochs_done(job.runs)
    st.progress(
        train_view.progress_fraction(job.status, done, job.total_epochs),
        text=text.markdown(  # the worker's message may quote its error output
            train_view.progress_text(
                job.status, job.message, job.runs, job.request.epochs, 2 if job.request.baseline else 1
            )
        ),
    )
    for note in job.notes:
        st.caption(text.markdown(note))


def show_metrics(job) -> None:
    runs = [(run.name, run.epochs) for run in job.runs if run.epochs]
    if runs:
        lr, loss, accuracy = st.columns(3)
        lr.plotly_chart(live_lr_figure(runs), key="train_lr_chart")
        loss.plotly_chart(metrics_figure(runs, "loss"), key="train_loss_chart")
        accuracy.plotly_chart(metrics_figure(runs, "accuracy"), key="train_accuracy_chart")


def show_readback(job) -> None:
    """After the run: the lr logged at every step against the design, and where the logs are."""
    for run in job.runs:
        try:
            readback = past.read_back(run.run_dir)
        except ValueError as error:
            st.warning(text.markdown(f"{run.name}: {error}"))
            continue
        st.plotly_chart(readback_figure(readback, run.name), key=f"readback_{run.name}")
        report = st.success if readback.agrees else st.warning
        report(text.markdown(f"{run.name}: {past.readback_summary(readback)}"))
    st.markdown("Open the full logs, with loss and accuracy per epoch and the lr per step:")
    st.code(past.tensorboard_command(queue.root), language="bash")


# Twice a second while this session's run trains: the epoch shown when Stop is pressed is the one
# the run is in (a digits epoch takes a fraction of a second).
@st.fragment(run_every=0.5 if own_active else 1.0 if queue.current else None)
def live_progress() -> None:
    job = queue.job(st.session_state.get("job_id"))
    show_someone_elses_run(job)
    if job is None:
        return
    show_progress(job)
    show_metrics(job)
    if job.status in ("diverged", "failed"):
        st.error(text.markdown(job.message))
    if job.status in FINISHED:
        show_readback(job)
        if st.session_state.get("job_seen_finished") != job.id:
            st.session_state["job_seen_finished"] = job.id
            st.rerun()  # the whole page: the buttons follow the finished state


live_progress()

st.subheader("Past runs", divider="gray")
active = {run.name for run in queue.current.runs} if queue.current else set()
rows = past.past_runs(queue.root, active)
if message := st.session_state.pop("past_message", None):
    st.success(text.markdown(message))
if not rows:
    st.caption(f"No runs yet under {text.markdown(queue.root)}.")
    st.stop()
st.dataframe(pd.DataFrame(train_view.past_run_rows(rows)), hide_index=True, width="stretch", key="past_table")

readable = [row["run"] for row in rows if row["status"] != "unreadable"]
latest = [run.name for run in own.runs] if own is not None else []
st.session_state["past_selected"] = [
    run
    for run in st.session_state.get("past_selected", [r for r in latest if r in readable] or readable[:1])
    if run in readable
]
st.multiselect(
    "Runs side by side",
    readable,
    max_selections=past.MAX_OVERLAID,
    key="past_selected",
    help="Their logged lr, loss and validation accuracy overlaid; the legend names each run's schedule.",
)
views, problems = past.load_views(queue.root, st.session_state["past_selected"])
for problem in problems:
    st.warning(text.markdown(problem))
if views:
    view = st.columns([1, 2], vertical_alignment="center")
    x_unit = view[0].radio("x-axis", past.X_UNITS, index=1, horizontal=True, key="past_x_unit")
    smoothing = view[1].slider(
        "Smoothing", 0.0, 0.95, 0.0, 0.05, key="past_smoothing", help="A debiased moving average of loss and accuracy."
    )
    st.plotly_chart(past.overlay_figure(views, "lr", x_unit), key="past_lr")
    loss, accuracy = st.columns(2)
    loss.plotly_chart(past.overlay_figure(views, "loss", x_unit, smoothing), key="past_loss")
    accuracy.plotly_chart(past.overlay_figure(views, "val_accuracy", x_unit, smoothing), key="past_accuracy")

st.markdown("**One run**")
by_run = {view.run: view for view in views}
chosen = st.selectbox(
    "Run",
    readable,
    format_func=lambda run: f"{by_run[run].label} — {run}" if run in by_run else run,
    key="past_run",
    label_visibility="collapsed",
)
actions = st.columns(3)


# The buttons' callbacks read the chosen run from the state: they run before the page, after a
# change of the select box in the same interaction.
def open_in_verify() -> None:
    run = st.session_state["past_run"]
    try:
        st.session_state["verify_run"] = {"run": run, "files": past.run_files(queue.root, run)}
        st.session_state["past_switch"] = ("pages/verify.py", None)
    except ValueError as error:
        st.session_state["past_error"] = str(error)


def open_design() -> None:
    try:
        document = past.run_record(queue.root / st.session_state["past_run"])["schedule"]
        st.session_state["past_switch"] = ("pages/designer.py", open_in_designer(st.session_state, document))
    except ValueError as error:
        st.session_state["past_error"] = str(error)


actions[0].button("Open in Verify", icon=":material/fact_check:", key="past_verify", on_click=open_in_verify)
actions[1].button("Open its design in the Designer", icon=":material/tune:", key="past_designer", on_click=open_design)
actions[2].button(
    "Delete…",
    icon=":material/delete:",
    key="past_delete",
    disabled=chosen in active,
    on_click=lambda: st.session_state.update(past_confirm=st.session_state["past_run"]),
)
if st.session_state.get("past_confirm") == chosen:

    def delete() -> None:
        try:
            st.session_state["past_message"] = past.delete_run(queue.root, st.session_state["past_confirm"], active)
        except ValueError as error:
            st.session_state["past_error"] = str(error)
        st.session_state.pop("past_confirm", None)

    st.warning(text.markdown(f"Delete the run {chosen} and all its logs? This cannot be undone."))
    confirm = st.columns([1, 1, 4])
    confirm[0].button("Delete", type="primary", key="past_delete_confirm", on_click=delete)
    confirm[1].button("Cancel", key="past_delete_cancel", on_click=lambda: st.session_state.pop("past_confirm", None))
if message := st.session_state.pop("past_error", None):
    st.error(text.markdown(message))
