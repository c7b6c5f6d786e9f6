"""The one place pages touch Streamlit's session: which project is open, and cached loaders.

Every page starts with ``project = state.page_setup("Title")``. Durable state lives in the
project file; the session holds only which project file is open. Every write bumps the
project's version, so a decision made in one page (or another browser session) is seen by
the next rerun everywhere: small loaders are cached by path and version, and the studies
table is kept current study by study (`lib.views.study_cache`, one per project file), so a
write costs the studies it changed, not a rebuild of all of them.

This is the only module in `lib/` that imports Streamlit.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from lib import paths, pipeline, recoding
from lib.explore import urlstate
from lib.explore.filters import Filters
from lib.explore.index import StudyIndex
from lib.explore.table import Results
from lib.model import Record
from lib.project import Project, ProjectError, open_project
from lib.views import scope as scopes
from lib.views.scope import Scoped
from lib.views.study_cache import Snapshot, StudyCache

if TYPE_CHECKING:
    from lib.views.prisma import Flow

__all__ = [
    "EXPLORE_QUERY",
    "PAGES",
    "SCOPE",
    "chosen_scope",
    "overview_studies",
    "page_setup",
    "prisma",
    "prisma_flow",
    "project_path",
    "records_by_id",
    "scope_switch",
    "shared_filters",
    "stop_if_empty",
    "studies",
    "study_index",
    "switch_project",
    "url_params",
    "warm_studies",
]

_KEY = "project_path"
EXPLORE_QUERY = "explore_query"  # the filter last set on Explore, as URL parameters
SCOPE = "scope"  # the scope chosen (lib.views.scope): kept for every page of the session
_SCOPE_WIDGET = "scope_switch"  # the switch's own key (a page's widgets leave with it)
_SCOPE_WRITTEN = "_scope_written"  # the scopes this session's pages wrote to the URL

# The app's pages, for st.page_link and st.switch_page (paths relative to app.py).
PAGES: dict[str, str] = {
    "Overview": "app_pages/0_Overview.py",
    "Import": "app_pages/1_Import.py",
    "Duplicates": "app_pages/2_Duplicates.py",
    "Screen": "app_pages/3_Screen.py",
    "Check_codes": "app_pages/4_Check_codes.py",
    "Explore": "app_pages/5_Explore.py",
    "Evidence_map": "app_pages/6_Evidence_map.py",
    "Study": "app_pages/7_Study.py",
    "Codebook": "app_pages/8_Codebook.py",
    "Export": "app_pages/9_Export.py",
}


def _cli_project() -> Path | None:
    """``streamlit run app.py -- --project FILE`` puts the option in the script's argv."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--project")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return Path(known.project).expanduser() if known.project else None


def project_path() -> Path:
    """The open project: chosen in this session, else --project, else the last, else demo."""
    if _KEY not in st.session_state:
        chosen = _cli_project() or paths.last_project()
        if chosen is None:
            from lib.demo import ensure_demo_project

            chosen = ensure_demo_project(paths.demo_project_path())
        st.session_state[_KEY] = str(chosen)
    return Path(st.session_state[_KEY])


def switch_project(path: Path) -> None:
    """Open another project file in this session (and next time the app starts)."""
    st.session_state[_KEY] = str(path)
    paths.remember_project(path)
    st.cache_data.clear()


def page_setup(title: str, icon: str = ":material/menu_book:") -> Project:
    """Set up a page and open the session's project; stops the page on a bad project file."""
    st.set_page_config(page_title=f"{title} · Literature review", page_icon=icon, layout="wide")
    path = project_path()
    try:
        project = open_project(path)
    except ProjectError as exc:
        st.error(f"{exc}. Open another project on the Overview page.")
        st.stop()
        raise  # for type checkers: st.stop() does not return
    paths.remember_project(path)
    # Changes made elsewhere (the command line, another session) are picked up here; this
    # writes only when records, decisions or the codebook changed, and never in a cache.
    if pipeline.is_stale(project):
        if recoding.start_if_wanted(project):
            pipeline.refresh(project)  # what changed besides: the worker does the rest
        else:
            with st.spinner("Updating duplicate groups and codes …"):
                pipeline.refresh(project)
    slot = st.container()  # always there: nothing below shifts when the banner goes
    if recoding.progress(project) is not None:
        with slot:
            _recode_progress(str(path))
    with st.sidebar:
        name = project.meta("name") or path.stem
        st.caption(f"Project: {textsafe_name(name)} · {project.count_records()} records")
    return project


@st.fragment(run_every=2.0)
def _recode_progress(path: str) -> None:
    """While every study is coded again for a new codebook (`lib.recoding`): how far it
    is, redrawn every two seconds; the whole page reruns with the new codes at the end."""
    with open_project(path, create=False) as project:
        done = recoding.progress(project)
        if done is None:
            if not pipeline.is_stale(project):
                st.rerun(scope="app")
            return
    if done.error:
        st.warning(
            f"Coding the studies again with the new codebook failed ({done.error}); "
            "they are coded on the next page you open."
        )
        return
    st.info(
        f"The codebook changed: coding every study again, {done.done:,} of "
        f"{done.total:,} done. Pages show the earlier codes until then; your corrections "
        "are kept either way.",
        icon=":material/hourglass_top:",
    )


