"""The Verify page, run headless by AppTest: upload, verdict, findings, fit, open in the Designer."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from schedules import from_config
from studio import design
from studio.presets import PRESETS
from tests.pages.conftest import ROOT, plain, traces

DESIGNED = from_config(design.document(design.DEFAULTS))  # what the Designer shows before any change
DESIGNER_SOURCE = "The Designer's schedule"


def csv(values, column="lr") -> bytes:
    rows = [f"step,{column}"] + [f"{step},{float(np.float32(v))!r}" for step, v in enumerate(values)]
    return ("\n".join(rows) + "\n").encode()


def designed_log(shift=0, factor=1):
    return csv(DESIGNED.lr(factor * np.arange(DESIGNED.total_steps) + shift))


@pytest.fixture
def page():
    """The app, switched to the Verify page (through the app's navigation, as a user reaches it)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    return app.switch_page("pages/verify.py").run()


def upload(page, *files, source=DESIGNER_SOURCE):
    """Upload ``files``, then compare with ``source`` (None: what the page chose by itself)."""
    page.file_uploader(key="verify_files").set_value([(name, data, "application/octet-stream") for name, data in files])
    page.run()
    if source is not None and not page.exception and page.radio(key="verify_source").value != source:
        page.radio(key="verify_source").set_value(source).run()
    return page


def test_before_an_upload_it_asks_for_one(page):
    assert not page.exception
    assert "No log yet" in page.info[0].value


def test_a_fresh_session_fits_the_log_and_never_compares_with_a_designer_default_unasked(page):
    upload(page, ("metrics.csv", designed_log()), source=None)
    assert page.radio(key="verify_source").value == "No design: fit one"
    assert plain(page.success[0].value).startswith("This schedule matches every logged step")
    page.radio(key="verify_source").set_value(DESIGNER_SOURCE).run()  # asked for: the Designer's defaults
    assert not page.exception
    assert plain(page.success[0].value).startswith("Match: all 10,000 logged steps of lr follow the design")
    chart = traces(page)[0]
    assert [trace["name"] for trace in chart][:3] == ["designed", "logged: lr", "relative difference"]
    np.testing.assert_allclose(chart[0]["y"][:5], DESIGNED.lr(chart[0]["x"][:5]))


def test_a_stretched_log_is_diagnosed_with_its_findings_and_marks(page):
    upload(page, ("metrics.csv", designed_log(factor=4)))
    assert plain(page.error[0].value).startswith("Mismatch: ")
    findings = page.dataframe[0].value
    assert findings["type"].tolist() == ["stretch"]
    assert findings["finding"][0].startswith("the schedule runs 4.00× faster than designed")
    assert page.text[-1].value.startswith("• the schedule runs 4.00× faster than designed")
    names = [trace["name"] for trace in traces(page)[0]]
    assert "first mismatch" in names and "first defect" in names
    chart = page.get("plotly_chart")[0].proto.spec
    assert json.loads(chart)["layout"]["yaxis"]["exponentformat"] == "e"  # "2e-5", not "20µ"


def test_a_bad_file_says_so_in_one_sentence_and_leaves_the_rest(page):
    upload(page, ("metrics.csv", designed_log(shift=1)))
    before = traces(page)[0]
    upload(page, ("model.bin", b"\x00\x01"))
    assert plain(page.error[0].value) == (
        "Could not read the upload: model.bin: not a log of any known kind "
        "(TensorBoard events, trainer_state.json, or CSV as .csv, .txt or .log)"
    )
    assert [t["name"] for t in traces(page)[0]] == [t["name"] for t in before]  # the last good log stays
    assert page.dataframe[0].value["type"].tolist()[0] == "offset"


def test_several_series_are_listed_to_choose_from(page):
    values = DESIGNED.lr(np.arange(DESIGNED.total_steps))
    rows = ["step,lr-SGD/pg1,lr-SGD/pg2"] + [f"{s},{float(v)!r},{float(2 * v)!r}" for s, v in enumerate(values)]
    upload(page, ("metrics.csv", ("\n".join(rows) + "\n").encode()))
    box = page.selectbox(key="verify_series_name")
    assert box.options == [
        "'lr-SGD/pg1' (10,000 points, steps 0–9,999)",
        "'lr-SGD/pg2' (10,000 points, steps 0–9,999)",
    ]
    assert page.success  # the first matches
    box.set_value("lr-SGD/pg2").run()
    assert page.dataframe[0].value["type"].tolist() == ["scale"]


def test_compare_with_a_preset_and_its_steps_per_epoch(page):
    preset = from_config(PRESETS["1cycle"])
    upload(page, ("lr.csv", csv(preset.lr(np.arange(preset.total_steps)))))
    page.radio(key="verify_source").set_value("A preset").run()
    page.selectbox(key="verify_preset").set_value("1cycle").run()
    assert page.number_input(key="verify_steps_per_epoch").value == 100
    assert plain(page.success[0].value).startswith("Match: all 3,000 logged steps")
    page.number_input(key="verify_steps_per_epoch").set_value(50).run()
    assert plain(page.error[0].value).startswith("Mismatch")


def test_an_uploaded_document(page):
    upload(page, ("metrics.csv", designed_log()))
    page.radio(key="verify_source").set_value("A v1 document").run()
    page.file_uploader(key="verify_document").set_value(("bad.json", b'{"format": 1}', "application/json")).run()
    assert plain(page.error[0].value).startswith('Could not read bad.json: format: must be "lr-schedule"')
    good = json.dumps(DESIGNED.to_config()).encode()
    page.file_uploader(key="verify_document").set_value(("run.json", good, "application/json")).run()
    assert plain(page.success[0].value).startswith("Match")


def test_fit_then_open_in_the_designer(page):
    truth = from_config(design.document(design.DEFAULTS | {"kind": "step", "steps_per_epoch": 10}))
    upload(page, ("metrics.csv", csv(truth.lr(np.arange(truth.total_steps)))))
    page.radio(key="verify_source").set_value("No design: fit one").run()
    page.number_input(key="verify_steps_per_epoch").set_value(10).run()
    assert plain(page.success[0].value).startswith("This schedule matches every logged step")
    proposed = json.loads(page.code[0].value)
    assert proposed["schedule"]["kind"] == "step" and proposed["schedule"]["epochs_per_drop"] == 30.0
    page.button(key="verify_open").click().run()
    assert not page.exception
    assert page.session_state["kind"] == "step" and page.session_state["steps_per_epoch"] == 10
    assert page.session_state["schedule_document"]["schedule"]["epochs_per_drop"] == 30.0
    assert page.title[0].value == "LR schedule designer"


def test_a_series_named_like_markup_shows_as_text_in_messages_and_charts(page):
    name = "lr [sign in](https://evil.example) <a href='https://evil.example'>x</a> **bold**"
    page = upload(page, ("run.csv", designed_log(shift=1).replace(b"step,lr", f"step,{name}".encode())))
    assert not page.exception
    shown = [element.value for element in (*page.success, *page.error, *page.warning, *page.info)]
    assert shown and all("[sign in](" not in value and "**bold**" not in value for value in shown)
    assert any("\\[sign in\\]" in value for value in shown)  # escaped: the brackets read as typed
    for chart in traces(page):
        for trace in chart:
            assert "<a " not in trace.get("name", "")
    titles = [
        json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "") for chart in page.get("plotly_chart")
    ]
    assert all("<a " not in title for title in titles) and any("&lt;a" in title for title in titles)


