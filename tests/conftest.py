"""Under CI=true a peer test that skips fails: a missing library must never pass silently there.
And AppTest runs pages at their served speed in any test process (see the last hook)."""

import os
import sys

import pytest

# Scripts the tests run in processes of their own, never tests themselves: collected for doctests
# they would load Keras or PyTorch into every test worker (10 s each at collection).
collect_ignore = ["frameworks/keras_multiworker.py", "frameworks/torch_worker.py"]

# The suites that skip when PyTorch, Hugging Face, JAX or optax is missing (requirements-peers.txt).
PEER_SUITES = tuple(
    f"tests/frameworks/{name}.py"
    for name in (
        "test_peer_conformance",
        "test_verify_peers",
        "test_code",
        "test_torch",
        "test_torch_distributed",
        "test_torch_range_test",
        "test_optax",
    )
)


def is_peer(nodeid: str) -> bool:
    return nodeid.split("::")[0] in PEER_SUITES


def fail_instead_of_skip(report) -> None:
    if os.environ.get("CI") == "true" and report.skipped and is_peer(report.nodeid) and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where every peer library must be installed: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    fail_instead_of_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):  # a module-level importorskip skips at collection
    outcome = yield
    fail_instead_of_skip(outcome.get_result())


# The longest file (fits of the real-log corpus, four minutes on one worker: started last, it ran
# alone at the end), then the folders whose files train, serve or drive a browser (tens of seconds
# to minutes each).
HEAVY_FIRST = (
    "tests/schedules/test_real_fits.py",
    "tests/training/",
    "tests/e2e/",
    "tests/pages/",
    "tests/frameworks/",
)


def pytest_collection_modifyitems(session, config, items):
    """The heaviest files first: with ``--no-loadscope-reorder`` (``tasks.parallel()``) pytest-xdist
    hands out whole files in collection order, so a training file collected last would run alone at
    the end while the other workers idle; without it, xdist orders files by test count instead."""

    def weight(item) -> int:
        return next((i for i, folder in enumerate(HEAVY_FIRST) if item.nodeid.startswith(folder)), len(HEAVY_FIRST))

    items.sort(key=weight)


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """This pytest-xdist worker's name ("gw0", "gw1"…), "master" when the tests run in one process."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


def pytest_collection_finish(session):
    """AppTest reruns at the speed of the served page, whatever else this process has loaded.

    After every rerun Streamlit calls ``keras.backend.clear_session()`` if Keras is loaded
    (``script_runner._clean_problem_modules``). The studio's server never loads Keras (training runs
    in its worker; tests/test_architecture.py opens every page to check), but a test worker that
    trained a Keras model has, and there each AppTest rerun became a full garbage collection: the
    page tests ran ten times slower. Each AppTest also scanned every installed distribution for
    Streamlit components (0.2 s; the studio has none): one scan a process serves them all. And
    each AppTest run compiled app.py and its page anew (a third of a Designer rerun), where the
    server compiles each script once: one script cache a process, as the server's runtime keeps.
    """
    runner = sys.modules.get("streamlit.runtime.scriptrunner.script_runner")
    if runner is None:  # no test here runs a page
        return
    runner._clean_problem_modules = lambda: None
    from streamlit.testing.v1 import app_test  # noqa: PLC0415 — only where pages are tested

    from bench.timing import compile_scripts_once  # noqa: PLC0415 — the page benches measure the same way

    scanned = app_test.BidiComponentManager()
    scanned.discover_and_register_components(start_file_watching=False)
    scanned.discover_and_register_components = lambda **_: None
    app_test.BidiComponentManager = lambda: scanned
    compile_scripts_once()
