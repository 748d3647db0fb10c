"""The log readers against damaged and hostile files: a series, or one sentence, within bounds.

Every case here was a traceback, a hang, a wrong answer or a runaway cost before the reader
package: each asserts the sentence (or the right answer) a user now gets.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules.logs import LimitExceeded, LogError, choose, limits, read_files, read_path
from schedules.logs.records import masked_crc32c

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real_logs"


def one_sentence(error: Exception) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text and text
    return text


def record(payload: bytes) -> bytes:
    """A TFRecord: length, its masked CRC-32C, the data, its masked CRC-32C."""
    length = struct.pack("<Q", len(payload))
    return length + struct.pack("<I", masked_crc32c(length)) + payload + struct.pack("<I", masked_crc32c(payload))


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def scalar_event(step: int, value: float, tag: bytes = b"lr") -> bytes:
    summary_value = b"\x0a" + varint(len(tag)) + tag + b"\x15" + struct.pack("<f", value)
    summary = b"\x0a" + varint(len(summary_value)) + summary_value
    return b"\x09" + struct.pack("<d", 2.0) + b"\x10" + varint(step) + b"\x2a" + varint(len(summary)) + summary


VERSION = b"\x09" + struct.pack("<d", 1.0) + b"\x1a\x0dbrain.Event:2"


def event_file(steps, tag: bytes = b"lr") -> bytes:
    return record(VERSION) + b"".join(record(scalar_event(s, 0.5 / (s + 1), tag)) for s in steps)


def test_our_framing_is_tensorboards():
    """The records the tests below forge are byte for byte those of TensorBoard's own writer."""
    record_writer = pytest.importorskip("tensorboard.summary.writer.record_writer")
    stream = io.BytesIO()
    writer = record_writer.RecordWriter(stream)
    writer.write(VERSION)
    writer.flush()
    assert stream.getvalue() == record(VERSION)


