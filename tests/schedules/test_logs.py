"""Learning-rate series read back from every log format, as real writers leave them."""

import io
import json
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.logs import LogError, choose, is_lr_name, limits, read_files, read_path


def tensorboard() -> SimpleNamespace:
    """TensorBoard's own protobuf classes and record writer, which write the event files these tests
    read: the format as TensorBoard defines it, not as our reader assumes it. Only a test that
    writes one skips where TensorBoard is missing; the CSV and JSON readers' tests still run."""
    pytest.importorskip("tensorboard", reason="TensorBoard is not installed: its writer makes the event files")
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
    from tensorboard.summary.writer import record_writer

    return SimpleNamespace(
        Event=event_pb2.Event,
        Summary=summary_pb2.Summary,
        SummaryMetadata=summary_pb2.SummaryMetadata,
        TensorProto=tensor_pb2.TensorProto,
        TensorShapeProto=tensor_shape_pb2.TensorShapeProto,
        RecordWriter=record_writer.RecordWriter,
    )


def event_file(path, values_by_step, tag="learning_rate", how="simple", extra_tags=()):
    """Write an event file the way TensorBoard's writers do: a file-version event, then one per step."""
    tb = tensorboard()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        writer = tb.RecordWriter(file)
        writer.write(tb.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString())
        for step, value in values_by_step:
            values = [summary_value(tag, value, how)] + [summary_value(t, -value, "simple") for t in extra_tags]
            event = tb.Event(wall_time=2.0 + step, step=step, summary=tb.Summary(value=values))
            writer.write(event.SerializeToString())
        writer.flush()
    return path


def summary_value(tag, value, how):
    tb = tensorboard()
    scalar_shape = tb.TensorShapeProto()
    if how == "simple":
        return tb.Summary.Value(tag=tag, simple_value=value)
    if how == "float_val":
        tensor = tb.TensorProto(dtype=1, tensor_shape=scalar_shape, float_val=[value])
    elif how == "double_val":
        tensor = tb.TensorProto(dtype=2, tensor_shape=scalar_shape, double_val=[value])
    elif how == "content64":
        tensor = tb.TensorProto(dtype=2, tensor_shape=scalar_shape, tensor_content=np.float64(value).tobytes())
    elif how == "content32":
        tensor = tb.TensorProto(dtype=1, tensor_shape=scalar_shape, tensor_content=np.float32(value).tobytes())
    elif how == "half":
        bits = int(np.float16(value).view(np.uint16))
        tensor = tb.TensorProto(dtype=19, tensor_shape=scalar_shape, half_val=[bits])
    metadata = tb.SummaryMetadata(plugin_data=tb.SummaryMetadata.PluginData(plugin_name="scalars"))
    return tb.Summary.Value(tag=tag, tensor=tensor, metadata=metadata)


LRS = [(step, 0.1 * 0.97**step) for step in range(300)]


@pytest.mark.parametrize("how", ["simple", "float_val", "content32"])
def test_float32_scalars_read_exactly_as_float32(tmp_path, how):
    event_file(tmp_path / "events.out.tfevents.1.host", LRS, how=how, extra_tags=["loss"])
    (series,) = read_path(tmp_path)
    assert series.name == "learning_rate" and series.unit == "step"
    assert series.steps.tolist() == list(range(300))
    np.testing.assert_array_equal(series.lr, np.float32([v for _, v in LRS]).astype(np.float64))


@pytest.mark.parametrize("how", ["double_val", "content64"])
def test_float64_tensors_keep_every_bit(tmp_path, how):
    event_file(tmp_path / "events.out.tfevents.1.host", LRS, how=how)
    (series,) = read_path(tmp_path)
    np.testing.assert_array_equal(series.lr, [v for _, v in LRS])


def test_half_precision_tensors(tmp_path):
    event_file(tmp_path / "events.out.tfevents.1.host", [(0, 0.5), (1, 0.25)], how="half")
    assert read_path(tmp_path)[0].lr.tolist() == [0.5, 0.25]


