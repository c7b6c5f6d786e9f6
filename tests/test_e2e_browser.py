"""The real app in a real browser: ``streamlit run app.py`` driven by Playwright in Chromium.

What AppTest cannot see is checked here: the pages as a browser renders them (no error
box, screenshots in ``artifacts/screenshots/``), hostile record text that must stay text
(no dialog opens, no script, image or ``javascript:`` link appears in the page), and the
newcomer's path of issue 6: import two exports, resolve the duplicates, filter to one
population, open the evidence map, click through to a study, correct a code, reload and
find the correction kept, export the filtered set.

Needs Debian's Chromium (``apt-get install chromium``; Playwright cannot download its own
browser here) and the ``playwright`` package; the tests skip, saying so, without them.
Run alone with ``pytest -m browser``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from lib.demo import ensure_demo_project
from lib.project import Project, coding, duplicates
from lib.views.studies import study_table
from tests.apptest_helpers import (
    HOSTILE_ID,
    HOSTILE_TITLE,
    ROOT,
    add_hostile_record,
    write_trap_exports,
)

pytestmark = pytest.mark.browser

SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# page name in the sidebar -> its URL path
PAGES = {
    "Overview": "",
    "Import": "Import",
    "Duplicates": "Duplicates",
    "Screen": "Screen",
    "Check codes": "Check_codes",
    "Explore": "Explore",
    "Evidence map": "Evidence_map",
    "Study": "Study",
    "Codebook": "Codebook",
    "Export": "Export",
}
WAIT_MS = 60_000  # the machine is shared: a first run of a page can take a while


def chromium_path() -> str:
    """Debian's Chromium, or skip the test saying how to install it."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.skip(
            "Chromium is not installed: run `apt-get install chromium` (Debian/Ubuntu) to run "
            "the real-browser test, or set CHROMIUM to a Chromium binary"
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the project and the server ----------------------------------------------------------------
@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo project plus the hostile record, in a fresh data folder."""
    home = tmp_path_factory.mktemp("browser-home")
    path = home / "review.sqlite"
    shutil.copyfile(ensure_demo_project(home / "demo-build.sqlite"), path)
    hostile_study = add_hostile_record(path)
    exports = write_trap_exports(tmp_path_factory.mktemp("exports"))
    return {"home": home, "path": path, "hostile": hostile_study, "exports": exports}


@pytest.fixture(scope="module")
def project_file(project: dict[str, Any]) -> Iterator[Project]:
    """The project file as this test reads it while the app runs: one connection, opened
    before the server starts and closed after it stopped.

    Not `open_project`, and never closed early: `open_project` reads the file's header
    with a plain ``open()``, and closing that descriptor drops every SQLite lock this
    process holds on the file (POSIX locks are per process); a connection closing without
    locks then checkpoints and deletes the WAL under the other process, whose next open
    fails with "disk I/O error". The app does that header read on every rerun, so a test
    process that opens and closes the project while the app runs breaks the app.
    """
    conn = sqlite3.connect(project["path"], isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    yield Project(project["path"], conn)
    conn.close()


@contextmanager
def running_app(path: Path, home: Path) -> Iterator[str]:
    """``streamlit run app.py -- --project FILE`` on a free port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "LITREVIEW_HOME": str(home)}
    log_path = home / f"streamlit-{port}.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
        "--", "--project", str(path),
    ]  # fmt: skip
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT_MS / 1000
        while True:  # the health endpoint answers once the server listens
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("streamlit did not start:\n" + log_path.read_text(encoding="utf-8"))
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(project: dict[str, Any], project_file: Project) -> Iterator[str]:
    """The app on the module's project; yields its base URL."""
    with running_app(project["path"], project["home"]) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser tab; every dialog it opens is recorded (and dismissed)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    shot(tab, f"last-{request.node.name}")  # where the test ended, pass or fail
    context.close()


# -- helpers ---------------------------------------------------------------------------------
def settle(page: Any) -> None:
    """Wait until the app is connected and its script has finished running."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def visit(page: Any, base: str, name: str, query: str = "") -> None:
    page.goto(f"{base}/{PAGES[name]}{query}")
    page.wait_for_selector("[data-testid='stAppViewContainer']")
    page.locator("h1").first.wait_for()
    settle(page)


def metric_number(page: Any, label: str) -> int:
    """The leading number of the metric called ``label`` ("12 / 41" -> 12)."""
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    value = metric.locator("[data-testid='stMetricValue']").inner_text()
    return int(re.sub(r"[^\d/]", "", value).split("/")[0])


def wait_until(page: Any, condition: Callable[[], bool], what: str | Callable[[], str]) -> None:
    """Poll ``condition`` for up to a minute (the app answers in its own time), then
    wait for the page to settle; ``what`` says what never happened."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, what() if callable(what) else what
        page.wait_for_timeout(100)
    settle(page)


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{re.sub(r'[^A-Za-z0-9_-]+', '-', name)}.png"))


