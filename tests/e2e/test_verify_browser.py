"""Verify a run in headless Chromium: upload a run folder's files, read the diagnosis over the
design, then fit a schedule to the log and open it in the Designer."""

from pathlib import Path

import numpy as np
import pytest

from schedules import from_config
from studio import design

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DESIGNED = from_config(design.document(design.DEFAULTS))  # the Designer's schedule in a fresh session


def run_folder(folder: Path, factor: int) -> list[str]:
    """A run folder as a trainer leaves it: TensorBoard event files (lr and loss per step, the
    scheduler stepped ``factor`` times per optimizer step) beside a model config."""
    event_pb2 = pytest.importorskip("tensorboard.compat.proto.event_pb2")
    summary_pb2 = pytest.importorskip("tensorboard.compat.proto.summary_pb2")
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(folder))
    steps = np.arange(DESIGNED.total_steps)
    for step, value in zip(steps, DESIGNED.lr(factor * steps), strict=True):
        values = [
            summary_pb2.Summary.Value(tag="train/learning_rate", simple_value=value),
            summary_pb2.Summary.Value(tag="train/loss", simple_value=1.0 / (step + 1)),
        ]
        writer.add_event(event_pb2.Event(step=int(step), wall_time=1.0, summary=summary_pb2.Summary(value=values)))
    writer.close()
    (folder / "config.json").write_text('{"hidden_size": 64}')
    return [str(path) for path in sorted(folder.iterdir())]


def open_verify(page):
    page.get_by_role("link", name="Verify a run").click()
    page.get_by_role("heading", name="Verify a training run").wait_for(timeout=30_000)


def test_upload_a_run_folder_see_the_diagnosis_then_open_the_fit_in_the_designer(page, tmp_path):
    files = run_folder(tmp_path, factor=4)
    page.set_viewport_size({"width": 1280, "height": 1500})  # tall enough for the picture to hold the chart
    open_verify(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(files)
    # A fresh session never compares with a Designer default it did not set: it fits first.
    page.get_by_text("No kind matches every step").or_(page.get_by_text("This schedule matches every")).first.wait_for(
        timeout=120_000
    )
    page.get_by_text("The Designer's schedule").click()
    page.get_by_text("Mismatch:").wait_for(timeout=60_000)
    page.get_by_text("the schedule runs 4.00× faster than designed").first.wait_for(timeout=30_000)
    chart = page.locator(".js-plotly-plot").first
    # The fit's chart stands in its place until the comparison's is drawn: wait for the new one.
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot')?._fullData.some(trace => trace.name === 'designed')",
        timeout=30_000,
    )
    legend = chart.locator(".legendtext").all_text_contents()
    assert legend[:2] == ["designed", "logged: train/learning_rate"]
    assert "first mismatch" in legend and "first defect" in legend
    ticks = chart.locator(".ytick text").all_text_contents() + chart.locator(".y2tick text").all_text_contents()
    assert ticks and not [tick for tick in ticks if tick[-1] in "munpfµk"]  # no SI prefix ("20µ", "20f")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ROOT / "test-artifacts" / "verify-1280.png"))

    page.get_by_text("No design: fit one").click()
    page.get_by_text("This schedule matches every logged step").wait_for(timeout=120_000)
    page.get_by_role("button", name="Open in the Designer").click()
    page.get_by_role("heading", name="LR schedule designer").wait_for(timeout=30_000)
    page.wait_for_function("() => new URL(location.href).searchParams.get('steps_per_epoch') === '1'")
    query = page.evaluate("() => Object.fromEntries(new URL(location.href).searchParams)")
    assert query["kind"] == "cosine"  # the 4× faster cosine, read back as a cosine
    assert float(query["total_epochs"]) == pytest.approx(DESIGNED.total_steps / 4, abs=1)
    assert float(query["warmup_epochs"]) == pytest.approx(DESIGNED.warmup_steps / 4, abs=1)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_bad_file_names_itself_and_changes_nothing_else(page, tmp_path):
    bad = tmp_path / "weights.bin"
    bad.write_bytes(b"\x00\x01\x02")
    open_verify(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(bad))
    alert = page.get_by_text("Could not read the upload: weights.bin: not a log of any known kind")
    alert.wait_for(timeout=30_000)
    assert page.get_by_text("No log yet").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_studio_run_folder_is_checked_against_its_own_design(page, tmp_path):
    """A real run of the demo (its run.json and TensorBoard files), zipped as a user uploads it."""
    import json
    import shutil
    import subprocess
    import sys

    config = tmp_path / "design.json"
    own = design.document(design.DEFAULTS | {"kind": "linear", "steps_per_epoch": 45})
    config.write_text(json.dumps(own))
    runs = tmp_path / "runs"
    subprocess.run(
        [sys.executable, "-m", "training.demo", "--config", str(config), "--epochs", "2"],
        cwd=ROOT,
        env={**__import__("os").environ, "RUNS_DIR": str(runs)},
        check=True,
        capture_output=True,
        timeout=300,
    )
    (folder,) = runs.iterdir()
    archive = shutil.make_archive(str(tmp_path / folder.name), "zip", runs, folder.name)
    open_verify(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(archive)
    page.get_by_text("Match: all 90 logged steps of learning_rate follow the design").wait_for(timeout=120_000)
    chosen = page.locator('[data-testid="stRadio"] input:checked').first
    assert chosen.evaluate("input => input.closest('label').innerText") == "The run's own design (run.json)"
    assert page.get_by_role("spinbutton", name="Steps per epoch").input_value() == "45"
    assert page.locator('[data-testid="stException"]').count() == 0
