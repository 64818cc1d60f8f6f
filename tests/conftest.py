"""Shared fixtures and options for the mlekit test suite."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Import mlekit from this checkout's src/ (also in git worktrees), whatever is installed.
_SRC = str(Path(__file__).resolve().parents[1] / "src")
if sys.path[:1] != [_SRC]:
    sys.path.insert(0, _SRC)

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# CI runs the property tests on a fixed set of examples (reproducible runs); locally they
# explore new random examples each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run the slow statistical checks (CI does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or os.environ.get("MLEKIT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261124)


SEED_FIVE = [2.3, 1.9, 2.5, 2.8, 1.7]
COIN = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
