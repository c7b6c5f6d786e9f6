"""Shared helpers for the AppTest page tests: fresh projects and pages opened on them.

Every test gets its own data folder (``LITREVIEW_HOME``) and its own project file, so a
decision made in one test never shows in another. The demo project is built once per
test session and copied (building it imports and deduplicates five files).

Pages are opened through the app: AppTest starts on ``app.py`` and switches to the page
before the first run, because ``st.page_link`` resolves pages relative to the main script
(a page opened on its own cannot link to the others).

Use the fixtures by importing them into a test module::

    from tests.apptest_helpers import app_home, demo_project, demo_template, open_page
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.demo import ensure_demo_project
from lib.ingest import read_bytes, read_path
from lib.pipeline import refresh
from lib.project import Project, duplicates, open_project

__all__ = [
    "HOSTILE_ABSTRACT",
    "HOSTILE_ID",
    "HOSTILE_TITLE",
    "ROOT",
    "TIMEOUT",
    "add_hostile_record",
    "app_home",
    "as_shown",
    "build_trap_project",
    "copy_of",
    "demo_project",
    "demo_template",
    "errors",
    "open_page",
    "traps_project",
    "write_trap_exports",
]

ROOT = Path(__file__).resolve().parents[1]
TRAPS = Path(__file__).resolve().parent / "data" / "dedupe" / "traps.csv"
TIMEOUT = 60  # seconds per script run: the machine is shared and the first run imports a lot

# A record whose text would run script, link or format if any page rendered it as HTML or
# Markdown (issue 7): every page must show it literally.
HOSTILE_ID = "hostile-1"
HOSTILE_TITLE = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) "
    "**bold** :red[red] $x$ Peer mentors in prison: a qualitative study"
)
HOSTILE_ABSTRACT = (
    "[Demo summary] Semi-structured interviews with Listeners. <script>alert(2)</script> "
    "<img src=y onerror=alert(2)> [x](javascript:alert(3)) :blue[b] $$y$$ :smile: `code` "
    "# heading _under_ ~~gone~~"
)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, built once per test session; copy it, never open it."""
    return ensure_demo_project(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data folder for the app (what ``LITREVIEW_HOME`` points at)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("LITREVIEW_HOME", str(home))
    return home


@pytest.fixture
def demo_project(demo_template: Path, app_home: Path) -> Path:
    """A fresh copy of the demo project where the app keeps its demo."""
    from lib.paths import demo_project_path

    path = demo_project_path()
    shutil.copyfile(demo_template, path)
    return path


def write_trap_exports(folder: Path) -> tuple[Path, Path]:
    """The deduplication trap records as two CSV exports (cases a-f, then g-n).

    Imported in this order they leave two pairs to review: j1/j3 (same title, authors
    and volume; pages 10 vs 200) and n1/n2 (a thesis and its article).
    """
    with TRAPS.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        columns = list(reader.fieldnames or [])
    first = [r for r in rows if r["record_id"][0] <= "f" or r["record_id"] in ("j1", "j2")]
    second = [r for r in rows if r not in first]
    out = []
    for name, part in (("scopus.csv", first), ("pubmed.csv", second)):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(part)
        out.append(path)
    return out[0], out[1]


@pytest.fixture
def traps_project(app_home: Path) -> Path:
    """A project of the trap records with possible duplicates left to review."""
    return build_trap_project(app_home, app_home / "traps.sqlite", name="Trap records")


def build_trap_project(
    folder: Path, path: Path, *, second_export: bool = True, name: str = ""
) -> Path:
    """A project at ``path`` of the trap exports (`write_trap_exports`, written into
    ``folder``): the first as Scopus, the second (unless told not) as PubMed, grouped and
    coded, its write-ahead log folded in so the file can be copied as a template."""
    first, second = write_trap_exports(folder)
    with open_project(path) as project:
        if name:
            project.set_meta("name", name)
        project.add_import(read_path(first, database="Scopus"))
        if second_export:
            project.add_import(read_path(second, database="PubMed"))
        refresh(project)
        project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@contextmanager
def copy_of(template: Path, folder: Path) -> Iterator[Project]:
    """A fresh copy of the project file ``template`` in ``folder``, opened."""
    path = folder / "review.sqlite"
    shutil.copyfile(template, path)
    with open_project(path) as opened:
        yield opened


def add_hostile_record(path: Path) -> str:
    """Import the hostile record into the project at ``path``; returns its study id.

    Read from a CSV like any export, then given the exact hostile text (readers drop
    HTML tags, and this must not depend on what a reader keeps).
    """
    data = (
        "record_id,title,authors,year,journal,abstract,doi,url,keywords\n"
        f'{HOSTILE_ID},placeholder,"Smith, J.",2020,"[J](javascript:alert(4))",placeholder,'
        '10.1234/hostile,javascript:alert(5),"peer support; <b>bold</b>"\n'
    ).encode()
    read = read_bytes(data, "hostile.csv", database="<b>Hostile</b> **db**")
    record = read.records[0]
    record.title, record.abstract = HOSTILE_TITLE, HOSTILE_ABSTRACT
    record.authors = ["**Smith**, <b>J.</b>", "[Jones](javascript:alert(6)), M."]
    with open_project(path) as project:
        project.add_import(read)
        refresh(project)
        study = duplicates.members_of(project)[HOSTILE_ID]
    return study


def open_page(
    project_path: Path,
    page: str = "app.py",
    *,
    query: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> AppTest:
    """Open ``page`` of the app (e.g. ``"app_pages/7_Study.py"``) on ``project_path``, run once."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["project_path"] = str(project_path)
    if query:
        at.query_params.update(query)
    if page != "app.py":
        at.switch_page(page)
    return at.run()


def as_shown(markdown: str) -> str:
    """What a Markdown message shows a reader: escapes undone, zero-width spaces dropped
    (messages escape paths and record text with `lib.textsafe.escape_markdown`)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u200b", "")


def errors(at: AppTest) -> list[str]:
    """Exceptions and error boxes of the last run, as text (empty when all is well)."""
    return [e.message for e in at.exception] + [e.value for e in at.error]
