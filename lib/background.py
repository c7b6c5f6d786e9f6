"""Start a module of this app as a background process for a project, and tell whether a
process still runs: what the ranking worker (`lib.screening.worker`) and the re-coding
worker (`lib.recoding`) share. Processes, not threads: their work holds the interpreter
lock for seconds, which would stall the page's reruns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["process_exists", "spawn"]

ROOT = Path(__file__).resolve().parents[1]


def spawn(module: str, project_path: Path) -> subprocess.Popen[bytes]:
    """``python -m MODULE PROJECT PARENT_PID`` from the app's folder, detached from the
    page's input and output; the worker stops when this process is gone."""
    return subprocess.Popen(
        [sys.executable, "-m", module, str(project_path), str(os.getpid())],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def process_exists(pid: int) -> bool:
    """Whether process ``pid`` still runs (on platforms without signal 0: assume so)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # no permission, or Windows: signal 0 is not supported the same way
        return True
    return True
