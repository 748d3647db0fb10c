"""Compare: two to six schedules of any kinds, overlaid or side by side, with stats and differences."""

import json

import pandas as pd
import streamlit as st

from pages import run_through_app, session_label, training_queue
from schedules import KINDS, ConfigError, from_config, loads
from schedules.document import MAX_TEXT_BYTES
from studio import bakeoff, compare, compare_items, design, presets, text
from studio.compare_items import BASELINE_NAME, DESIGNER_NAME
from studio.curves import format_stats, sample_many
from studio.figures import difference_figure, make_figure, multiples_ranges
from studio.training_queue import FINISHED
from training.options import DATASETS, OPTIMIZERS

run_through_app()

DESIGNER = "The Designer's schedule (a copy)"
FOLLOWING = {
    "designer": "Follows the Designer's current schedule; editing the document makes it a copy of its own.",
    "baseline": "Follows the Designer's step-decay baseline; editing the document makes it a copy of its own.",
}

followed = compare_items.designer_documents(st.session_state)


def new_item(name: str, document: dict, taken: set[str], follows: str | None = None) -> dict:
    """An editable schedule with a fresh id (its widgets' keys) and a name not in ``taken``."""
    st.session_state["compare_next_id"] = st.session_state.get("compare_next_id", 0) + 1
    return {
        "id": st.session_state["compare_next_id"],
        "name": compare.unique_name(name, taken),
        "document": document,
        "follows": follows,
        "error": None,
    }


def make_items(named_documents) -> list[dict]:
    items: list[dict] = []
    for name, document in named_documents:
        items.append(new_item(name, document, {item["name"] for item in items}))
    return items


if "compare_items" not in st.session_state:
    st.session_state["compare_items"] = [
        new_item(DESIGNER_NAME, followed["designer"], set(), follows="designer"),
        new_item(BASELINE_NAME, followed["baseline"], {DESIGNER_NAME}, follows="baseline"),
    ]
st.session_state.setdefault("compare_import_round", 0)
items: list[dict] = st.session_state["compare_items"]
for item in items:  # an entry that follows the Designer shows its schedule of now
    item["document"] = compare_items.current_document(item, followed)


def item_by_id(uid: int) -> dict:
    return next(item for item in st.session_state["compare_items"] if item["id"] == uid)


def editor_text(document: dict) -> str:
    return compare_items.document_text(from_config(document).to_config())


def on_document_edit(uid: int) -> None:
    """A document that reads replaces the entry's; one that does not stays in the editor as typed,
    with its error beside it, while the chart keeps the last valid one."""
    item = item_by_id(uid)
    try:
        item["document"] = loads(st.session_state[f"compare_doc_{uid}"]).to_config()
        item["follows"], item["error"] = None, None
    except ConfigError as error:
        item["error"] = compare_items.edit_error(item["name"], error)


def on_name_edit(uid: int) -> None:
    item, key = item_by_id(uid), f"compare_name_{uid}"
    name = st.session_state[key].strip()
    if not 0 < len(name) <= compare.MAX_NAME or name in compare_items.taken_names(items, uid):
        st.session_state["compare_error"] = f"name: must be 1 to {compare.MAX_NAME} characters and unlike the others."
        st.session_state[key] = item["name"]
    else:
        item["name"] = name


def on_add() -> None:
    source = st.session_state["compare_source"]
    name, document = (DESIGNER_NAME, followed["designer"]) if source == DESIGNER else (source, presets.PRESETS[source])
    items.append(new_item(name, document, compare_items.taken_names(items)))


def on_remove(uid: int) -> None:
    st.session_state["compare_items"] = [item for item in st.session_state["compare_items"] if item["id"] != uid]


def on_import(key: str) -> None:
    """A set replaces the schedules; one exported schedule joins them, named after its file."""
    uploaded = st.session_state.get(key)
    if uploaded is None:
        return
    st.session_state["compare_import_round"] += 1  # a fresh uploader: no file or error of this one stays
    data, file_name = uploaded.getvalue(), uploaded.name
    try:
        loaded = compare_items.read_import(data, file_name)
        if compare_items.is_set(data):
            st.session_state["compare_items"] = make_items((entry.name, entry.schedule.to_config()) for entry in loaded)
        else:
            compare_items.check_room(len(items), len(loaded))
            (entry,) = loaded
            items.append(new_item(entry.name, entry.schedule.to_config(), compare_items.taken_names(items)))
    except ConfigError as error:
        st.session_state["compare_error"] = f"Could not import {file_name}: {error}"


@st.cache_data(max_entries=32, show_spinner=False)
def curves_for(named_documents: tuple[tuple[str, str], ...]):
    return sample_many([(loads(document), name) for name, document in named_documents])


