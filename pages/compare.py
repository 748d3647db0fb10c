"""Compare: two to six schedules of any kinds, overlaid or side by side, with stats and differences."""

import json

import pandas as pd
import streamlit as st

from pages import run_through_app
from schedules import KINDS, ConfigError, dumps, from_config, loads, step_baseline
from studio import compare, design, presets
from studio.curves import format_stats, sample_many
from studio.figures import difference_figure, make_figure

run_through_app()

DESIGNER = "The Designer's schedule"


def designer_document() -> dict:
    return st.session_state.get("schedule_document") or design.document(design.DEFAULTS)


def source_document(source: str) -> dict:
    return designer_document() if source == DESIGNER else presets.PRESETS[source]


def new_item(name: str, document: dict, taken: set[str]) -> dict:
    """An editable schedule with a fresh id (its widgets' keys) and a name not in ``taken``."""
    st.session_state["compare_next_id"] = st.session_state.get("compare_next_id", 0) + 1
    return {"id": st.session_state["compare_next_id"], "name": compare.unique_name(name, taken), "document": document}


def make_items(named_documents) -> list[dict]:
    items: list[dict] = []
    for name, document in named_documents:
        items.append(new_item(name, document, {item["name"] for item in items}))
    return items


if "compare_items" not in st.session_state:
    first = designer_document()
    st.session_state["compare_items"] = make_items([("Designer", first), ("Step-decay baseline", step_baseline(first))])
items: list[dict] = st.session_state["compare_items"]


def item_by_id(uid: int) -> dict:
    return next(item for item in st.session_state["compare_items"] if item["id"] == uid)


def editor_text(document: dict) -> str:
    return dumps(from_config(document))


def on_document_edit(uid: int) -> None:
    item, key = item_by_id(uid), f"compare_doc_{uid}"
    try:
        item["document"] = loads(st.session_state[key]).to_config()
    except ConfigError as error:
        st.session_state["compare_error"] = f"{item['name']}: {error} — kept its previous document."
        st.session_state[key] = editor_text(item["document"])


def on_name_edit(uid: int) -> None:
    item, key = item_by_id(uid), f"compare_name_{uid}"
    name = st.session_state[key].strip()
    taken = {other["name"] for other in st.session_state["compare_items"] if other["id"] != uid}
    if not 0 < len(name) <= compare.MAX_NAME or name in taken:
        st.session_state["compare_error"] = f"name: must be 1 to {compare.MAX_NAME} characters and unlike the others."
        st.session_state[key] = item["name"]
    else:
        item["name"] = name


def on_add() -> None:
    source = st.session_state["compare_source"]
    name = "Designer" if source == DESIGNER else source
    items.append(new_item(name, source_document(source), {item["name"] for item in items}))


def on_remove(uid: int) -> None:
    st.session_state["compare_items"] = [item for item in st.session_state["compare_items"] if item["id"] != uid]


def on_import() -> None:
    uploaded = st.session_state.get("compare_file")
    if uploaded is None:
        return
    try:
        loaded = compare.load_set(uploaded.getvalue())
    except ConfigError as error:
        st.session_state["compare_error"] = f"Could not import {uploaded.name}: {error}"
        return
    st.session_state["compare_items"] = make_items((entry.name, entry.schedule.to_config()) for entry in loaded)


@st.cache_data(max_entries=32, show_spinner=False)
def curves_for(named_documents: tuple[tuple[str, str], ...]):
    return sample_many([(loads(text), name) for name, text in named_documents])


st.title("Compare schedules")
if message := st.session_state.pop("compare_error", None):
    st.error(message)

add_from, add_button = st.columns([3, 1], vertical_alignment="bottom")
add_from.selectbox("Add a schedule", [DESIGNER, *presets.PRESETS], key="compare_source")
add_button.button(
    "Add", icon=":material/add:", on_click=on_add, disabled=len(items) >= compare.MAX_SCHEDULES, key="compare_add"
)

for item in items:
    uid = item["id"]
    kind_title = KINDS[item["document"]["schedule"]["kind"]].title
    with st.expander(f"{item['name']} — {kind_title}"):
        st.session_state.setdefault(f"compare_name_{uid}", item["name"])
        st.session_state.setdefault(f"compare_doc_{uid}", editor_text(item["document"]))
        st.text_input("Name", key=f"compare_name_{uid}", on_change=on_name_edit, args=(uid,))
        st.text_area(
            "v1 document (edit, then click outside to apply)",
            height=260,
            key=f"compare_doc_{uid}",
            on_change=on_document_edit,
            args=(uid,),
        )
        st.button(
            "Remove",
            icon=":material/delete:",
            key=f"compare_remove_{uid}",
            on_click=on_remove,
            args=(uid,),
            disabled=len(items) <= compare.MIN_SCHEDULES,
        )

curves = curves_for(tuple((item["name"], json.dumps(item["document"])) for item in items))
log_scale = st.toggle("Log scale", key="compare_log")
if st.toggle("Small multiples", key="compare_multiples"):
    columns = st.columns(2)
    for index, curve in enumerate(curves):
        columns[index % 2].plotly_chart(make_figure([curve], log_scale), key=f"compare_chart_{index}")
else:
    st.plotly_chart(make_figure(curves, log_scale, height=460, mark_phases=False), key="compare_chart")

st.dataframe(pd.DataFrame({curve.name: format_stats(curve.stats) for curve in curves}), width="stretch")

st.subheader("Difference", divider="gray")
names = [item["name"] for item in items]
left, right = st.columns(2)
first = left.selectbox("Schedule", names, index=0, key="compare_first")
second = right.selectbox("minus", names, index=1, key="compare_second")
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
upload.file_uploader("Import a set", type=["json"], key="compare_file", on_change=on_import)