def assert_clean(page: Any, where: str) -> None:
    """No exception box, no error alert, no dialog, nothing executable from record text."""
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, f"{where}: {exceptions.first.inner_text()}"
    alerts = page.locator("[data-testid='stAlertContentError']")
    assert alerts.count() == 0, f"{where}: {alerts.first.inner_text()}"
    assert page.dialogs == [], f"{where}: a dialog opened: {page.dialogs}"
    assert page.locator("img[onerror]").count() == 0, where
    assert page.locator("a[href^='javascript' i]").count() == 0, where
    injected = page.locator("script").filter(has_text="alert(")
    assert injected.count() == 0, where


def wait_for_text(page: Any, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for()
    settle(page)


def wait_for_url(page: Any, pattern: str) -> None:
    """Wait until the address matches (Streamlit changes it without loading a page)."""
    page.wait_for_function("p => new RegExp(p).test(window.location.href)", arg=pattern)


def folded(text: str) -> str:
    return " ".join(text.replace("\u200b", "").split())


# -- tests -------------------------------------------------------------------------------------
@pytest.mark.parametrize("first", ["Screen", "Check codes", "Study"])
def test_a_fresh_server_lists_only_the_pages_whatever_page_is_opened_first(
    browser: Any, tmp_path: Path, first: str
) -> None:
    """A bookmark to a page other than the Overview, opened on a server just started,
    listed a stray "app" entry (the main script) above the Overview in the navigation."""
    home = tmp_path / "home"
    home.mkdir()
    path = home / "review.sqlite"
    shutil.copyfile(ensure_demo_project(tmp_path / "demo.sqlite"), path)
    with running_app(path, home) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(WAIT_MS)
        visit(tab, base, first)
        entries = tab.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        context.close()
    assert [e.strip() for e in entries] == [
        "Overview", "Import", "Duplicates", "Screen", "Check codes", "Explore",
        "Evidence map", "Study", "Codebook", "Export",
    ]  # fmt: skip


def test_every_page_opens_without_an_error_box(page: Any, server: str) -> None:
    for name in PAGES:
        visit(page, server, name)
        assert_clean(page, name)
        shot(page, name)
    nav = page.locator("[data-testid='stSidebarNav']")
    for name in ("Import", "Duplicates", "Explore", "Study", "Codebook", "Export"):
        assert nav.get_by_text(name, exact=True).count() == 1


def test_hostile_record_text_stays_text_on_every_page(
    page: Any, server: str, project: dict[str, Any]
) -> None:
    study = project["hostile"]
    for name, query in [
        *((n, "") for n in PAGES if n != "Study"),
        ("Explore", "?q=alert"),
        ("Export", "?q=alert"),
        ("Study", f"?study={study}"),
    ]:
        visit(page, server, name, query)
        assert_clean(page, f"{name}{query}")
    shot(page, "Study-hostile-record")
    heading = page.locator("[data-testid='stMain'] h3").first  # the study's title
    assert folded(heading.inner_text()) == folded(HOSTILE_TITLE)
    for literal in (
        "<script>alert(2)</script>",
        "<img src=y onerror=alert(2)>",
        "[x](javascript:alert(3))",
        ":blue[b] $$y$$",
        "[J](javascript:alert(4))",
        "**Smith**, <b>J.</b>",
    ):
        assert page.get_by_text(literal, exact=False).count() >= 1, literal
    assert page.locator("[data-testid='stMarkdownContainer'] mark, .katex").count() == 0
    links = [a.get_attribute("href") or "" for a in page.locator("a[href]").all()]
    assert not [h for h in links if "alert" in h]
    assert page.url.endswith(f"study={HOSTILE_ID}")


def test_a_newcomers_path_from_import_to_export(
    page: Any, server: str, project: dict[str, Any], project_file: Project
) -> None:
    first, second = project["exports"]
    # 1. import two exports of their own, each labelled with its database
    visit(page, server, "Import")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        [str(first), str(second)]
    )
    for n, label in ((1, "Scopus (mine)"), (2, "PubMed (mine)")):
        box = page.get_by_role("textbox", name=f"Database label, file {n}", exact=True)
        box.fill(label)
        box.press("Enter")
        settle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_text(page, f"{second.name}: imported")
    assert_clean(page, "Import")
    shot(page, "path-1-imported")
    labels = [i["database"] for i in project_file.imports()[-2:]]
    to_review = len(duplicates.review_queue(project_file))
    assert labels == ["Scopus (mine)", "PubMed (mine)"] and to_review == 2

    # 2. resolve the duplicates: one pair is one publication, the other two
    visit(page, server, "Duplicates")
    wait_for_text(page, "Pair 1 of 2")
    shot(page, "path-2-duplicates")
    page.get_by_role("button", name="Same publication").first.click()
    wait_for_text(page, "Pair 1 of 1")
    page.get_by_role("button", name="Different publications").first.click()
    wait_for_text(page, "No possible duplicates left to review")
    assert_clean(page, "Duplicates")
    made = [d["kind"] for d in duplicates.decisions(project_file)]
    table = study_table(project_file)
    assert made == ["same", "different"]

    # 3. filter to one population on Explore: the URL keeps the filter
    visit(page, server, "Explore")
    population = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(
        has_text="Population"
    )
    population.click()
    page.get_by_role("option").filter(has_text="Sexual offences").first.click()
    wait_for_url(page, r"population=sexual-offences")
    page.keyboard.press("Escape")
    settle(page)
    expected = int(table["population"].map(lambda v: "sexual-offences" in v).sum())
    assert expected > 0
    wait_for_text(page, f"{expected:,} of {len(table):,} studies")
    assert_clean(page, "Explore filtered")
    shot(page, "path-3-explore-filtered")

    # 4. the evidence map of these studies
    page.get_by_role("link", name="Evidence map of these studies").click()
    wait_for_url(page, r"/Evidence_map\?.*population=sexual-offences")
    page.locator("h1").filter(has_text="Evidence map").wait_for()
    settle(page)
    wait_for_text(page, f"{expected:,} of {len(table):,} studies")
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    assert_clean(page, "Evidence map")
    shot(page, "path-4-evidence-map")

    # 5. back to the filtered list, select the first study, open it
    page.get_by_role("link", name="Change the filter on Explore").click()
    wait_for_url(page, r"/Explore\?.*population=sexual-offences")
    page.locator("h1").filter(has_text="Explore").wait_for()
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box
    page.get_by_role("link", name="Open this study").click()
    wait_for_url(page, r"/Study\?study=")
    page.locator("h1").filter(has_text="Study").wait_for()
    settle(page)
    study = re.search(r"study=([^&]+)", page.url).group(1)  # type: ignore[union-attr]
    study = urllib.request.url2pathname(study)
    assert study in set(table["study_id"])
    assert "sexual-offences" in table.set_index("study_id").at[study, "population"]
    assert_clean(page, "Study")

    # 6. correct the method, reload, find it kept
    method = page.get_by_role("combobox", name="Method")
    current = table.set_index("study_id").at[study, "method"]
    wanted, label = ("survey", "Survey") if current != "survey" else ("qualitative", "Qualitative")
    method.click()
    page.get_by_role("option", name=label, exact=True).click()
    wait_for_text(page, f"Method set to: {label}.")
    shot(page, "path-6-corrected")
    page.reload()
    page.locator("h1").filter(has_text="Study").wait_for()
    settle(page)
    assert re.search(r"study=", page.url)
    assert page.get_by_role("combobox", name="Method").input_value() == label
    assert page.get_by_text("set by you").count() == 1
    assert_clean(page, "Study after reload")
    codes = coding.effective_codes(project_file).set_index("study_id")
    assert codes.at[study, "method"] == wanted and "method" in codes.at[study, "overridden"]

    # 7. export the filtered set as CSV
    visit(page, server, "Export", "?population=sexual-offences")
    wait_for_text(page, f"{expected:,} of {len(table):,} studies")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV (.csv)").click()
    saved = download.value
    assert saved.suggested_filename.endswith(f"-studies-{expected}.csv")
    rows = list(csv.DictReader(io.StringIO(Path(saved.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == expected
    assert_clean(page, "Export")
    shot(page, "path-7-export")


def test_clicking_a_chart_bar_filters_the_table(page: Any, server: str) -> None:
    """AppTest cannot click a chart; a real browser can. A bar in 'Studies per population'
    becomes the population filter, in the sidebar and in the URL."""
    visit(page, server, "Explore")
    page.get_by_role("tab", name="Charts").click()
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text="population").first
    chart.wait_for()
    bar = chart.locator("g.point path").first
    bar.wait_for()
    box = bar.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_url(page, r"population=")
    settle(page)
    assert_clean(page, "Explore after a chart click")
    shot(page, "chart-click-filtered")


def test_every_record_exported_in_the_browser_comes_back_in_a_new_project(
    page: Any, server: str, project_file: Project, tmp_path: Path
) -> None:
    """Export -> import into a new project gives the same studies, groups and codes: the
    file as the browser downloads it ("Every record", RIS)."""
    from lib.ingest import read_bytes
    from lib.pipeline import refresh
    from lib.project import open_project

    visit(page, server, "Export")
    page.get_by_text("Every record, with its study", exact=False).first.click()
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="RIS (.ris)").click()
    data = Path(download.value.path()).read_bytes()
    assert_clean(page, "Export, every record")
    shot(page, "export-every-record")
    with open_project(tmp_path / "copy.sqlite") as copy:
        copy.add_import(read_bytes(data, download.value.suggested_filename))
        refresh(copy)
        columns = ["record_ids", "other_reports", "method", "population", "overridden"]
        mine = study_table(project_file).set_index("study_id").sort_index()[columns]
        theirs = study_table(copy).set_index("study_id").sort_index()[columns]
        assert theirs.to_dict() == mine.to_dict()


def test_filters_stay_codes_through_quick_changes(page: Any, server: str) -> None:
    """Issue 12: pick a population, then a method, then move the year slider several times
    quickly. The population must stay the code (before: it became its label with a count,
    "Sexual offences (7)", the URL said so, the sidebar showed "Any" and no study matched),
    no facet may drop, and the URL must end up saying what the widgets show."""
    visit(page, server, "Explore")
    sidebar = page.locator("[data-testid='stSidebar']")

    def pick(facet: str, option: str) -> None:
        choice = page.get_by_role("option").filter(has_text=option).first
        box = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text=facet)
        for _ in range(3):  # a click that lands while the sidebar redraws is lost: again
            box.click()
            try:
                choice.wait_for(timeout=10_000)
                choice.click()
            except Exception:  # playwright's TimeoutError: open the list again
                pass
            page.keyboard.press("Escape")
            settle(page)
            if option in box.inner_text():
                return

    pick("Population", "Sexual offences")
    wait_for_url(page, r"population=sexual-offences")
    pick("Method", "Qualitative")
    wait_for_url(page, r"method=qualitative")
    thumb = sidebar.get_by_role("slider").first
    thumb.focus()
    for _ in range(5):  # as fast as a key held down: each may start a run
        page.keyboard.press("ArrowRight")
    wait_for_url(page, r"from=\d{4}")
    settle(page)
    page.wait_for_timeout(500)  # late URL updates of interrupted runs would land by now
    settle(page)
    url = urllib.request.unquote(page.url)
    assert "population=sexual-offences" in url and "method=qualitative" in url, url
    assert "(" not in url, url
    year = sidebar.locator("[data-testid='stSliderThumbValue']").first.inner_text().strip()
    assert f"from={year}" in url, (year, url)
    population = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="Population")
    assert "Sexual offences" in population.inner_text()
    shown = re.search(r"([\d,]+) of ([\d,]+) studies", page.locator("[data-testid='stMain']")
                      .inner_text())  # fmt: skip
    assert shown and int(shown.group(1).replace(",", "")) > 0
    assert_clean(page, "Explore after quick changes")
    shot(page, "explore-quick-changes")


