"""The Designer's Run section, run headless by Streamlit's AppTest: budgets in the user's units."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import schedules
from studio import design, links, presets
from tests.pages.conftest import ROOT, plain, traces

IMAGENET = {"run_dataset_size": 1_281_167, "run_micro_batch": 64, "run_gradient_accumulation": 4, "run_devices": 8}
ARITHMETIC = (
    "1,281,167 samples ÷ (64 × 4 accumulation × 8 devices) = 625 optimizer steps per epoch, last partial batch dropped"
)


def captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.caption]


def infos(at: AppTest) -> list[str]:
    return [info.value for info in at.info]


def x_title(at: AppTest, index: int = 0) -> str:
    return json.loads(at.get("plotly_chart")[index].proto.spec)["layout"]["xaxis"]["title"]["text"]


@pytest.fixture
def imagenet(app):
    """The run section on, planned as ImageNet on 8 devices with 4 accumulation steps of 64."""
    app.toggle(key="run_enabled").set_value(True).run()
    for key, value in IMAGENET.items():
        app.number_input(key=key).set_value(value).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    return app


def test_the_section_is_off_by_default_and_the_page_unchanged(app):
    assert not app.toggle(key="run_enabled").value
    assert not app.number_input(key="steps_per_epoch").proto.disabled
    assert app.selectbox(key="x_unit").options == ["x-axis: epochs", "x-axis: steps"]
    assert x_title(app) == "epoch"


def test_the_run_derives_the_steps_per_epoch_and_shows_the_arithmetic(imagenet):
    steps = imagenet.number_input(key="steps_per_epoch")
    assert steps.value == 625 and steps.proto.disabled
    assert infos(imagenet) == [ARITHMETIC]
    doc = imagenet.session_state["schedule_document"]
    assert doc["steps_per_epoch"] == 625 and doc["run"]["devices"] == 8
    assert traces(imagenet)[0][0]["customdata"][-1] == 100 * 625 - 1  # 100 epochs of 625 steps drawn


def test_the_x_axis_in_samples(imagenet):
    assert imagenet.selectbox(key="x_unit").options == ["x-axis: epochs", "x-axis: steps", "x-axis: samples"]
    imagenet.selectbox(key="x_unit").set_value("samples").run()
    assert x_title(imagenet) == x_title(imagenet, 1) == "samples seen"
    designed = traces(imagenet)[0][0]
    steps, epochs = designed["customdata"][:, 0], designed["customdata"][:, 1]
    np.testing.assert_array_equal(designed["x"], steps * 2048)
    np.testing.assert_array_equal(epochs, steps / 625)
    assert designed["x"][-1] == (100 * 625 - 1) * 2048
    assert imagenet.query_params["studio.x_unit"] == "samples"


def test_a_run_smaller_than_one_batch_shows_its_sentence_and_keeps_the_last_curve(imagenet):
    good = traces(imagenet)[0][0]
    imagenet.number_input(key="run_dataset_size").set_value(1000).run()
    assert not imagenet.exception
    (error,) = imagenet.error
    assert plain(error.value) == (
        "run.dataset_size: 1,000 samples are fewer than one global batch (2,048): with drop_last no step would run"
        " — showing the last valid schedule."
    )
    np.testing.assert_array_equal(traces(imagenet)[0][0]["y"], good["y"])
    np.testing.assert_array_equal(traces(imagenet)[0][0]["customdata"], good["customdata"])
    assert json.loads(imagenet.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"].endswith(
        "last valid schedule"
    )
    assert imagenet.session_state["schedule_document"]["steps_per_epoch"] == 625
    assert infos(imagenet) == []
    imagenet.number_input(key="run_dataset_size").set_value(1_281_167).run()
    assert not imagenet.error


def test_the_scaling_button_sets_the_base_lr_and_says_how(imagenet):
    assert "linear rule: 0.1 × 2048 / 256 = 0.8" in captions(imagenet)  # before the click: what it would do
    imagenet.button(key="scale_apply").click().run()
    assert imagenet.select_slider(key="base_lr").value == 0.8
    (message,) = imagenet.success
    assert message.value == "Base lr set to 0.8 by the linear rule: 0.1 × 2048 / 256 = 0.8."
    assert imagenet.session_state["schedule_document"]["schedule"]["base_lr"] == 0.8
    imagenet.radio(key="scale_rule").set_value("sqrt").run()
    imagenet.button(key="scale_apply").click().run()
    assert imagenet.select_slider(key="base_lr").value == pytest.approx(0.1 * 8**0.5)
    assert "square-root rule: 0.1 × √(2048 / 256) = 0.282843" in imagenet.success[0].value


def test_a_base_lr_the_rule_no_longer_gives_is_said_and_one_click_reapplies_it(imagenet):
    imagenet.radio(key="scale_rule").set_value("sqrt").run()
    imagenet.button(key="scale_apply").click().run()
    assert not imagenet.warning
    imagenet.number_input(key="run_devices").set_value(16).run()  # the rule now gives 0.4
    (warning,) = imagenet.warning
    assert plain(warning.value) == (
        "The base lr (0.282843) no longer follows the rule, which now gives 0.4: *Set base lr* again to apply it."
    )
    imagenet.button(key="scale_apply").click().run()
    assert imagenet.select_slider(key="base_lr").value == pytest.approx(0.4) and not imagenet.warning


def test_warmup_in_steps_becomes_epochs_in_the_document(imagenet):
    imagenet.radio(key="phase_unit").set_value("steps").run()
    assert imagenet.number_input(key="warmup_amount").value == 5 * 625  # from the 5 epochs it had
    imagenet.number_input(key="warmup_amount").set_value(2000).run()
    assert not imagenet.error
    assert "2,000 steps = 3.2 epochs." in captions(imagenet)
    assert imagenet.session_state["schedule_document"]["schedule"]["warmup_epochs"] == 3.2
    assert 2000 in traces(imagenet)[0][0]["customdata"]  # the warm-up ends at step 2,000 exactly
    imagenet.radio(key="phase_unit").set_value("epochs").run()
    assert imagenet.slider(key="warmup_epochs").value == 3.2


def test_hold_in_samples_follows_the_devices(imagenet):
    imagenet.radio(key="phase_unit").set_value("samples").run()
    imagenet.number_input(key="hold_amount").set_value(4_096_000).run()  # 2,000 steps of 2,048
    assert schedules.from_config(imagenet.session_state["schedule_document"]).hold_steps == 2000
    imagenet.number_input(key="run_devices").set_value(16).run()  # 4,096 a step, 312 steps per epoch
    assert imagenet.number_input(key="hold_amount").value == 4_096_000
    assert schedules.from_config(imagenet.session_state["schedule_document"]).hold_steps == 1000


def test_a_token_budget_sets_the_total_epochs(app):
    app.toggle(key="run_enabled").set_value(True).run()
    app.radio(key="run_unit").set_value("tokens").run()
    app.number_input(key="run_dataset_size").set_value(10_000_000).run()
    app.number_input(key="run_sequence_length").set_value(2048).run()
    app.number_input(key="run_micro_batch").set_value(8).run()
    assert app.number_input(key="steps_per_epoch").value == 610
    app.radio(key="run_total_unit").set_value("tokens").run()
    app.number_input(key="run_token_budget").set_value(1_000_000_000).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    total = 1_000_000_000 / (610 * 8 * 2048)
    assert app.session_state["schedule_document"]["schedule"]["total_epochs"] == total
    assert app.number_input(key="total_epochs").proto.disabled
    assert f"1,000,000,000 tokens = {total:.6g} epochs (61,035 steps): the total epochs follow the budget." in (
        captions(app)
    )
    app.selectbox(key="x_unit").set_value("tokens").run()
    assert x_title(app) == "tokens seen"
    assert traces(app)[0][0]["x"][-1] == 61_034 * 8 * 2048


def test_turning_the_section_off_keeps_the_steps_and_returns_the_axis_to_epochs(imagenet):
    imagenet.selectbox(key="x_unit").set_value("samples").run()
    imagenet.toggle(key="run_enabled").set_value(False).run()
    assert not imagenet.exception and not imagenet.error
    assert imagenet.selectbox(key="x_unit").value == "epochs" and x_title(imagenet) == "epoch"
    steps = imagenet.number_input(key="steps_per_epoch")
    assert steps.value == 625 and not steps.proto.disabled
    assert "run" not in imagenet.session_state["schedule_document"]


def test_a_link_with_a_run_reopens_it(imagenet):
    imagenet.selectbox(key="x_unit").set_value("samples").run()
    params = {key: value[-1] if isinstance(value, list) else value for key, value in imagenet.query_params.items()}
    assert params["run_devices"] == "8" and params["steps_per_epoch"] == "625"
    reopened = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        reopened.query_params[key] = value
    reopened.run()
    assert not reopened.exception and not reopened.warning and not reopened.error
    assert reopened.toggle(key="run_enabled").value
    assert reopened.number_input(key="run_gradient_accumulation").value == 4
    assert reopened.number_input(key="steps_per_epoch").value == 625
    assert infos(reopened) == [ARITHMETIC]
    assert x_title(reopened) == "samples seen"
    assert reopened.session_state["schedule_document"] == imagenet.session_state["schedule_document"]


def test_a_link_whose_run_disagrees_with_its_steps_is_named():
    schedule = schedules.from_config(design.document(design.DEFAULTS | {"run_enabled": True}))
    params = links.to_link(schedule, design.DEFAULTS) | {"steps_per_epoch": "391"}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    (warning,) = at.warning
    assert "steps_per_epoch: must be 390 as run implies (50,000 samples ÷ 128" in plain(warning.value)
    assert not at.toggle(key="run_enabled").value


def test_a_preset_loaded_while_warmup_is_in_steps_keeps_its_own_warmup(app):
    name = "Hugging Face linear with warm-up"  # 0.3 epochs of warm-up at 1,000 steps per epoch
    app.radio(key="phase_unit").set_value("steps").run()
    app.number_input(key="warmup_amount").set_value(30).run()  # 0.3 epochs at 100 steps per epoch
    assert app.session_state["warmup_epochs"] == 0.3
    app.selectbox(key="preset").set_value(name).run()
    assert not app.exception and not app.error
    assert schedules.from_config(app.session_state["schedule_document"]) == presets.preset(name)
    assert app.number_input(key="warmup_amount").value == 300  # the preset's warm-up, in steps