def test_a_file_cut_short_yields_what_came_before_the_cut(tmp_path):
    path = event_file(tmp_path / "events.out.tfevents.1.host", LRS)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 5])  # mid-record
    (series,) = read_path(path)
    assert 100 < len(series) < 300
    assert series.steps.tolist() == list(range(len(series)))


def test_the_last_write_of_a_step_wins_across_files_of_a_run(tmp_path):
    event_file(tmp_path / "run" / "events.out.tfevents.1.host", [(0, 1.0), (1, 2.0), (2, 3.0)])
    event_file(tmp_path / "run" / "events.out.tfevents.2.host", [(2, 30.0), (3, 40.0)])  # a resume
    (series,) = read_path(tmp_path)
    assert series.steps.tolist() == [0, 1, 2, 3] and series.lr.tolist() == [1.0, 2.0, 30.0, 40.0]


def test_runs_in_subfolders_are_separate_series_and_the_caller_chooses(tmp_path):
    event_file(tmp_path / "a" / "events.out.tfevents.1.host", LRS[:10])
    event_file(tmp_path / "b" / "train" / "events.out.tfevents.1.host", LRS[:20], tag="train/lr")
    found = read_path(tmp_path)
    assert sorted(s.name for s in found) == ["a/learning_rate", "b/train/train/lr"]
    with pytest.raises(LogError, match="holds 2 learning-rate series, choose one: .*'a/learning_rate'"):
        choose(found)
    assert len(choose(found, "a/learning_rate")) == 10
    assert len(choose(found, "train/lr")) == 20  # a unique ending is enough
    with pytest.raises(LogError, match="no learning-rate series is named 'momentum'"):
        choose(found, "momentum")


def test_varying_record_layouts_in_one_file(tmp_path):
    """Steps past 127 and 16,383 grow the step's varint; a tag's first value carries metadata."""
    steps = [0, 1, 127, 128, 129, 16383, 16384, 2**21 + 5]
    path = tmp_path / "events.out.tfevents.1.host"
    tb = tensorboard()
    with open(path, "wb") as file:
        writer = tb.RecordWriter(file)
        writer.write(tb.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString())
        for index, step in enumerate(steps):
            how = "float_val" if index == 0 else "simple"
            value = summary_value("lr", float(step), how)
            event = tb.Event(wall_time=1.5, step=step, summary=tb.Summary(value=[value]))
            writer.write(event.SerializeToString())
    (series,) = read_path(path)
    assert series.steps.tolist() == steps and series.lr.tolist() == [float(s) for s in steps]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**7), st.floats(0.0, 10.0, allow_nan=False, allow_subnormal=False, width=32)),
        min_size=1,
        max_size=300,
    )
)
def test_any_series_reads_back_as_written(pairs):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        event_file(Path(folder) / "events.out.tfevents.1.h", pairs, how="simple")
        (series,) = read_path(folder)
    last = {step: value for step, value in pairs}
    assert series.steps.tolist() == sorted(last)
    assert series.lr.tolist() == [float(np.float32(last[step])) for step in sorted(last)]


def test_event_files_are_recognised_by_content_when_renamed(tmp_path):
    path = event_file(tmp_path / "events.out.tfevents.1.host", LRS[:5])
    (series,) = read_files([("upload.bin", path.read_bytes())])
    assert len(series) == 5


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("events.out.tfevents.1.h", b"", "events.out.tfevents.1.h: the file is empty"),
        ("events.out.tfevents.1.h", b"\x05\x00\x00", "truncated before its first complete record"),
        ("events.out.tfevents.1.h", b"\x02" + b"\x00" * 7 + b"abcdxy" + b"abcd", "not a TensorBoard event file"),
        ("notes.txt", b"hello", "notes.txt: no learning-rate column"),
        ("model.bin", b"\x00\x01", "model.bin: not a log of any known kind"),
        ("trainer_state.json", b"{", "trainer_state.json: not valid JSON"),
        ("config.json", b'{"a": 1}', "config.json: not a Hugging Face trainer_state.json"),
        ("metrics.csv", b"step,loss\n0,1.0\n", "metrics.csv: no learning-rate column"),
        ("metrics.csv", b"step,lr\n", "metrics.csv: the CSV file has a header but no rows"),
        ("metrics.csv", b"step,lr\n0,abc\n", "metrics.csv: a step or learning-rate cell is not a number"),
        ("logs.zip", b"PK-not-a-zip", "logs.zip: not a readable .zip archive"),
    ],
)
def test_unreadable_files_raise_one_sentence_naming_the_file(name, data, message):
    with pytest.raises(LogError) as error:
        read_files([(name, data)])
    text = str(error.value)
    assert message in text and "\n" not in text