def test_an_action_never_jumps_to_another_tab(page: Any, server: str) -> None:
    """Issue 12: undoing a decision on "Your decisions" used to bring the page back to the
    first tab (its label held a count that changed), so the next undo meant finding the
    tab again. The page stays where the reviewer was."""
    visit(page, server, "Duplicates")

    def open_tab(name: str, shows: str) -> None:  # a tab draws its content in a new run
        page.get_by_role("tab", name=name).click()
        page.get_by_text(re.compile(shows)).first.wait_for()
        settle(page)

    open_tab("Your decisions", "Show all decisions|No decisions yet")
    if page.get_by_role("button", name="Undo").count() == 0:  # run alone: decide one first
        open_tab("Review pairs", "Pairs the matcher|No possible duplicates")
        different = page.get_by_role("button", name="Different publications")
        if different.count() == 0:
            pytest.skip("nothing to decide or undo in this project")
        different.first.click()
        wait_for_text(page, "apart as different publications")
        open_tab("Your decisions", "Show all decisions")
    before = page.get_by_role("button", name="Undo").count()
    assert before >= 1
    page.get_by_role("button", name="Undo").first.click()
    wait_for_text(page, "Undid decision")
    selected = page.locator("[data-testid='stMain'] [role='tab'][aria-selected='true']")
    assert selected.inner_text().strip() == "Your decisions"
    assert page.get_by_role("button", name="Undo").count() == before - 1
    assert_clean(page, "Duplicates after an undo")
    shot(page, "duplicates-after-undo")


