"""Set up and run the app or the tests with nothing but Python installed.

    python run.py app [streamlit options] [-- --project FILE.sqlite]
    python run.py test [pytest options]

Creates `.venv` beside this file on first use and installs the pinned requirements
(again only when a requirements file changed), then starts Streamlit or pytest in it.
Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_env(requirements: str) -> None:
    """Create the virtual environment and install ``requirements`` if they changed."""
    if not PYTHON.exists():
        print(f"creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{Path(requirements).stem}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {requirements} ...", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r",
         str(ROOT / requirements)],
        check=True,
    )  # fmt: skip
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test"):
        print(__doc__)
        return 1
    what, rest = argv[0], argv[1:]
    os.chdir(ROOT)
    if what == "app":
        ensure_env("requirements.txt")
        return subprocess.call([str(PYTHON), "-m", "streamlit", "run", "app.py", *rest])
    ensure_env("requirements-dev.txt")
    return subprocess.call([str(PYTHON), "-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
