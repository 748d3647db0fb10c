"""The page builds figures unchecked for speed; here Plotly checks every property of each one."""

import pytest

from studio import figures


@pytest.fixture(autouse=True)
def plotly_checks_every_figure(monkeypatch):
    monkeypatch.setattr(figures, "VALIDATE", True)
