"""Shared test helpers: where fixtures and the team's shared data live."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

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