def test_many_series_say_how_many_and_offer_the_likeliest_first(page):
    header = ",".join(f"lr-{i:03}" for i in range(300))
    rows = [f"step,{header}"] + [f"{s}," + ",".join(["0.1"] * 300) for s in range(3)]
    epochs = "epoch,epoch_learning_rate\n" + "".join(f"{e},0.1\n" for e in range(5))
    upload(page, ("metrics.csv", ("\n".join(rows) + "\n").encode()), ("keras.csv", epochs.encode()))
    box = page.selectbox(key="verify_series_name")
    assert box.label == "The log holds 301 learning-rate series, the likeliest first (type to search)"
    assert len(box.options) == 301 and box.options[-1] == "'keras.csv/epoch_learning_rate' (5 points, epochs 0–4)"
    assert box.value == "metrics.csv/lr-000"


def test_what_a_reader_left_out_is_said_beside_the_series(page):
    state = b'{"log_history": [{"step": 1, "learning_rate": 0.1}, {"step": 2, "learning_rate": NaN}]}'
    upload(page, ("trainer_state.json", state))
    assert not page.exception
    assert [plain(w.value) for w in page.warning] == [
        "trainer_state.json: 1 non-finite value(s) of learning_rate are left out"
    ]


def test_a_zip_bomb_is_one_sentence_and_the_last_log_stays(page, monkeypatch):
    from schedules.logs import limits
    from tests.schedules.test_log_limits import deflated_zip

    upload(page, ("metrics.csv", designed_log()))
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 4 * 2**20)
    upload(page, ("run.zip", deflated_zip("run/metrics.csv", b"step,lr\n", b"0,0.1\n", 32 * 2**20)))
    assert not page.exception
    assert plain(page.error[0].value) == (
        "Could not read the upload: run/metrics.csv: more than the 4,194,304 bytes read from one file"
    )
    assert plain(page.success[0].value).startswith("Match: all 10,000 logged steps")


def test_logged_epochs_past_the_engines_range_are_one_sentence(page):
    upload(page, ("log.csv", b"epoch,lr\n0,0.1\n100000000000000,0.1\n"))
    page.radio(key="verify_source").set_value("A preset").run()
    assert not page.exception
    assert plain(page.error[0].value) == "the log's epoch 100,000,000,000,000 × 100 steps per epoch is past step 10^15"


def test_the_document_uploader_keeps_its_own_one_megabyte_limit(page):
    upload(page, ("metrics.csv", designed_log()))
    page.radio(key="verify_source").set_value("A v1 document").run()
    assert page.file_uploader(key="verify_document").proto.max_upload_size_mb == design.UPLOAD_MB == 1
    assert page.file_uploader(key="verify_files").proto.max_upload_size_mb == 200


