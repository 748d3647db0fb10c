"""Under CI=true a peer test that skips fails: a missing library must never pass silently there."""

import os

import pytest

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


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """This pytest-xdist worker's name ("gw0", "gw1"…), "master" when the tests run in one process."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")
