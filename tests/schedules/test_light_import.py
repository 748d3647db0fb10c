"""Importing the engine stays light: no TensorFlow, Keras, Streamlit, Plotly or pandas."""

import subprocess
import sys

from tests import ROOT

HEAVY = ("tensorflow", "keras", "streamlit", "plotly", "pandas", "torch", "jax")


def test_import_schedules_pulls_in_nothing_heavy():
    loaded = "sorted({name.split('.')[0] for name in sys.modules} & set(sys.argv[1:]))"
    modules = "schedules, training.events, training.run_folders, training.options, training.data"
    probe = f"import sys, {modules}; print({loaded})"
    result = subprocess.run([sys.executable, "-c", probe, *HEAVY], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
