"""The ``lr-studio`` command: serve the studio, run the demo training, verify schedule files.

    lr-studio app [streamlit options]     # serves the studio (the [studio] extra)
    lr-studio demo [options]              # python -m training.demo: a headless training run
    lr-studio find-lr [options]           # python -m training.find_lr: the lr range test on the demo
    lr-studio bakeoff --set FILE [options] # python -m training.bakeoff: a set trained over seeds
    lr-studio verify [options]            # python -m schedules.verify
    lr-studio --help

Each command runs its module in a child Python and passes every argument after the command
name on unchanged, so ``lr-studio demo --help`` answers with the demo's own help.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

MODULES = {
    "demo": "training.demo",
    "find-lr": "training.find_lr",
    "bakeoff": "training.bakeoff",
    "verify": "schedules.verify",
}
# The child runs the module as __main__ with argv[0] the command the user typed, so its usage
# line and errors say "lr-studio verify", not "python -m schedules.verify".
RUN_AS = (
    "import runpy, sys; module, name = sys.argv[1:3]; sys.argv[:3] = [name]; "
    "runpy.run_module(module, run_name='__main__')"
)
HELP = __doc__.split("\n\n")[1]


def site_dir() -> Path:
    """The folder holding app.py, pages/ and .streamlit/: the checkout's root, or the installed copy."""
    checkout = Path(__file__).resolve().parents[1]
    return checkout if (checkout / "app.py").is_file() else Path(__file__).resolve().parent / "site"


def app_command(extra: list[str]) -> list[str]:
    """``streamlit run`` on the studio's app.py, as ``tasks.py app`` and the Dockerfile serve it."""
    return [sys.executable, "-m", "streamlit", "run", str(site_dir() / "app.py"), "--server.headless", "true", *extra]


def module_command(command: str, extra: list[str]) -> list[str]:
    """The child Python that runs ``command``'s module with ``extra`` as its arguments."""
    return [sys.executable, "-c", RUN_AS, MODULES[command], f"lr-studio {command}", *extra]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command, extra = (args[0], args[1:]) if args else ("--help", [])
    if command in ("-h", "--help", "help"):
        print(f"usage: lr-studio {{app,demo,find-lr,bakeoff,verify}} [arguments]\n\n{HELP}")
        return 0
    if command == "app":
        if importlib.util.find_spec("streamlit") is None:
            print("lr-studio app: Streamlit is missing; install the app with pip install 'lr-schedule-studio[studio]'.")
            return 2
        # Runs go beside the user, not into the installed package, unless RUNS_DIR says otherwise.
        env = os.environ | {"RUNS_DIR": os.environ.get("RUNS_DIR") or str(Path.cwd() / "runs")}
        return subprocess.call(app_command(extra), env=env)
    if command in MODULES:
        return subprocess.call(module_command(command, extra))
    print(
        f"lr-studio: unknown command {command!r}; choose app, demo, find-lr, bakeoff or verify (lr-studio --help).",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
