"""Where the app keeps its files outside the repository: the demo project, the last-used
project. A user's data never goes inside the checkout.

`LITREVIEW_HOME` overrides the folder (tests point it at a temporary one).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

__all__ = ["data_home", "demo_project_path", "last_project", "remember_project"]


def data_home() -> Path:
    """The per-user data folder (created on demand)."""
    override = os.environ.get("LITREVIEW_HOME")
    if override:
        base = Path(override)
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "litreview"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "litreview"
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        base = Path(xdg) / "litreview"
    base.mkdir(parents=True, exist_ok=True)
    return base


def demo_project_path() -> Path:
    return data_home() / "demo-prison-peer-support.sqlite"


def _last_file() -> Path:
    return data_home() / "last-project.txt"


def last_project() -> Path | None:
    """The project opened last time, if it still exists."""
    try:
        text = _last_file().read_text(encoding="utf-8").strip()
    except OSError:
        return None
    path = Path(text) if text else None
    return path if path and path.exists() else None


def remember_project(path: Path) -> None:
    # remembering is a convenience; failing to must not stop the app
    with contextlib.suppress(OSError):
        _last_file().write_text(str(Path(path).resolve()), encoding="utf-8")