def stop_if_empty(studies: pd.DataFrame) -> None:
    """On a project with no studies yet: say what to do, link to Import, stop the page."""
    if studies.empty:
        st.info("No studies yet: import files on the Import page.")
        st.page_link(PAGES["Import"], label="Go to Import", icon=":material/upload_file:")
        st.stop()


def url_params() -> dict[str, list[str]]:
    """The page's query parameters, every value as a list."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def shared_filters(index: StudyIndex) -> tuple[Filters, dict[str, list[str]]]:
    """The filter a page shows: from its URL if that has one, else the one last set on
    Explore in this session (so "Evidence map of these studies" and "Export what I
    filtered" work after moving between pages); with the URL's parameters."""
    params = url_params()
    known = index.known()
    if urlstate.has_filters(params):
        return urlstate.from_query(params, known), params
    return urlstate.from_query(st.session_state.get(EXPLORE_QUERY, {}), known), params


def textsafe_name(name: str) -> str:
    """A project name for a caption, with Markdown characters escaped."""
    from lib.textsafe import escape_markdown

    return escape_markdown(name)


# One cache per project file, shared by every rerun and session: it keeps the studies
# table and updates only the studies a write changed (`lib.views.study_cache`), so a
# decision or a correction costs milliseconds instead of rebuilding 50k rows. Pages must
# treat the tables as read-only: filter, select and copy, never assign.
@st.cache_resource(max_entries=4)
def _study_cache(path: str, created: str) -> StudyCache:
    return StudyCache(paths.data_home() / "cache", key=f"{Path(path).resolve()}|{created}")


def _snapshot(project: Project) -> Snapshot:
    cache = _study_cache(str(project.path), project.meta("created_at") or "")
    if cache.is_current(project):
        return cache.current(project)
    with st.spinner("Loading studies …", show_time=False):
        return cache.current(project)


def studies(project: Project) -> pd.DataFrame:
    """The studies table (see `lib.views.studies`), current with the file. Read-only."""
    return _snapshot(project).table


def study_index(project: Project) -> tuple[StudyIndex, Results]:
    """The search and filter index and the sortable result rows of the studies table,
    built once per table and shared by the Explore, Evidence map and Export pages
    (read-only)."""
    snapshot = _snapshot(project)
    if snapshot._index is not None:
        return snapshot.index()
    with st.spinner("Indexing studies …", show_time=False):
        return snapshot.index()


class _Records(Mapping[str, Record]):
    """Every record of a project by id, read from the file one at a time when asked for
    (reading all 82k records took seconds at the first visit of a page that shows a few)."""

    def __init__(self, path: str, ids: list[str]) -> None:
        self._path = path
        self._ids = ids
        self._known = set(ids)
        self._read: dict[str, Record] = {}
        self._lock = threading.Lock()

    def __getitem__(self, record_id: str) -> Record:
        found = self._read.get(record_id)
        if found is None:
            if record_id not in self._known:
                raise KeyError(record_id)
            self.fetch([record_id])
            found = self._read[record_id]
        return found

    def fetch(self, record_ids: Iterable[str]) -> dict[str, Record]:
        """Read several records at once (one query); returns them by id."""
        wanted = [r for r in dict.fromkeys(record_ids) if r in self._known and r not in self._read]
        if wanted:
            from lib.project import duplicates

            with open_project(self._path, create=False) as project:
                found = duplicates.records_of(project, wanted)
            with self._lock:
                self._read.update(found)
        return {r: self._read[r] for r in record_ids if r in self._read}

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@st.cache_resource(show_spinner=False, max_entries=2)
def _records_by_id(path: str, n_records: int, last_import: int) -> _Records:
    with open_project(path, create=False) as project:
        ids = [r for (r,) in project.conn.execute("SELECT record_id FROM records ORDER BY rid")]
    return _Records(path, ids)


def records_by_id(project: Project) -> Mapping[str, Record]:
    """Every record by id, in arrival order (shared, read-only: do not change them); each
    is read from the file when first asked for (``.fetch(ids)`` reads many at once).

    Records change only with an import, so that is what the cache is keyed on.
    """
    n, last = project.conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(import_id), 0) FROM records"
    ).fetchone()
    return _records_by_id(str(project.path), int(n), int(last))


@st.cache_data(show_spinner=False, max_entries=8)
def _prisma(path: str, version: int) -> dict[str, object]:
    from lib.project import duplicates

    with open_project(path, create=False) as project:
        return duplicates.prisma_counts(project)


def prisma(project: Project) -> dict[str, object]:
    """PRISMA identification counts of the project, cached until it changes."""
    return _prisma(str(project.path), project.version)


@st.cache_data(show_spinner=False, max_entries=8)
def _prisma_flow(path: str, version: int) -> Flow:
    from lib.views.prisma import project_flow

    with open_project(path, create=False) as project:
        return project_flow(project, _prisma(path, version))