def test_a_folder_without_any_lr_says_so(tmp_path):
    event_file(tmp_path / "events.out.tfevents.1.host", LRS[:3], tag="loss")
    with pytest.raises(LogError, match="no learning-rate series"):
        read_path(tmp_path)


def test_missing_path(tmp_path):
    with pytest.raises(LogError, match="nowhere: no such file or folder"):
        read_path(tmp_path / "nowhere")


def test_size_and_count_caps_say_so(tmp_path, monkeypatch):
    path = event_file(tmp_path / "events.out.tfevents.1.host", LRS)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    with pytest.raises(LogError, match=r"events.out.tfevents.1.host: more than the 100 bytes read from one file"):
        read_path(path)
    monkeypatch.setattr(limits, "MAX_FILES", 1)
    with pytest.raises(LogError, match="holds more than the 1 log files read at once"):
        read_files([("a.csv", b"step,lr\n0,1\n"), ("b.csv", b"step,lr\n0,1\n")])


def test_zip_members_are_checked_before_they_are_inflated(monkeypatch):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("run/metrics.csv", "step,lr\n" + "0,0.1\n" * 10_000)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    with pytest.raises(LogError, match="run/metrics.csv: more than the 1,000 bytes read from one file"):
        read_files([("logs.zip", archive.getvalue())])


# JSON and CSV ----------------------------------------------------------------------------------
def test_trainer_state_json():
    state = {
        "global_step": 30,
        "log_history": [
            {"epoch": 0.1, "learning_rate": 4e-05, "loss": 2.0, "step": 10},
            {"epoch": 0.2, "learning_rate": 3e-05, "loss": 1.5, "step": 20},
            {"epoch": 0.2, "eval_loss": 1.4, "step": 20},
            {"epoch": 0.3, "learning_rate": 2e-05, "loss": 1.2, "step": 30},
            {"train_runtime": 12.0, "step": 30},
        ],
    }
    (series,) = read_files([("checkpoint-30/trainer_state.json", json.dumps(state).encode())])
    assert series.name == "learning_rate"
    assert series.steps.tolist() == [10, 20, 30] and series.lr.tolist() == [4e-05, 3e-05, 2e-05]


LIGHTNING = """epoch,lr-AdamW,lr-SGD/pg1,lr-SGD/pg2,step,train_loss,val_loss
0,0.001,0.01,0.02,0,,
0,0.0009,0.009,0.018,1,,
0,,,,1,0.5,
0,0.0008,0.008,0.016,2,,
0,,,,2,,0.45
"""


def test_lightning_metrics_csv_gives_every_param_group():
    found = read_files([("lightning_logs/version_0/metrics.csv", LIGHTNING.encode())])
    assert [s.name for s in found] == ["lr-AdamW", "lr-SGD/pg1", "lr-SGD/pg2"]
    assert found[0].steps.tolist() == [0, 1, 2] and found[0].lr.tolist() == [0.001, 0.0009, 0.0008]
    assert found[2].lr.tolist() == [0.02, 0.018, 0.016]


def test_wandb_export_ignores_min_and_max_companions():
    text = (
        '"Step","run-1 - train/learning_rate","run-1 - train/learning_rate__MIN",'
        '"run-1 - train/learning_rate__MAX","run-1 - train/loss"\n'
        '"0","0.0001","0.0001","0.0001","3.2"\n"10","0.0002","0.0002","0.0002","3.0"\n'
    )
    (series,) = read_files([("wandb_export.csv", text.encode())])
    assert series.name == "run-1 - train/learning_rate"
    assert series.steps.tolist() == [0, 10] and series.lr.tolist() == [0.0001, 0.0002]


