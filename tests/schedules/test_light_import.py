"""Importing the engine stays light: no TensorFlow, Keras, Streamlit, Plotly or pandas."""

import subprocess
import sys

from tests.pages.conftest import ROOT

HEAVY = ("tensorflow", "keras", "streamlit", "plotly", "pandas", "torch", "jax")


def test_import_schedules_pulls_in_nothing_heavy():
    probe = "import sys, schedules, schedules.events; print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))"
    result = subprocess.run([sys.executable, "-c", probe, *HEAVY], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