def run_folder_zip(schedule, values, name="20261130-120000-cosine") -> bytes:
    """A studio run folder zipped as a user uploads it: run.json (its design) beside train/ events."""
    import io
    import zipfile

    from tests.schedules.test_log_limits import event_file

    events = event_file(range(len(values)), tag=b"learning_rate")
    # event_file writes 0.5 / (s + 1); rewrite the records with the run's own values instead
    from tests.schedules.test_log_limits import VERSION, record, scalar_event

    events = record(VERSION) + b"".join(
        record(scalar_event(step, float(value), b"learning_rate")) for step, value in enumerate(values)
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr(f"{name}/run.json", json.dumps({"schedule": schedule.to_config(), "status": "completed"}))
        handle.writestr(f"{name}/train/events.out.tfevents.1.host", events)
    return archive.getvalue()


def test_a_studio_run_folder_is_checked_against_its_own_design_and_steps_per_epoch(page):
    own = from_config(design.document(design.DEFAULTS | {"kind": "linear", "steps_per_epoch": 7, "total_epochs": 20}))
    values = own.lr(np.arange(own.total_steps))
    upload(page, ("run.zip", run_folder_zip(own, values)), source=None)
    assert page.radio(key="verify_source").value == "The run's own design (run.json)"
    assert page.number_input(key="verify_steps_per_epoch").value == 7
    assert plain(page.success[0].value).startswith(f"Match: all {own.total_steps:,} logged steps of learning_rate")


def test_a_design_the_user_set_in_the_designer_is_the_default(page):
    page.session_state["schedule_document"] = from_config(
        design.document(design.DEFAULTS | {"base_lr": 0.05})
    ).to_config()
    upload(page, ("metrics.csv", designed_log()), source=None)
    assert page.radio(key="verify_source").value == DESIGNER_SOURCE
    assert plain(page.error[0].value).startswith("Mismatch")  # 5× the log's lr: a scale finding


def test_what_the_file_states_about_its_run_is_shown(page):
    state = {
        "max_steps": 30,
        "logging_steps": 10,
        "num_train_epochs": 3,
        "log_history": [{"step": s, "learning_rate": 1e-3 * (1 - s / 30)} for s in (10, 20, 30)],
    }
    upload(page, ("trainer_state.json", json.dumps(state).encode()), source=None)
    assert "The file states max_steps 30, logging_steps 10, num_train_epochs 3." in [
        plain(c.value) for c in page.caption
    ]
    assert plain(page.success[0].value).startswith("This schedule matches every logged step")
    fitted = json.loads(page.code[0].value)["schedule"]
    assert fitted == {
        "kind": "linear",
        "base_lr": 0.001,
        "total_epochs": 30.0,
        "warmup_epochs": 0.0,
        "hold_epochs": 0.0,
        "epsilon": 0.0,
    }
    assert any(t.value.startswith("• warmup_epochs: not determined by this log") for t in page.text)


def test_a_fit_that_does_not_explain_the_log_offers_nothing_to_open(page):
    noise = np.random.default_rng(0).uniform(1e-4, 1e-2, 300)
    upload(page, ("noise.csv", csv(noise)), source=None)
    assert not page.success and plain(page.warning[0].value).startswith("No kind matches every step")
    assert plain(page.warning[0].value).endswith(
        "compare the log with the design the run meant to follow to see what went wrong."
    )
    assert not [b for b in page.button if b.key == "verify_open"]


def test_without_a_design_skipped_steps_are_read_off_the_log(page):
    """A real fp16 loop's log (GradScaler skipped steps 12 and 30): no kind explains it as logged;
    the page says where the lr fell behind its steady course, and offers the design it fits with
    those steps taken out — the run's own (cosine, 5 warm-up steps of 40)."""
    log = ROOT / "tests" / "data" / "real_logs" / "gen-torch-gradscaler-skipped-steps" / "lr.csv"
    upload(page, ("lr.csv", log.read_bytes()), source=None)
    assert page.radio(key="verify_source").value == "No design: fit one"
    warning = plain(page.warning[0].value)
    assert warning.startswith("The scheduler missed the optimizer steps said below: with them taken out, the log")
    assert [plain(e.value) for e in page.error] == [
        "the lr falls 2 steps behind its steady course, by 1 step between steps 12 and 13 and 1 more between "
        "steps 30 and 31: optimizer steps skipped by a mixed-precision loss scaler, which do not step the "
        "scheduler? With them and the lag of 1 the log has from its first record taken out, the log fits cosine."
    ]
    assert [b.label for b in page.button if b.key.startswith("verify_open")] == ["Open this design in the Designer"]
    without = json.loads(page.code[-1].value)["schedule"]
    assert (without["kind"], without["base_lr"], without["total_epochs"], without["warmup_epochs"]) == (
        "cosine",
        0.001,
        40.0,
        5.0,
    )
    chart = json.loads(page.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["yaxis"]["exponentformat"] == "e"
    page.button(key="verify_open_without").click().run()
    assert not page.exception and page.title[0].value == "LR schedule designer"
    assert page.session_state["kind"] == "cosine" and page.session_state["warmup_epochs"] == 5.0
