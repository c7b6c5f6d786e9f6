"""Shared test helpers: where fixtures and the team's shared data live."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI (`.ci/run` sets HYPOTHESIS_PROFILE=ci) draws the same examples on every run, so a red
# CI means a change broke something, not that a random draw found an old corner; runs on
# a developer's machine draw new examples each time and keep finding those corners.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip the test when the team's shared folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (shared data is only on team machines and CI)")
    return path


def sample_manifest() -> list[dict[str, str]]:
    """Rows of ../shared/samples/MANIFEST.csv, or [] when absent."""
    path = SHARED / "samples" / "MANIFEST.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def data_dir() -> Path:
    return DATA