def test_an_include_on_screen_narrows_explore_and_the_map_to_the_included_scope(
    page: Any, server: str, project_file: Project
) -> None:
    """Issue 14: before any include, Explore says every study is shown; include one study
    on the Screen page and Explore and the evidence map show that one (the included scope,
    the default), until the switch says all. Back on Screen, Back takes the include back,
    so the project is as the other tests of this module expect. (Last in this module.)"""
    from lib.screening import decisions

    total = len(study_table(project_file))
    visit(page, server, "Explore")
    wait_for_text(page, "No study has been included yet")
    assert page.get_by_text(f"showing all {total} studies", exact=False).count() == 1

    page.goto(f"{server}/Screen")
    page.locator("h1").filter(has_text="Screen").wait_for()
    settle(page)
    page.locator("h1").first.click()  # focus the page, not a text box
    page.keyboard.press("i")  # include the study shown
    deadline = time.monotonic() + 60
    while not [d for d in decisions.load(project_file) if d.verdict == "include"]:
        assert time.monotonic() < deadline, "the include was not stored"
        page.wait_for_timeout(200)
    settle(page)

    visit(page, server, "Explore")
    wait_for_text(page, "1 of 1 included study")
    assert page.get_by_text("No study has been included yet").count() == 0
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Included studies (1)").count() == 1
    assert_clean(page, "Explore, included scope")
    shot(page, "scope-1-explore-included")
    page.get_by_role("link", name="Evidence map of these studies").click()
    page.locator("h1").filter(has_text="Evidence map").wait_for()
    settle(page)
    wait_for_text(page, "1 of 1 included study")
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    assert_clean(page, "Evidence map, included scope")
    shot(page, "scope-2-map-included")
    sidebar.get_by_text("All studies (screened or not)").click()
    wait_for_url(page, r"scope=all")
    wait_for_text(page, f"{total} of {total} studies")
    shot(page, "scope-3-map-all")

    page.goto(f"{server}/Screen")
    page.locator("h1").filter(has_text="Screen").wait_for()
    settle(page)
    page.locator("h1").first.click()
    page.keyboard.press("b")  # back: takes the include back
    deadline = time.monotonic() + 60
    while [d for d in decisions.load(project_file) if d.verdict == "include"]:
        assert time.monotonic() < deadline, "the include was not taken back"
        page.wait_for_timeout(200)


def test_the_prisma_flow_downloads_as_csv_svg_and_png(page: Any, server: str) -> None:
    """The PNG is made when its button is clicked (a deferred download, which AppTest does
    not run): in a real browser each of the three files arrives, named for the project."""
    from PIL import Image

    visit(page, server, "Overview")
    wait_for_text(page, "PRISMA 2020 flow")
    files: dict[str, bytes] = {}
    for label in ("PRISMA counts (CSV)", "PRISMA diagram (SVG)", "PRISMA diagram (PNG)"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        name = download.value.suggested_filename
        files[name.rsplit(".", 1)[-1]] = Path(download.value.path()).read_bytes()
        assert name.endswith("-prisma." + name.rsplit(".", 1)[-1]) and name.startswith("demo")
    assert set(files) == {"csv", "svg", "png"}
    assert b"Records identified from databases" in files["svg"]
    assert "stage,detail,n" in files["csv"].decode("utf-8-sig")
    image = Image.open(io.BytesIO(files["png"]))
    assert image.format == "PNG" and image.size[0] > 600
    assert_clean(page, "Overview after the PRISMA downloads")
