"""The engine's tier collects with NumPy, pytest and hypothesis alone, as the engine runs: every
test module and doctest of `tests/schedules` and `schedules/` imports with the app, the framework
adapters, the demo and every peer library unimportable. A test that needs TensorBoard's writer
imports it inside the test and skips without it; a test that needs a framework lives in
`tests/frameworks`."""

import subprocess
import sys

from tests import ROOT

ENGINE_TIER = ("tests/schedules", "schedules")
# Everything above the engine, and every library it must not need (pyproject.toml's contract).
UNIMPORTABLE = (
    *("studio", "pages", "training", "frameworks"),
    *("streamlit", "plotly", "pandas", "sklearn", "scipy"),
    *("tensorflow", "keras", "tensorboard", "torch", "jax", "optax", "transformers", "deepspeed"),
)

# None in sys.modules makes `import name` (and `import name.sub`) raise ImportError.
PROBE = r"""
import sys
for name in sys.argv[1].split():
    sys.modules[name] = None
import pytest

class Collection:
    failed = {}

    def pytest_collectreport(self, report):
        if not report.passed:  # an import error, or a whole module skipped for a missing library
            Collection.failed[report.nodeid] = report.longreprtext.strip().splitlines()[-1]

code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *sys.argv[2:]], plugins=[Collection()])
print("NOT COLLECTED:", *(f"{node}: {why}" for node, why in Collection.failed.items()), sep="\n")
sys.exit(code or bool(Collection.failed))
"""


def test_the_engine_tier_collects_without_anything_above_the_engine():
    command = [sys.executable, "-c", PROBE, " ".join(UNIMPORTABLE), *ENGINE_TIER]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[result.stdout.find("NOT COLLECTED") :] + result.stderr[-2000:]
    assert " tests collected" in result.stdout