def test_plain_csv_with_and_without_header():
    (with_header,) = read_files([("lr.csv", b"step,epoch,lr\r\n0,0.0,0.5\r\n1,0.01,0.25\r\n")])
    assert with_header.lr.tolist() == [0.5, 0.25]
    (bare,) = read_files([("lr.csv", b"0,0.5\n1,0.25\n\n2,0.125\n")])
    assert bare.steps.tolist() == [0, 1, 2] and bare.lr.tolist() == [0.5, 0.25, 0.125]
    assert with_header.notes == bare.notes == ()  # no header written again: nothing to say


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_csv_two_runs_appended_to_keeps_each_step_s_later_row_and_says_so(line_end):
    """timm, relaunched into the same output folder, writes summary.csv's header again."""
    rows = ["epoch,train_loss,lr", "0,6.9,1e-05", "1,4.8,0.0025", "epoch,train_loss,lr", "0,6.5,2e-05", "2,4.6,0.005"]
    (series,) = read_files([("summary.csv", line_end.join(rows).encode())])
    assert (
        series.unit == "epoch" and series.steps.tolist() == [0, 1, 2] and series.lr.tolist() == [2e-05, 0.0025, 0.005]
    )
    assert series.notes == (
        "summary.csv: its header appears 2 times (runs appended to one file?); where two rows give one epoch, "
        "the later one is kept",
    )
    (alone,) = read_files([("summary.csv", "\n".join(rows[:3] + rows[3:4]).encode())])  # the header last
    assert alone.steps.tolist() == [0, 1] and len(alone.notes) == 1


def test_csv_without_a_step_column_counts_rows():
    (series,) = read_files([("lr.csv", b"learning_rate\n0.3\n0.2\n")])
    assert series.steps.tolist() == [0, 1]


def test_a_zip_of_a_folder_reads_like_the_folder(tmp_path):
    event_file(tmp_path / "run" / "events.out.tfevents.1.host", LRS[:50])
    (tmp_path / "run" / "metrics.csv").write_text(LIGHTNING)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in tmp_path.rglob("*"):
            if path.is_file():
                zipped.write(path, path.relative_to(tmp_path).as_posix())
    from_zip = read_files([("logs.zip", archive.getvalue())])
    from_folder = read_path(tmp_path)
    assert [s.name for s in from_zip] == [s.name for s in from_folder]
    assert len(from_zip) == 4  # one event series, three param groups
    assert any(s.name == "run/learning_rate" for s in from_zip)


@pytest.mark.parametrize(
    ("name", "is_lr"),
    [
        ("learning_rate", True),
        ("lr", True),
        ("train/learning_rate", True),
        ("lr-AdamW", True),
        ("lr-SGD/pg1", True),
        ("epoch_learning_rate", True),
        ("Learning Rate", True),
        ("train/lr", True),
        ("loss", False),
        ("lr-SGD-momentum", False),
        ("run - train/learning_rate__MIN", False),
        ("learning_rate_step", False),
        ("flr", False),
        ("clr_loss", False),
    ],
)
def test_lr_names(name, is_lr):
    assert is_lr_name(name) is is_lr


def test_among_several_files_those_that_are_not_logs_are_passed_over(tmp_path):
    event_file(tmp_path / "run" / "events.out.tfevents.1.host", LRS[:10])
    (tmp_path / "run" / "events.out.tfevents.2.host").write_bytes(b"")  # a writer that had just started
    (tmp_path / "run" / "config.json").write_text('{"hidden_size": 8}')
    (tmp_path / "run" / "notes.csv").write_text("a,b\n1,2\n")
    (series,) = read_path(tmp_path)
    assert len(series) == 10
    with pytest.raises(LogError, match="config.json, notes.csv: no learning-rate series"):
        read_files([("config.json", b'{"a": 1}'), ("notes.csv", b"a,b\n1,2\n")])