st.title("Compare schedules")
if message := st.session_state.pop("compare_error", None):
    st.error(text.markdown(message))

add_from, add_button = st.columns([3, 1], vertical_alignment="bottom")
add_from.selectbox("Add a schedule", [DESIGNER, *presets.PRESETS], key="compare_source")
add_button.button(
    "Add", icon=":material/add:", on_click=on_add, disabled=len(items) >= compare.MAX_SCHEDULES, key="compare_add"
)

for item in items:
    uid, doc_key = item["id"], f"compare_doc_{item['id']}"
    kind_title = KINDS[item["document"]["schedule"]["kind"]].title
    with st.expander(f"{text.markdown(item['name'])} — {kind_title}", expanded=bool(item["error"])):
        st.session_state.setdefault(f"compare_name_{uid}", item["name"])
        if doc_key not in st.session_state or (item["follows"] and not item["error"]):
            st.session_state[doc_key] = editor_text(item["document"])
        if item["follows"]:
            st.caption(FOLLOWING[item["follows"]])
        st.text_input("Name", key=f"compare_name_{uid}", on_change=on_name_edit, args=(uid,))
        st.text_area(
            "v1 document (edit, then click outside to apply)",
            height=260,
            key=doc_key,
            on_change=on_document_edit,
            args=(uid,),
        )
        if item["error"]:
            st.error(text.markdown(item["error"]), icon=":material/warning:")
        st.button(
            "Remove",
            icon=":material/delete:",
            key=f"compare_remove_{uid}",
            on_click=on_remove,
            args=(uid,),
            disabled=len(items) <= compare.MIN_SCHEDULES,
        )

curves = curves_for(tuple((item["name"], json.dumps(item["document"])) for item in items))
view = st.columns([1, 1.2, 1.4], vertical_alignment="center")
log_scale = view[0].toggle("Log scale", key="compare_log")
multiples = view[1].toggle(
    "Small multiples", key="compare_multiples", help="One chart each: the epochs or steps shared, each lr axis its own."
)
x_unit = view[2].selectbox(
    "x-axis",
    ("epochs", "steps"),
    format_func=lambda unit: f"x-axis: {unit}",
    key="compare_x_unit",
    label_visibility="collapsed",
    help="Steps compare schedules with different steps per epoch by the optimizer steps they take.",
)
if multiples:
    columns = st.columns(2)
    for index, (curve, ranges) in enumerate(zip(curves, multiples_ranges(curves, log_scale, x_unit), strict=True)):
        columns[index % 2].plotly_chart(
            make_figure([curve], log_scale, ranges=ranges, first_color=index, x_unit=x_unit),
            key=f"compare_chart_{index}",
        )
else:
    st.plotly_chart(make_figure(curves, log_scale, height=460, mark_phases=False, x_unit=x_unit), key="compare_chart")

# Schedules as rows, stats as columns: a static table wraps its cells, so nothing is clipped.
stats = pd.DataFrame(
    [format_stats(curve.stats, curve.stat_bounds) for curve in curves], index=[text.markdown(c.name) for c in curves]
)
st.table(stats.T)

st.subheader("Difference", divider="gray")
names = [item["name"] for item in items]
left, right = st.columns(2)
first = left.selectbox("Schedule", names, index=0, key="compare_first")
second = right.selectbox("minus", names, index=min(1, len(names) - 1), key="compare_second")
by_name = {item["name"]: from_config(item["document"]) for item in items}
st.plotly_chart(
    difference_figure(*compare.difference(by_name[first], by_name[second]), first, second), key="compare_diff"
)

st.subheader("Export and import", divider="gray")
export, upload = st.columns([1, 2])
export.download_button(
    "Export set",
    data=compare.dump_set([compare.Named(item["name"], from_config(item["document"])) for item in items]),
    file_name="lr-schedule-set.json",
    mime="application/json",
    icon=":material/download:",
    key="compare_export",
)
upload_key = f"compare_file_{st.session_state['compare_import_round']}"
upload.file_uploader(
    "Import a set, or one exported schedule",
    type=["json"],
    key=upload_key,
    on_change=on_import,
    args=(upload_key,),
    max_upload_size=design.UPLOAD_MB,
    help=f"A set exported here replaces the schedules; a Designer export joins them. At most {MAX_TEXT_BYTES:,} bytes.",
)

