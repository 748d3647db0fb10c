"""Logs that real training runs wrote, read back by the public reader.

Every folder of ``tests/data/real_logs`` holds one log as its repository committed it, its
``provenance.json`` and, where the repository's own statements fix the schedule, a ``design.json``.
The ``gen-*`` folders were written by the real frameworks run by ``generate.py`` beside them: each has
the true ``design.json`` and an ``expected.json`` saying what a correct verifier concludes.
``manifest.json`` says what the reader finds in each: the series, how many points and the steps
they span. A case the reader gets wrong today is marked ``xfail`` (strict) with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from schedules import loads
from schedules.logs import LogError, Series, read_path

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real_logs"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
FORMATS = {"trainer_state", "lightning_csv", "tensorboard", "csv"}
PROVENANCE_FIELDS = {"repository", "path", "commit", "writer", "stated_configuration", "notes"}
GENERATED_FIELDS = {"repository", "path", "generated_by", "writer", "versions", "arguments", "notes"}
GENERATOR = "tests/data/real_logs/generate.py"
GENERATED = sorted(name for name in MANIFEST if name.startswith("gen-"))
VERDICTS = {"match", "mismatch"}


def _cases():
    for name, entry in sorted(MANIFEST.items()):
        marks = [pytest.mark.xfail(strict=True, reason=entry["xfail"])] if "xfail" in entry else []
        yield pytest.param(name, entry, id=name, marks=marks)


@pytest.mark.parametrize(("name", "entry"), list(_cases()))
def test_reader_finds_the_logged_series(name, entry):
    try:
        series = read_path(CORPUS / name / entry["file"])
    except LogError as error:
        pytest.fail(f"{name}: {error}")
    assert all(isinstance(s, Series) for s in series)
    assert [s.name for s in series] == entry["expected_series"]
    for s in series:
        assert len(s) == entry["points"], s.name
        assert s.unit == entry["unit"], s.name
        assert (int(s.steps[0]), int(s.steps[-1])) == (entry["first_step"], entry["last_step"]), s.name
        assert np.all(np.diff(s.steps) > 0), s.name
        assert np.all(np.isfinite(s.lr)), s.name
        assert np.all(s.lr > 0) if entry["lr_positive"] else np.all(s.lr >= 0), s.name


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_provenance_is_complete(name):
    entry = MANIFEST[name]
    folder = CORPUS / name
    assert entry["format"] in FORMATS
    assert (folder / entry["file"]).is_file()
    assert (folder / entry["file"]).stat().st_size <= 2**20
    provenance = json.loads((folder / "provenance.json").read_text())
    assert provenance["path"].rsplit("/", 1)[-1] == entry["file"]
    assert provenance["writer"] and provenance["notes"]
    if name in GENERATED:
        assert provenance.keys() >= GENERATED_FIELDS
        assert provenance["generated_by"] == GENERATOR and (CORPUS.parents[2] / GENERATOR).is_file()
        assert provenance["versions"] and all(isinstance(v, str) for v in provenance["versions"].values())
        assert isinstance(provenance["arguments"], dict) and provenance["arguments"]
        assert (folder / entry["file"]).stat().st_size < 300_000
    else:
        assert provenance.keys() >= PROVENANCE_FIELDS
        assert re.fullmatch(r"[0-9a-f]{40}", provenance["commit"])
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", provenance["repository"])
        assert isinstance(provenance["stated_configuration"], dict) and "source" in provenance["stated_configuration"]


def test_every_folder_is_in_the_manifest():
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert folders == set(MANIFEST)
    assert len(folders) >= 30


@pytest.mark.parametrize("name", GENERATED)
def test_generated_designs_are_valid(name):
    folder = CORPUS / name
    schedule = loads((folder / "design.json").read_text())
    assert schedule.kind.name == MANIFEST[name]["stated_kind"]
    expected = json.loads((folder / "expected.json").read_text())
    assert expected["verdict"] in VERDICTS and expected["convention"]
    assert bool("defect" in expected and expected["detail"]) == (expected["verdict"] == "mismatch")


def test_the_generated_logs_are_there():
    assert len(GENERATED) >= 15
