"""The demo project: the shipped exports of the prison peer support corpus, imported,
deduplicated and coded, so the app opens on something real.

Built once into the user's data folder (never inside the repository), in a temporary file
renamed into place when complete, so an interrupted first start never leaves a half-built
demo behind.

The demo ships unscreened, although its studies were chosen as an evidence base: a
newcomer should be able to try the Screen page on it, and the project file should hold
only decisions a reviewer made (they leave in exports and the PRISMA flow). Until a study
is included, Explore and the evidence map show every study and say why
(`lib.views.scope`).
"""

from __future__ import annotations

import os
from pathlib import Path

from lib.ingest import read_path
from lib.project import Project, open_project

__all__ = ["DEMO_EXPORTS", "build_demo_project", "ensure_demo_project"]

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
# file -> the database label a reviewer would give it
DEMO_EXPORTS: dict[str, str] = {
    "scopus.ris": "Scopus",
    "wos-savedrecs.txt": "Web of Science",
    "pubmed.nbib": "PubMed",
    "ebscohost.ris": "EBSCOhost",
    "zotero.bib": "Hand search (Zotero)",
}
DEMO_NAME = "Demo: peer support in prisons"


def build_demo_project(path: Path) -> Project:
    """Import the demo exports into a new project at ``path`` and bring it up to date."""
    from lib.pipeline import refresh

    project = open_project(path)
    project.set_meta("name", DEMO_NAME)
    for file_name, label in DEMO_EXPORTS.items():
        project.add_import(read_path(DEMO_DIR / "exports" / file_name, database=label))
    refresh(project)
    return project


def ensure_demo_project(path: Path) -> Path:
    """The demo project at ``path``, built on first use; returns the path."""
    if path.exists():
        return path
    tmp = path.with_name(f".{path.name}.{os.getpid()}.building")
    for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
        leftover.unlink(missing_ok=True)
    project = build_demo_project(tmp)
    project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    project.close()
    os.replace(tmp, path)
    return path