def prisma_flow(project: Project) -> Flow:
    """The whole PRISMA 2020 flow of the project (identification and screening), cached
    until the project changes (a screening decision is a change). Raises `ValueError`
    when the counts disagree."""
    return _prisma_flow(str(project.path), project.version)


@st.cache_resource(show_spinner=False, max_entries=2)
def _overview(path: str, version: int, _cache: StudyCache) -> pd.DataFrame:
    from lib.explore.index import StudyIndex
    from lib.views.overview import OVERVIEW_COLUMNS, overview_table

    with open_project(path, create=False) as project:  # the table the last run saved, or SQL
        table = _cache.saved_columns(project, list(OVERVIEW_COLUMNS))
        if table is None:
            table = overview_table(project)
    StudyIndex(table).share()  # both charts of a run, and every rerun, explode it once
    return table


def overview_studies(project: Project) -> pd.DataFrame:
    """The studies table's ``study_id``, ``year``, ``method`` and ``population`` (at
    least): the whole table when it is built already, else those columns of the table the
    last run saved (when the file has not changed since), else read with a few queries
    (`lib.views.overview`: ~0.3 s at 50k studies, where building the whole table takes
    seconds). For the Overview's headline and charts; read-only."""
    cache = _study_cache(str(project.path), project.meta("created_at") or "")
    if cache.is_current(project):
        return cache.current(project).table
    return _overview(str(project.path), project.version, cache)


def warm_studies(project: Project, delay_s: float = 1.0) -> None:
    """Build (or load) the studies table in a background thread, ``delay_s`` after the
    page is drawn, so the next page that needs it finds it ready; a page asking for it
    meanwhile waits for this build instead of starting another (the cache's lock)."""
    cache = _study_cache(str(project.path), project.meta("created_at") or "")
    if cache.is_current(project):
        return
    path = str(project.path)

    def build() -> None:
        try:
            with open_project(path, create=False) as opened:
                if not pipeline.is_stale(opened):  # a page refreshes first; never write here
                    cache.current(opened)
        except Exception:  # noqa: BLE001 (derived data: the page that needs it builds it)
            return

    timer = threading.Timer(delay_s, build)
    timer.daemon = True
    timer.start()


def chosen_scope() -> str:
    """The scope chosen in this session (else the URL's, else the default: included);
    for pages that show the scope without the switch (the Overview, Check codes)."""
    return (
        scopes.read_scope(st.session_state.get(SCOPE))
        or scopes.read_scope(st.query_params.get_all("scope"))
        or scopes.DEFAULT_SCOPE
    )


def _scope_chosen() -> None:
    """The switch was moved: that is the session's scope now."""
    st.session_state[SCOPE] = st.session_state[_SCOPE_WIDGET]


def scope_radio() -> str:
    """The same scope switch for a page that works without the studies table (Check
    codes): the session's scope, changeable there, without each scope's count (counting
    needs the table, seconds at 50k studies). Returns the scope chosen."""
    chosen = chosen_scope()
    st.session_state[SCOPE] = st.session_state[_SCOPE_WIDGET] = chosen
    with st.sidebar:
        st.radio(
            "Studies",
            scopes.SCOPES,
            key=_SCOPE_WIDGET,
            format_func=lambda scope: scopes.SCOPE_LABELS.get(scope, scope),
            on_change=_scope_chosen,
            help="Which studies this page takes you through: those included at screening "
            "(the default), also those marked maybe, or every study.",
        )
    return chosen


def scope_switch(project: Project, studies: pd.DataFrame, index: StudyIndex) -> Scoped:
    """The scope switch in the sidebar (the same on every page that has one) and, when the
    chosen scope holds no study yet, the message that all are shown instead. Returns the
    scope with ``index`` restricted to it: filter, count and draw with ``scoped.index``,
    and add ``scoped.param`` to the page's URL.

    The session's scope (``st.session_state["scope"]``) is the one shown; a URL naming a
    scope this session never wrote (a shared link, a bookmark) sets it. A scope the pages
    wrote themselves may come back from the browser late, after a newer choice, and must
    not undo it (see the Explore page)."""
    ss = st.session_state
    written: set[str] = ss.setdefault(_SCOPE_WRITTEN, set())
    linked = scopes.read_scope(st.query_params.get_all("scope"))
    if linked is not None and linked not in written:
        ss[SCOPE] = linked
    chosen = scopes.read_scope(ss.get(SCOPE)) or scopes.DEFAULT_SCOPE
    scoped = scopes.choose(project, studies, index, chosen)
    ss[SCOPE] = ss[_SCOPE_WIDGET] = scoped.chosen  # the widget shows it on every page
    if scoped.param:  # what the page writes to its URL
        written.add(scoped.chosen)
    with st.sidebar:
        st.radio(
            "Studies",
            scopes.SCOPES,
            key=_SCOPE_WIDGET,
            format_func=scoped.label,
            on_change=_scope_chosen,
            help="Which studies this page counts, filters and exports: those included at "
            "screening (the default), also those marked maybe, or every study.",
        )
    if scoped.message:
        st.info(scoped.message, icon=":material/info:")
        st.page_link(PAGES["Screen"], label="Screen the studies", icon=":material/check_circle:")
    return scoped