# Zip archives --------------------------------------------------------------------------------
def zipped(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", method) as handle:
        for name, data in members.items():
            handle.writestr(name, data)
    return archive.getvalue()


def deflated_zip(name: str, head: bytes, filler: bytes, size: int) -> bytes:
    """A .zip holding one member of ``size`` bytes (``head`` then ``filler`` repeated), compressed
    in a stream so the test never holds the inflated member."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body, crc, written = [compressor.compress(head)], zlib.crc32(head), len(head)
    block = filler * (2**20 // len(filler))
    while written < size:
        piece = block[: size - written]
        body.append(compressor.compress(piece))
        crc, written = zlib.crc32(piece, crc), written + len(piece)
    body.append(compressor.flush())
    data = b"".join(body)
    encoded = name.encode()
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), written, len(encoded), 0)
    central = struct.pack(
        "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), written, len(encoded), 0, 0, 0, 0, 0, 0
    )
    directory_at = len(local) + len(encoded) + len(data)
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(encoded), directory_at, 0)
    return local + encoded + data + central + encoded + end


def test_a_zip_bomb_is_refused_before_anything_inflates(monkeypatch):
    # 64 MB of CSV in ~64 kB, declared as such: refused at the (lowered) 8 MB limit, nothing inflated.
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 8 * 2**20)
    bomb = deflated_zip("run/metrics.csv", b"step,lr\n", b"0,0.1\n", 64 * 2**20)
    assert len(bomb) < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as error:
            read_files([("logs.zip", bomb)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert one_sentence(error.value) == "run/metrics.csv: more than the 8,388,608 bytes read from one file"
    assert peak < 2**20


def test_a_member_that_lies_about_its_size_is_refused_without_inflating_past_its_claim():
    honest = deflated_zip("metrics.csv", b"step,lr\n", b"0,0.1\n", 4 * 2**20)
    declared = struct.pack("<I", 4 * 2**20)
    lying = honest.replace(declared, struct.pack("<I", 100))  # the local header and the directory
    assert lying.count(struct.pack("<I", 100)) >= 2
    with pytest.raises(LogError) as error:
        read_files([("logs.zip", lying)])
    assert one_sentence(error.value) == ("logs.zip: metrics.csv cannot be inflated (a damaged or unsupported member)")


def test_a_huge_zip_directory_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ZIP_DIRECTORY_BYTES", 1000)
    archive = zipped({f"run/file{i}.csv": b"step,lr\n0,1\n" for i in range(40)})
    with pytest.raises(LimitExceeded, match=r"^logs.zip: its directory of [\d,]+ bytes is more than the 1,000 read$"):
        read_files([("logs.zip", archive)])


def test_encrypted_and_nested_archives_are_sentences():
    encrypted = bytearray(zipped({"metrics.csv": b"step,lr\n0,1\n"}, zipfile.ZIP_STORED))
    encrypted[6] |= 1  # the local header's "encrypted" flag
    directory = encrypted.find(b"PK\x01\x02")
    encrypted[directory + 8] |= 1
    with pytest.raises(LogError) as error:
        read_files([("logs.zip", bytes(encrypted))])
    assert one_sentence(error.value) == "logs.zip: metrics.csv is encrypted"
    nested = zipped({"inner.zip": zipped({"metrics.csv": b"step,lr\n0,1\n"})})
    with pytest.raises(LogError) as error:
        read_files([("outer.zip", nested)])
    assert "inner.zip: not a log of any known kind" in one_sentence(error.value)


# Numbers ---------------------------------------------------------------------------------------
def state(*entries, **top) -> bytes:
    return json.dumps({**top, "log_history": list(entries)}).encode()


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b'{"log_history": [{"step": 1e30, "learning_rate": 0.1}]}', "has step 1e+30, not a whole number"),
        (b'{"log_history": [{"step": 1' + b"0" * 30 + b', "learning_rate": 0.1}]}', "has step 1e+30"),
        (b'{"log_history": [{"step": 1' + b"0" * 5000 + b', "learning_rate": 0.1}]}', "a number too long to read"),
        (b'{"log_history": [{"step": -3, "learning_rate": 0.1}]}', "has step -3, not a whole number"),
        (b'{"log_history": [{"step": 2.5, "learning_rate": 0.1}]}', "has step 2.5, not a whole number"),
        (b'{"log_history": [{"step": 1, "learning_rate": 1' + b"0" * 400 + b"}]}", "no learning-rate series"),
        (b'{"log_history": [{"step": 1, "learning_rate": 1e400}]}', "no learning-rate series"),
    ],
)
def test_numbers_out_of_range_in_trainer_state_are_sentences(data, sentence):
    with pytest.raises(LogError) as error:
        read_files([("trainer_state.json", data)])
    assert sentence in one_sentence(error.value)


def test_a_non_finite_lr_beside_finite_ones_is_left_out_and_said():
    (series,) = read_files(
        [
            (
                "trainer_state.json",
                b'{"log_history": [{"step": 1, "learning_rate": 0.1}, {"step": 2, "learning_rate": NaN}]}',
            )
        ]
    )
    assert series.steps.tolist() == [1] and series.notes == (
        "trainer_state.json: 1 non-finite value(s) of learning_rate are left out",
    )


@pytest.mark.parametrize("step", ["1e30", "-1", "1.5", "9223372036854775808"])
def test_steps_out_of_range_in_a_csv_are_sentences(step):
    with pytest.raises(LogError) as error:
        read_files([("metrics.csv", f"step,lr\n0,0.1\n{step},0.2\n".encode())])
    assert "metrics.csv: a row has step" in one_sentence(error.value)
    assert "not a whole number from 0 to 10^15" in str(error.value)


def test_event_steps_out_of_range_are_sentences():
    data = record(VERSION) + record(scalar_event(2**62, 0.1))
    with pytest.raises(LogError) as error:
        read_files([("events.out.tfevents.1.h", data)])
    assert one_sentence(error.value) == (
        "events.out.tfevents.1.h: a record has step 4,611,686,018,427,387,904, not a whole number from 0 to 10^15"
    )


def test_epochs_times_steps_per_epoch_past_the_engine_range_are_a_sentence(tmp_path):
    from schedules import from_config
    from schedules.diagnose import diagnose

    design = from_config(
        {
            "format": "lr-schedule",
            "version": 1,
            "steps_per_epoch": 10**6,
            "schedule": {"kind": "constant", "base_lr": 0.1, "total_epochs": 10},
        }
    )
    with pytest.raises(LogError, match=r"^the log's epoch 10,000,000,000 × 1,000,000 steps per epoch is past"):
        diagnose(np.array([0, 10**10]), np.array([0.1, 0.1]), design, "epoch")


# CSV -------------------------------------------------------------------------------------------
def test_bare_cr_line_ends_read_like_any_other():
    (series,) = read_files([("lr.csv", b"step,lr\r0,0.5\r1,0.25\r2,0.125\r")])
    assert series.steps.tolist() == [0, 1, 2] and series.lr.tolist() == [0.5, 0.25, 0.125]


def test_a_header_cell_past_csvs_field_limit_is_a_sentence():
    data = b"step,lr," + b"x" * 200_000 + b"\n0,0.1,1\n"
    with pytest.raises(LogError) as error:
        read_files([("metrics.csv", data)])
    assert one_sentence(error.value).startswith("metrics.csv: the CSV header cannot be read (field larger than")


def test_too_many_lr_columns_are_refused_naming_the_limit():
    header = ",".join(f"lr-{i}" for i in range(limits.MAX_SERIES + 1))
    with pytest.raises(LimitExceeded) as error:
        read_files([("metrics.csv", f"step,{header}\n".encode() + b"0" + b",0.1" * (limits.MAX_SERIES + 1) + b"\n")])
    assert one_sentence(error.value) == "metrics.csv: holds more than the 1,000 learning-rate series read at once"


def test_a_csv_read_in_pieces_gives_every_point(monkeypatch):
    from schedules.logs import tables

    monkeypatch.setattr(tables, "CHUNK_BYTES", 64)  # many pieces, cut mid-line
    rows = "".join(f"{step},{0.5 / (step + 1)!r},\n" for step in range(500))
    (series,) = read_files([("metrics.csv", ("step,lr,loss\n" + rows).encode())])
    assert series.steps.tolist() == list(range(500))
    assert series.lr.tolist() == [0.5 / (step + 1) for step in range(500)]


# JSON ------------------------------------------------------------------------------------------
def test_many_distinct_keys_cost_their_number_not_keys_times_entries():
    entries = [{"step": i, f"lr_{i}": 0.1, "learning_rate": 0.2} for i in range(20_000)]
    with pytest.raises(LimitExceeded, match="holds more than the 1,000 learning-rate series"):
        read_files([("trainer_state.json", state(*entries))])
    entries = [{"step": i, f"grad_{i}": 0.1, "learning_rate": 0.2} for i in range(20_000)]
    (series,) = read_files([("trainer_state.json", state(*entries))])
    assert len(series) == 20_000


def test_trainer_state_metadata_and_nested_entries():
    data = state(
        {"step": 10, "learning_rate": 0.1, "loss": 1.0},
        {"step": 20, "learning_rate": 0.05, "extra": {"nested": [1, {"a": "}"}]}},
        {"step": 30, "learning_rate": 0.025},
        max_steps=100,
        logging_steps=10,
        stateful_callbacks={"TrainerControl": {"args": {"should_save": True}}},
    )
    (series,) = read_files([("trainer_state.json", data)])
    assert series.steps.tolist() == [10, 20, 30] and series.lr.tolist() == [0.1, 0.05, 0.025]
    assert series.info == {"max_steps": 100, "logging_steps": 10}


def test_a_huge_value_beside_the_history_is_skipped_without_being_built():
    filler = "[" + ",".join(["1"] * 2_000_000) + "]"  # 4 MB, ~64 MB were it built as a list
    data = b'{"junk": ' + filler.encode() + b', "log_history": [{"step": 1, "learning_rate": 0.1}]}'
    tracemalloc.start()
    try:
        (series,) = read_files([("trainer_state.json", data)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(series) == 1 and peak < 2 * 2**20


def test_deep_nesting_and_broken_json_are_sentences():
    for data, sentence in (
        (b'{"log_history": [{"step": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}", "nested too deeply"),
        (b'{"log_history": [{"step": 1, "learning_rate": 0.1}', "not valid JSON (at byte"),
        (b'{"log_history": [{"step": 1, "learning_rate": 0.1}]} trailing', "not valid JSON (at byte 53)"),
        (b'{"log_history": [{"step": 1, "learning_rate": 0.1}], "a": [}', "not valid JSON"),
    ):
        with pytest.raises(LogError) as error:
            read_files([("trainer_state.json", data)])
        assert sentence in one_sentence(error.value), data[:60]


# Event files ------------------------------------------------------------------------------------
def test_a_damaged_length_mid_file_keeps_what_came_before_and_says_what_is_lost():
    data = bytearray(event_file(range(100)))
    at = len(record(VERSION)) + 40 * len(record(scalar_event(1, 0.1)))  # the 41st scalar record's header
    assert struct.unpack_from("<Q", data, at)[0] == len(scalar_event(1, 0.1))
    data[at] ^= 0x04
    (series,) = read_files([("events.out.tfevents.1.h", bytes(data))])
    assert series.steps.tolist() == list(range(40))
    assert series.notes == (
        f"events.out.tfevents.1.h: record 42 (at byte {at:,}) is damaged: its length fails its checksum, so the "
        f"{len(data) - at:,} bytes from there on are not read",
    )


def test_a_damaged_value_is_left_out_and_said_the_rest_read():
    data = bytearray(event_file(range(100)))
    at = len(record(VERSION)) + 7 * len(record(scalar_event(1, 0.1)))
    data[at + len(record(scalar_event(1, 0.1))) - 6] ^= 0x01  # inside the 8th scalar's float
    (series,) = read_files([("events.out.tfevents.1.h", bytes(data))])
    assert series.steps.tolist() == [s for s in range(100) if s != 7]
    assert series.notes == (
        f"events.out.tfevents.1.h: 1 record(s) fail their checksum and are left out, the first at byte {at:,}",
    )


def test_a_tensor_of_a_hundred_thousand_dimensions_is_no_scalar():
    dims = b"".join(b"\x12\x02\x08\x01" for _ in range(100_000))  # dim { size: 1 } × 100,000
    shape = b"\x12" + varint(len(dims)) + dims
    tensor = b"\x08\x01" + shape + b"\x2a\x04" + struct.pack("<f", 0.25)
    value = b"\x0a\x02lr\x42" + varint(len(tensor)) + tensor
    summary = b"\x0a" + varint(len(value)) + value
    event = b"\x10\x05\x2a" + varint(len(summary)) + summary
    data = record(VERSION) + record(event) + record(scalar_event(6, 0.5))
    (series,) = read_files([("events.out.tfevents.1.h", data)])
    assert series.steps.tolist() == [6]  # more dimensions than TensorFlow allows: not read as a scalar


def test_a_record_cut_short_is_said():
    data = event_file(range(10))
    (series,) = read_files([("events.out.tfevents.1.h", data[:-10])])
    assert len(series) == 9
    assert series.notes[0].startswith("events.out.tfevents.1.h: its last record (at byte")


# Files that are not files ------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_devices_are_not_read(path):
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    with pytest.raises(LogError) as error:
        read_path(path)
    assert one_sentence(error.value) == f"{Path(path).name}: not a regular file (a device, FIFO or socket is not read)"


def run_verify(*args, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "schedules.verify", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[2],
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_as_log_or_config_never_hangs(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    log = tmp_path / "metrics.csv"
    log.write_text("step,lr\n0,0.1\n1,0.1\n")
    for args, sentence in (
        ((fifo,), "pipe: not a regular file (a device, FIFO or socket is not read)"),
        ((log, "--config", fifo), "pipe: not a regular file (a folder, device, FIFO or socket)"),
        ((log, "--config", "/dev/zero"), "zero: not a regular file (a folder, device, FIFO or socket)"),
    ):
        result = run_verify(*args)
        assert (result.returncode, result.stderr.strip(), result.stdout) == (2, sentence, "")


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "x", "10000000000"])
def test_steps_per_epoch_must_be_a_whole_number_from_1(tmp_path, value):
    log = tmp_path / "metrics.csv"
    log.write_text("step,lr\n0,0.1\n1,0.1\n")
    result = run_verify(log, "--steps-per-epoch", value)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument --steps-per-epoch: must be a whole number from 1 to 1,000,000,000, got '{value}'" in result.stderr


# Choosing among many series --------------------------------------------------------------------
def test_the_choice_among_many_series_says_how_many_and_names_the_likeliest_few():
    header = ",".join(f"lr-{i:03}" for i in range(300))
    row = ",".join("0.1" for _ in range(300))
    found = read_files([("metrics.csv", f"step,{header}\n0,{row}\n".encode())])
    with pytest.raises(LogError) as error:
        choose(found)
    text = one_sentence(error.value)
    assert text.startswith("the log holds 300 learning-rate series, choose one: 'lr-000' (1 points, steps 0–0)")
    assert text.endswith("and 295 more") and len(text) < 400


# Anything at all --------------------------------------------------------------------------------
def corpus_files() -> list[tuple[str, bytes]]:
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    return [(entry["file"], (CORPUS / name / entry["file"]).read_bytes()) for name, entry in sorted(manifest.items())]


REAL = corpus_files()
NAMES = st.sampled_from(["events.out.tfevents.1.h", "trainer_state.json", "metrics.csv", "logs.zip", "lr.txt", "x"])


@st.composite
def hostile_files(draw):
    """Random bytes, truncated and mutated real logs, forged event records and archives of them."""
    how = draw(st.sampled_from(["random", "truncated", "mutated", "events", "archive"]))
    if how == "random":
        return draw(NAMES), draw(st.binary(max_size=4096))
    name, data = draw(st.sampled_from(REAL))
    if how == "truncated":
        return name, data[: draw(st.integers(0, len(data)))]
    if how == "mutated":
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            if data:
                data[at] = draw(st.integers(0, 255))
        return name, bytes(data)
    if how == "events":
        steps = draw(st.lists(st.integers(0, 2**63 - 1), max_size=20))
        forged = bytearray(event_file(steps))
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(forged) - 1))
            forged[at] = draw(st.integers(0, 255))
        return "events.out.tfevents.1.h", bytes(forged)
    members = {f"run/{draw(NAMES)}": data[: draw(st.integers(0, len(data)))]}
    return "logs.zip", zipped(members, draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(hostile_files(), min_size=1, max_size=3))
def test_any_file_gives_series_or_one_sentence_within_memory(files):
    size = sum(len(data) for _, data in files)
    tracemalloc.start()
    try:
        try:
            found = read_files(files)
        except LogError as error:
            one_sentence(error)
            found = []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    for series in found:
        assert series.steps.dtype == np.int64 and series.lr.dtype == np.float64
        assert np.all(np.diff(series.steps) > 0) and np.all(np.isfinite(series.lr))
        assert series.steps.size == 0 or (series.steps[0] >= 0 and series.steps[-1] <= limits.MAX_STEP)
        for note in series.notes:
            one_sentence(note)
    assert peak < 8 * 2**20 + 40 * size  # a constant and a few times the input, never a blow-up


@pytest.mark.slow  # 6·10⁵ records read under tracemalloc, which slows every allocation
@pytest.mark.parametrize("kind", ["csv", "trainer_state"])
def test_memory_follows_the_points_kept_at_most_40_bytes_a_point(kind):
    def text(points: int) -> bytes:
        rows = [(step, 0.01 * (1 - step / points)) for step in range(points)]
        if kind == "csv":
            return ("step,lr\n" + "".join(f"{s},{v!r}\n" for s, v in rows)).encode()
        return json.dumps({"log_history": [{"step": s, "learning_rate": v, "loss": 1.0} for s, v in rows]}).encode()

    def peak(data: bytes) -> int:
        tracemalloc.start()
        try:
            read_files([("metrics.csv" if kind == "csv" else "trainer_state.json", data)])
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = text(200_000), text(400_000)
    assert (peak(large) - peak(small)) / 200_000 <= 40
