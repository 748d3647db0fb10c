"""The test suite, mirroring the packages; ``ROOT`` is the checkout it tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
