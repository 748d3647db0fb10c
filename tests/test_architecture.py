"""The layers hold: engine → framework adapters → training → studio logic → pages, never upward."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is missing: install requirements-dev.txt"
    result = subprocess.run([lint_imports, "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_page_loads_tensorflow_keras_or_torch_into_the_server():
    """The designer stays light: TensorFlow only where training happens, in the training worker.
    (Streamlit would also clear a loaded Keras's session after every rerun of every user.)"""
    probe = (
        "import sys; from streamlit.testing.v1 import AppTest; "
        "at = AppTest.from_file('app.py', default_timeout=120).run(); "
        "assert not at.exception; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'torch', 'jax'})); "
        "pages = sorted(p.as_posix() for p in __import__('pathlib').Path('pages').glob('[!_]*.py')); "
        "[at.switch_page(page).run() for page in pages]; "
        "assert not at.exception, at.exception; "
        "print(len(pages), sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'torch', 'jax'}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    designer, every_page = result.stdout.strip().splitlines()[-2:]
    assert designer == "[]" and every_page == "6 []"
