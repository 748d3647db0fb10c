"""The package: a wheel and an sdist that build, a wheel that works in a venv holding NumPy alone, the
lr-studio command, and declared dependencies that agree with the pinned requirement files."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import schedules
from studio import cli
from tests import ROOT

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
NAME = PROJECT["name"]


def declared(*extras: str) -> list[Requirement]:
    """The dependencies of the core and of ``extras``, the package's own extras expanded."""
    found, todo, done = [Requirement(text) for text in PROJECT["dependencies"]], list(extras), set()
    while todo:
        extra = todo.pop()
        done.add(extra)
        for text in PROJECT["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if requirement.name == NAME:
                todo.extend(sorted(requirement.extras - done))
            else:
                found.append(requirement)
    return found


def pinned(path) -> list[Requirement]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-r")]


def pin_of(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement} is not pinned with =="
    return specifier.version


@pytest.mark.parametrize(
    ("extras", "requirements_file"),
    [(("studio",), "requirements.txt"), (("torch", "optax"), "requirements-peers.txt")],
)
def test_pinned_requirements_agree_with_the_declared_dependencies(extras, requirements_file):
    pins = {(pin.name, str(pin.marker)): pin for pin in pinned(ROOT / requirements_file)}
    wanted = {(dep.name, str(dep.marker)): dep for dep in declared(*extras)}
    if requirements_file != "requirements.txt":  # the peers file holds the extras alone, on top of the app's
        wanted = {key: dep for key, dep in wanted.items() if key[0] != "numpy"}
    # transformers and DeepSpeed: conformance tests only
    extra_pins = set(pins) - set(wanted) - {("transformers", "None"), ("deepspeed", "None")}
    assert set(wanted) <= set(pins), f"declared but not pinned in {requirements_file}: {set(wanted) - set(pins)}"
    assert not extra_pins, f"pinned in {requirements_file} but not declared: {extra_pins}"
    for key, dependency in wanted.items():
        assert dependency.specifier.contains(pin_of(pins[key])), f"{pins[key]} does not satisfy {dependency}"


def test_the_engine_needs_numpy_alone():
    assert [dep.name for dep in declared()] == ["numpy"]


def test_help_answers(capsys):
    assert cli.main(["--help"]) == 0
    assert "lr-studio demo" in capsys.readouterr().out


def test_an_unknown_command_is_one_sentence(capsys):
    assert cli.main(["serve"]) == 2
    assert (
        capsys.readouterr().err
        == "lr-studio: unknown command 'serve'; choose app, demo, find-lr, bakeoff or verify (lr-studio --help).\n"
    )


def test_app_serves_the_checkouts_app_py():
    command = cli.app_command(["--server.port", "8600"])
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[4] == str(ROOT / "app.py")
    assert command[-2:] == ["--server.port", "8600"]


def test_demo_dispatches_to_the_training_cli():
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", "demo", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "--config" in result.stdout


@pytest.mark.parametrize("command", ["demo", "verify"])
def test_each_commands_help_names_the_command_typed(command):
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: lr-studio {command} [-h]")


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    # No --wheel/--sdist: the sdist first, then the wheel from it (which proves the sdist whole,
    # and leaves no build/ folder in the checkout).
    command = [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory):
    """A fresh venv holding the wheel (--no-deps) and NumPy: its bin folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    (wheel,) = dist.glob("*.whl")
    numpy_pin = next(pin for pin in pinned(ROOT / "requirements.txt") if pin.name == "numpy")
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, "--no-deps", str(wheel)], check=True, timeout=300)
    subprocess.run([*install, str(numpy_pin)], check=True, timeout=300)
    return env_dir / "bin"


@pytest.mark.slow
def test_wheel_and_sdist_hold_the_packages_and_the_app_inside_studio(dist):
    (wheel,) = dist.glob("*.whl")
    assert [path.name for path in dist.glob("*.tar.gz")] == [f"lr_schedule_studio-{schedules.__version__}.tar.gz"]
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"schedules", "frameworks", "training", "studio"}  # no top-level app or pages
    for package in ("schedules", "frameworks", "training", "studio"):  # every subpackage ships too
        for init in (ROOT / package).rglob("__init__.py"):
            assert init.relative_to(ROOT).as_posix() in names
    for path in ["studio/site/app.py", "studio/site/pages/designer.py", "studio/site/.streamlit/config.toml"]:
        assert path in names
    assert f"lr_schedule_studio-{schedules.__version__}.dist-info/METADATA" in names


@pytest.mark.slow
def test_installed_wheel_works_with_numpy_alone(installed, tmp_path):
    probe = (
        "import sys, schedules\n"
        "s = schedules.loads(sys.stdin.read())\n"
        "print(round(float(s.lr(5)), 6), schedules.__version__)\n"
        "heavy = {'tensorflow', 'keras', 'streamlit', 'plotly', 'pandas', 'torch', 'jax'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    doc = '{"format": "lr-schedule", "version": 1, "steps_per_epoch": 1, "schedule": {"kind": "linear", "base_lr": 1.0, "total_epochs": 10}}'  # noqa: E501
    result = subprocess.run(
        [str(installed / "python"), "-c", probe], input=doc, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"0.5 {schedules.__version__}", "[]"]
    listed = subprocess.run([str(installed / "python"), "-m", "pip", "list"], capture_output=True, text=True).stdout
    for absent in ("tensorflow", "streamlit", "plotly", "pandas"):
        assert absent not in listed.lower()


@pytest.mark.slow
def test_installed_command_answers(installed, tmp_path):
    run = lambda *args: subprocess.run(  # noqa: E731
        [str(installed / "lr-studio"), *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    helped = run("--help")
    assert helped.returncode == 0
    assert "lr-studio app" in helped.stdout
    where = subprocess.run(
        [str(installed / "python"), "-c", "from studio import cli; print(cli.site_dir())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert "site-packages" in where
    assert all((Path(where) / name).is_file() for name in ("app.py", "pages/train.py", ".streamlit/config.toml"))
    served = run("app")  # Streamlit is not in this venv: one sentence, no traceback
    assert served.returncode == 2
    assert served.stdout == (
        "lr-studio app: Streamlit is missing; install the app with pip install 'lr-schedule-studio[studio]'.\n"
    )


def test_build_outputs_stay_out_of_git():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "build/" in ignored and "dist/" in ignored
