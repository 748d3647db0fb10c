"""Verify: upload a real run's logs, compare the lr it used with a design, or fit one to it."""

import json

import pandas as pd
import streamlit as st

from pages import run_through_app
from schedules import ConfigError
from schedules.logs import LogError
from schedules.schedule import MAX_TOTAL_STEPS
from studio import design as design_logic
from studio import presets, text
from studio import verify as logic

run_through_app()

if link := st.session_state.pop("verify_open_params", None):  # set by "Open in the Designer"
    st.switch_page("pages/designer.py", query_params=link)


# A resource, not data: the series are read-only, and cache_data would unpickle a copy of every
# point on each rerun (a 50 MB log holds millions).
@st.cache_resource(max_entries=4, show_spinner="Reading the logs…")
def read_uploads(files: tuple[tuple[str, bytes], ...]):
    return logic.series_from_uploads(files)


@st.cache_resource(max_entries=4)
def run_design(files: tuple[tuple[str, bytes], ...]):
    return logic.saved_design(files)


# A resource: a diagnosis holds arrays as long as the log, read-only, kept once rather than copied
# on every rerun; keyed by the upload's digest, the series and the design.
@st.cache_resource(max_entries=2, show_spinner="Comparing the log with the design…")
def diagnosis_for(digest: str, name: str, design_json: str, _series, _schedule):
    return logic.compare(_series, _schedule)


# Keyed by the upload's digest and the series' name rather than by its arrays: hashing millions of
# points on every rerun would copy them.
@st.cache_data(max_entries=16, show_spinner="Fitting every schedule kind to the log…")
def fitted_for(digest: str, name: str, steps_per_epoch: int, _series):
    return logic.fit_series(_series, steps_per_epoch)


st.title("Verify a training run")
st.caption(
    "Upload a run's logs — TensorBoard event files, trainer_state.json, Lightning's metrics.csv, a W&B "
    "export, a CSV of step and lr, or a .zip of the run folder — to compare the learning rate it really "
    "used with its design, step by step."
)
uploads = st.file_uploader(
    "Training logs",
    accept_multiple_files=True,
    max_upload_size=logic.LOG_UPLOAD_MB,  # logs, unlike schedule documents, run to tens of MB (10⁶ steps: ~50 MB)
    help=f"Up to {logic.LOG_UPLOAD_MB} MB a file; a .zip of a run folder counts as one file.",
    key="verify_files",
)
files = tuple((upload.name, upload.getvalue()) for upload in uploads or ())
if not files and (opened := st.session_state.get("verify_run")):  # "Open in Verify" on the Train page
    files = opened["files"]
    st.caption(text.markdown(f"The run {opened['run']} from the Train page. Upload files to check another log."))
if files:
    try:
        st.session_state["verify_series"] = read_uploads(files)
        try:
            st.session_state["verify_run_design"] = run_design(files)
        except ConfigError as error:
            st.session_state["verify_run_design"] = None
            st.warning(text.markdown(f"The run's own design could not be read: {error}"))
        upload_id = logic.digest(files)
        if st.session_state.get("verify_upload_id") != upload_id:  # a new log: its own design, else the default
            st.session_state["verify_upload_id"] = upload_id
            own = st.session_state["verify_run_design"]
            st.session_state["verify_source"] = logic.default_source(st.session_state, own)
    except LogError as error:
        st.error(
            text.markdown(f"Could not read the upload: {error}"), icon=":material/warning:"
        )  # the last good log stays
found = st.session_state.get("verify_series")
if not found:
    st.info("No log yet: upload one or more files, or a .zip of a run folder.", icon=":material/upload_file:")
    st.stop()

by_name = {series.name: series for series in logic.ranked(found)}
if len(found) > 1:
    chosen_name = st.selectbox(
        f"The log holds {len(found):,} learning-rate series, the likeliest first (type to search)",
        list(by_name),
        index=list(by_name).index(logic.likeliest(found).name),
        format_func=lambda name: by_name[name].describe(),
        key="verify_series_name",
    )
else:
    chosen_name = found[0].name
    st.text(f"Learning-rate series: {found[0].describe()}")
series = by_name.get(chosen_name, found[0])
if facts := logic.stated(series.info):
    st.caption(text.markdown(facts))
for note in series.notes:
    st.warning(text.markdown(note), icon=":material/report:")
own_design = st.session_state.get("verify_run_design")

left, right = st.columns([2, 1])
options = logic.sources(own_design)
if st.session_state.get("verify_source") not in options:
    st.session_state["verify_source"] = logic.default_source(st.session_state, own_design)
