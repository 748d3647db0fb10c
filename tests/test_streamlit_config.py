"""The served studio's Streamlit settings, `.streamlit/config.toml`."""

from pathlib import Path

import tomllib

from studio.verify import LOG_UPLOAD_MB

CONFIG = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())


def test_config_is_locked_down():
    # The server's limit applies to every upload: it is the Verify page's, so a 50 MB log reaches the
    # page (tests/e2e/test_upload_limits_browser.py), while each document uploader keeps its own 1 MB.
    assert CONFIG["server"]["maxUploadSize"] == LOG_UPLOAD_MB
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["browser"]["gatherUsageStats"] is False
    assert CONFIG["client"]["showErrorDetails"] == "none"


def test_reruns_stay_light():
    # A full garbage collection after every rerun (Streamlit's default) tripled the server's CPU per
    # slider move (bench/bench_load.py); a served studio has no edits to watch for.
    assert CONFIG["runner"]["postScriptGC"] is False
    assert CONFIG["server"]["fileWatcherType"] == "none"
