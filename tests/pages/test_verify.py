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


def upload(page, *files):
    page.file_uploader(key="verify_files").set_value([(name, data, "application/octet-stream") for name, data in files])
    return page.run()


def test_before_an_upload_it_asks_for_one(page):
    assert not page.exception
    assert "No log yet" in page.info[0].value


def test_a_clean_log_matches_the_designers_schedule_even_if_never_opened(page):
    upload(page, ("metrics.csv", designed_log()))
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
    assert "first mismatch" in names and "largest mismatch" in names


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