source = left.radio("Compare with", options, horizontal=True, key="verify_source")
design, document_file = None, None
try:
    if source == logic.PRESET:
        name = left.selectbox("Preset", list(presets.PRESETS), key="verify_preset")
        design = logic.design_for(source, st.session_state, preset=name)
    elif source == logic.UPLOADED:
        document_file = left.file_uploader(
            "The v1 document the run followed",
            type=["json"],
            max_upload_size=design_logic.UPLOAD_MB,
            key="verify_document",
        )
        design = logic.design_for(source, st.session_state, uploaded=document_file and document_file.getvalue())
        if design is None:
            st.info("Upload the run's v1 document to compare with it.")
    elif source in (logic.DESIGNER, logic.RUN):
        design = logic.design_for(source, st.session_state, run=own_design)
except ConfigError as error:
    st.error(
        text.markdown(f"Could not read {document_file.name if document_file else 'the design'}: {error}"),
        icon=":material/warning:",
    )

default_steps = design.steps_per_epoch if design is not None else 1
if st.session_state.get("verify_steps_for") != (source, default_steps):  # a new design brings its own
    st.session_state["verify_steps_for"] = (source, default_steps)
    st.session_state["verify_steps_per_epoch"] = default_steps
steps_per_epoch = right.number_input(
    "Steps per epoch",
    min_value=1,
    max_value=MAX_TOTAL_STEPS,
    step=1,
    help="Optimizer steps in one epoch of the run: the design's epochs map onto the log's steps through it.",
    key="verify_steps_per_epoch",
)

if source == logic.FIT:
    try:
        fitted = fitted_for(st.session_state["verify_upload_id"], series.name, int(steps_per_epoch), series)
    except ValueError as error:  # too few points, or no kind of the catalog explains them
        st.warning(text.markdown(f"No schedule could be fitted to {series.name}: {error}"))
        st.stop()
    st.subheader("The schedule fitted to the log", divider="gray")
    # A run with skipped steps: its design, which explains every record once they are taken out.
    skipped = logic.fits_without_skips(fitted)
    if fitted.matches:
        st.success(f"This schedule matches every logged step (largest relative difference {fitted.max_rel_error:.2g}).")
    elif skipped:
        st.warning(
            "The scheduler missed the optimizer steps said below: with them taken out, the log fits this design "
            f"(as logged, its largest relative difference is {fitted.max_rel_error:.3g})."
        )
    else:
        st.warning(
            f"No kind matches every step as logged; this is the closest (largest relative difference "
            f"{fitted.max_rel_error:.3g}, rms {fitted.rms_rel_error:.3g}). It is not a design to open: compare the "
            "log with the design the run meant to follow to see what went wrong."
        )
    if fitted.convention:
        st.caption(text.markdown(f"The log {fitted.convention.removeprefix('it ')}."))
    for finding in fitted.findings:  # what the log itself shows went wrong
        st.error(text.markdown(finding["sentence"]), icon=":material/report:")
    for sentence in fitted.undetermined:
        st.text(f"• {sentence}")
    st.plotly_chart(logic.fit_figure(series, fitted), key="verify_fit_chart")
    st.code(json.dumps(fitted.document, indent=2), language="json")
    if fitted.matches or skipped:  # only a design that explains the log is worth opening
        st.button(
            "Open this design in the Designer" if skipped else "Open in the Designer",
            icon=":material/open_in_new:",
            on_click=lambda: st.session_state.update(
                verify_open_params=logic.open_in_designer(st.session_state, fitted.document)
            ),
            key="verify_open_without" if skipped else "verify_open",
        )
    st.stop()

if design is None:
    st.stop()
try:
    schedule = logic.with_steps_per_epoch(design, int(steps_per_epoch))
except ConfigError as error:
    st.error(text.markdown(f"The design does not fit {int(steps_per_epoch):,} steps per epoch: {error}"))
    st.stop()
try:
    diagnosis = diagnosis_for(
        st.session_state["verify_upload_id"], series.name, json.dumps(schedule.to_config()), series, schedule
    )
except LogError as error:  # logged epochs past the engine's range at these steps per epoch
    st.error(text.markdown(str(error)))
    st.stop()
level, sentence = logic.verdict(diagnosis, series.name)
(st.success if level == "success" else st.error)(text.markdown(sentence))
for finding in diagnosis.findings:
    st.text(f"• {finding['sentence']}")
if diagnosis.findings:
    with st.expander("Findings as data"):
        st.dataframe(pd.DataFrame(logic.findings_table(diagnosis)), hide_index=True, width="stretch")
st.plotly_chart(logic.overlay_figure(diagnosis, series.name, series.unit), key="verify_chart")
