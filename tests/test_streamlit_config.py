"""The served studio's Streamlit settings, `.streamlit/config.toml`."""

from pathlib import Path

import tomllib

CONFIG = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())


def test_config_is_locked_down():
    assert CONFIG["server"]["maxUploadSize"] <= 5
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["browser"]["gatherUsageStats"] is False
    assert CONFIG["client"]["showErrorDetails"] == "none"


def test_reruns_stay_light():
    # A full garbage collection after every rerun (Streamlit's default) tripled the server's CPU per
    # slider move (bench/bench_load.py); a served studio has no edits to watch for.
    assert CONFIG["runner"]["postScriptGC"] is False
    assert CONFIG["server"]["fileWatcherType"] == "none"