st.subheader("Train them: a bake-off", divider="gray")
st.caption(
    "Every schedule above trained on the demo's data, each seed from the same initial weights and the "
    "same batches, each shape fitted to the same number of epochs: which one trains best, and whether "
    "the seeds agree. Final numbers are the mean ± the standard deviation over seeds."
)
queue = training_queue()
for key, value in (("bakeoff_epochs", 20), ("bakeoff_seeds", 3), ("bakeoff_batch_size", 32)):
    st.session_state.setdefault(key, value)
settings = st.columns(3)
settings[0].number_input("Epochs", min_value=1, max_value=200, step=1, key="bakeoff_epochs")
settings[1].selectbox("Seeds", bakeoff.SEED_CHOICES, key="bakeoff_seeds")
settings[2].selectbox("Batch size", [16, 32, 64, 128], key="bakeoff_batch_size")
settings = st.columns([1, 2])  # the data set's name reads whole
settings[0].selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.get, key="bakeoff_optimizer")
settings[1].selectbox("Data", list(DATASETS), format_func=DATASETS.get, key="bakeoff_dataset")


def start_bakeoff() -> None:
    state = st.session_state
    try:
        request = bakeoff.request_for(
            [(item["name"], item["document"]) for item in state["compare_items"]],
            epochs=int(state["bakeoff_epochs"]),
            seeds=int(state["bakeoff_seeds"]),
            batch_size=int(state["bakeoff_batch_size"]),
            optimizer=state["bakeoff_optimizer"],
            dataset=state["bakeoff_dataset"],
            owner=session_label(),
        )
        state["bakeoff_job"] = queue.submit(request).id
    except ConfigError as error:
        state["bakeoff_error"] = f"Could not start the bake-off: {error}"


def stop_bakeoff() -> None:
    if (job := queue.job(st.session_state.get("bakeoff_job"))) is not None:
        queue.stop(job)


if message := st.session_state.pop("bakeoff_error", None):
    st.error(text.markdown(message))
job = queue.job(st.session_state.get("bakeoff_job"))
active = job is not None and job.status not in FINISHED
runs_count = len(items) * int(st.session_state["bakeoff_seeds"])
buttons = st.columns([2.6, 1, 2.4])  # the label says the runs and their epochs whole
buttons[0].button(
    f"Train the set ({runs_count} runs of {int(st.session_state['bakeoff_epochs'])} epochs)",
    type="primary",
    icon=":material/play_arrow:",
    disabled=active,
    on_click=start_bakeoff,
    key="bakeoff_start",
)
buttons[1].button("Stop", icon=":material/stop:", disabled=not active, on_click=stop_bakeoff, key="bakeoff_stop")


@st.fragment(run_every=1.0 if active else None)
def bakeoff_progress() -> None:
    job = queue.job(st.session_state.get("bakeoff_job"))
    if job is None:
        return
    request, finished = job.request, job.status in FINISHED
    if job.status == "queued" and queue.current is not None:
        st.info(text.markdown(f"Waiting for a training for {queue.current.request.owner} to finish."))
    done = sum(len(run.epochs) for run in job.runs)
    fill = 1.0 if job.status == "completed" else min(done / max(request.total_work, 1), 1.0)
    words = (
        f"{job.status.capitalize()} — {job.message}"
        if finished
        else bakeoff.progress_text(job.status, job.runs, request)
    )
    st.progress(fill, text=text.markdown(words))
    for note in job.notes:
        st.caption(text.markdown(note))
    if job.status in ("failed", "diverged"):
        st.error(text.markdown(job.message))
    names = request.names
    found = bakeoff.outcomes(job.runs, names, request.seeds)
    if any(outcome.completed or outcome.diverged for outcome in found):
        results = pd.DataFrame(bakeoff.table_rows(found))
        st.table(results.set_index(results["schedule"].map(text.markdown)).drop(columns="schedule"))
        if sentence := bakeoff.verdict(found):
            st.markdown(text.markdown(sentence))
        accuracy, loss = st.columns(2)
        accuracy.plotly_chart(bakeoff.finals_figure(found, "val_accuracy"), key="bakeoff_final_accuracy")
        loss.plotly_chart(bakeoff.finals_figure(found, "val_loss"), key="bakeoff_final_loss")
    if any(run.epochs for run in job.runs):
        left, right = st.columns(2)
        left.plotly_chart(bakeoff.curves_figure(job.runs, names, "val_loss"), key="bakeoff_curve_loss")
        right.plotly_chart(bakeoff.curves_figure(job.runs, names, "val_accuracy"), key="bakeoff_curve_accuracy")
    if finished and st.session_state.get("bakeoff_seen_finished") != job.id:
        st.session_state["bakeoff_seen_finished"] = job.id
        st.rerun()  # the whole page: the buttons follow the finished state


bakeoff_progress()
