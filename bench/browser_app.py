"""Click to settled page, in real Chromium, on a 50,000-study project (issue 12, "Speed").

    .venv/bin/python bench/browser_app.py --repeats 5
    .venv/bin/python bench/browser_app.py --repeats 5 --app-dir /path/to/other/checkout

Starts ``streamlit run app.py`` on a copy of the project built by
`bench/browser_project.py` (built first if missing, a few minutes), and drives it with
Playwright in Debian's Chromium, the way a reviewer clicks:

- cold start: a fresh server, then the Overview opened until it is rendered;
- a duplicate decision ("Different publications", "Same publication") and its undo;
- a filter change on Explore (a population picked in the sidebar, the year slider moved
  by one year), and a click on a bar of the population chart;
- on the Study page: a code correction (the method) and the next study (▶).

"Settled" is measured in the page: a MutationObserver keeps the time of the last change
to the DOM; after the click, the script must have run (``data-test-script-state`` went
to ``running`` and back) and the DOM must then stay still for 400 ms. The figure is the
last DOM change minus the moment of the click (the ``pointerdown``/``keydown`` event in
the page), so it is what the reviewer sees, rendering included. Median of ``--repeats``
after one unmeasured warm-up, with the load average beside every action. The page's tab
after an action is also checked: an action must never jump to another tab.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUIET_MS = 400  # the DOM must stay still this long after the run to count as settled
TIMEOUT_MS = int(os.environ.get("BENCH_TIMEOUT_MS", "180000"))
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

# Installed in every page: the time of the last DOM change, of the last user input, and
# the script state's transitions since that input.
_PROBE = """
() => {
  // the Window outlives the initial about:blank document: mark the document instead
  if (document.__bench) return;
  const b = document.__bench = window.__bench = {last: performance.now(), input: null,
                                                 states: []};
  new MutationObserver(() => { b.last = performance.now(); })
    .observe(document,
             {subtree: true, childList: true, attributes: true, characterData: true});
  for (const kind of ['pointerdown', 'keydown']) {
    document.addEventListener(kind, () => { b.input = performance.now(); b.states = []; },
                              {capture: true});
  }
  const watch = () => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app) { setTimeout(watch, 20); return; }
    new MutationObserver(() => b.states.push(app.getAttribute('data-test-script-state')))
      .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  watch();
}
"""
# True once the app ran after the input, is idle, and the DOM has been still long enough.
_SETTLED = """
([quiet, needRun]) => {
  const b = window.__bench;
  const app = document.querySelector("[data-testid='stApp']");
  if (!b || !app) return false;
  const idle = app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED';
  const ran = !needRun || b.states.includes('running');
  const skeletons = document.querySelectorAll("[data-testid='stSkeleton']").length;
  return idle && ran && skeletons === 0 && performance.now() - b.last >= quiet;
}
"""


@dataclass
class Timing:
    name: str
    ms: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self) -> str:
        med = statistics.median(self.ms) if self.ms else float("nan")
        spread = f"{min(self.ms):.0f}–{max(self.ms):.0f}" if self.ms else ""
        load = f"{min(self.load):.1f}–{max(self.load):.1f}" if self.load else ""
        verdict = "" if not self.ms else ("≤ 1 s" if med <= 1000 else "**over 1 s**")
        if self.name.startswith("cold start"):
            verdict = "≤ 3 s" if med <= 3000 else "**over 3 s**"
        notes = "; ".join(dict.fromkeys(self.notes))
        return (f"| {self.name} | **{med:,.0f}** | {spread} | {len(self.ms)} | {load} | "
                f"{verdict} | {notes} |")  # fmt: skip


def load1() -> float:
    return os.getloadavg()[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(app_dir: Path, project: Path, home: Path, port: int = 0) -> Iterator[str]:
    """``streamlit run app.py -- --project FILE`` on ``port`` (0: a free one), until the
    block ends."""
    port = port or free_port()
    env = {**os.environ, "LITREVIEW_HOME": str(home)}
    python = app_dir / ".venv" / "bin" / "python"
    command = [
        str(python if python.exists() else sys.executable), "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
        "--", "--project", str(project),
    ]  # fmt: skip
    log_path = home / f"streamlit-{port}.log"
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + log_path.read_text())
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Page:
    """One browser tab with the probe installed, and timed clicks."""

    def __init__(self, tab: Any, base: str) -> None:
        self.tab = tab
        self.base = base
        tab.set_default_timeout(TIMEOUT_MS)
        tab.add_init_script(f"({_PROBE})()")

    def settle(self, need_run: bool = False) -> float:
        """Wait until settled; returns the time of the last DOM change (page clock, ms)."""
        self.tab.wait_for_function(_SETTLED, arg=[QUIET_MS, need_run], timeout=TIMEOUT_MS,
                                   polling=50)  # fmt: skip
        return float(self.tab.evaluate("() => window.__bench.last"))

    def visit(self, path: str) -> float:
        """Open a page; returns ms from navigation start to settled."""
        self.tab.goto(f"{self.base}/{path}")
        self.tab.locator("h1").first.wait_for()
        return self.settle()

    def timed(self, act: Callable[[], None]) -> float:
        """Run ``act`` (one click or key press); ms from that input to the settled page."""
        self.tab.evaluate("() => { window.__bench.input = null; window.__bench.states = []; }")
        act()
        last = self.settle(need_run=True)
        start = self.tab.evaluate("() => window.__bench.input")
        if start is None:
            raise RuntimeError("the action made no input event")
        return last - float(start)

    def active_tab(self) -> int:
        """The position of the selected tab of the page's first tab bar (-1: none)."""
        return int(
            self.tab.evaluate("""() => [...document.querySelectorAll(
            "[data-testid='stMain'] [role='tab']")].findIndex(
            t => t.getAttribute('aria-selected') === 'true')""")
        )


def cold_starts(app_dir: Path, project: Path, repeats: int, browser: Any) -> list[Timing]:
    """A fresh server each time, the Overview opened until it is rendered:

    - the project opened for the first time: nothing saved in the data folder, a browser
      that never loaded the app (its scripts are fetched too);
    - the app restarted, as every morning: the studies table saved by the last run, and
      the browser's cache holding the app's scripts (Streamlit serves them as immutable),
      on the same address.
    """
    first = Timing("cold start: Overview rendered, project opened for the first time")
    again = Timing("cold start: Overview rendered, app restarted (table saved, browser cache)")
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            shutil.copyfile(project, home / "review.sqlite")
            with server(app_dir, home / "review.sqlite", home) as base:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = Page(context.new_page(), base)
                first.load.append(load1())
                first.ms.append(page.visit(""))
                context.close()
    with tempfile.TemporaryDirectory() as tmp:
        home, port = Path(tmp), free_port()
        shutil.copyfile(project, home / "review.sqlite")
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        for n in range(repeats + 1):
            with server(app_dir, home / "review.sqlite", home, port) as base:
                page = Page(context.new_page(), base)
                load = load1()
                ms = page.visit("")
                saved_table(home)  # the first run's background save finishes
                page.tab.close()
            if n:  # the first run only saved the table and filled the browser's cache
                again.ms.append(ms)
                again.load.append(load)
        context.close()
    for timing in (first, again):
        print(timing.row(), flush=True)
    return [first, again]


def saved_table(home: Path, timeout_s: float = 120.0) -> None:
    """Wait until the app has saved the studies table in its data folder (built in the
    background after the first page is drawn, then saved a moment later), as it has
    after any working session; at least 6 s."""
    time.sleep(6)
    deadline = time.monotonic() + timeout_s
    while not list((home / "cache").glob("*.arrow")) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1)  # the file is written whole (renamed into place); let the thread end


def warm_actions(
    app_dir: Path,
    project: Path,
    repeats: int,
    browser: Any,
    pages: str = "duplicates,explore,study",
) -> list[Timing]:
    out: list[Timing] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        copy = home / "review.sqlite"
        shutil.copyfile(project, copy)
        with server(app_dir, copy, home) as base:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = Page(context.new_page(), base)
            page.visit("")  # the server's first page: caches filled as a user's first visit
            chosen = {"duplicates": duplicates_actions, "explore": explore_actions,
                      "study": study_actions}  # fmt: skip
            for name in pages.split(","):
                out += chosen[name.strip()](page, repeats)
            context.close()
    return out


def measure(
    page: Page,
    timing: Timing,
    repeats: int,
    act: Callable[[int], None],
    same_tab: bool = False,
    between: Callable[[], None] | None = None,
) -> None:
    """One unmeasured warm-up, then ``repeats`` timed runs of ``act(i)``.

    An action that does not settle within the timeout is noted and ends the series.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for i in range(repeats + 1):
        load = load1()
        before = page.active_tab()
        try:
            ms = page.timed(lambda i=i: act(i))
        except PlaywrightTimeout:
            timing.notes.append(f"did not settle within {TIMEOUT_MS / 1000:.0f} s")
            page.settle()
            break
        if i:
            timing.ms.append(ms)
            timing.load.append(load)
        if same_tab and page.active_tab() != before:
            timing.notes.append("jumped to another tab")
        if between:
            between()
    print(timing.row(), flush=True)


READ_S = 3  # a reviewer reads a page before the first click (background work may finish)


def duplicates_actions(page: Page, repeats: int) -> list[Timing]:
    tab = page.tab
    page.visit("Duplicates")
    tab.wait_for_timeout(READ_S * 1000)
    different = Timing("duplicate decision: Different publications")
    measure(page, different, repeats,
            lambda i: tab.get_by_role("button", name="Different publications").first.click(),
            same_tab=True)  # fmt: skip
    same = Timing("duplicate decision: Same publication")
    measure(page, same, repeats,
            lambda i: tab.get_by_role("button", name="Same publication").first.click(),
            same_tab=True)  # fmt: skip
    undo = Timing("undo a duplicate decision")
    tab.get_by_role("tab").filter(has_text="Your decisions").first.click()
    page.settle()
    measure(page, undo, repeats,
            lambda i: tab.get_by_role("button", name="Undo").first.click(),
            same_tab=True)  # fmt: skip
    return [different, same, undo]


def explore_actions(page: Page, repeats: int) -> list[Timing]:
    tab = page.tab
    page.visit("Explore")
    sidebar = tab.locator("[data-testid='stSidebar']")
    population = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="Population")

    def pick(i: int) -> None:
        population.scroll_into_view_if_needed()
        population.locator("input").first.click()  # opens the list of options
        options = tab.get_by_role("option").filter(has_not_text="Select all")
        options.first.wait_for()
        options.nth(i % 3).click()

    def close_and_clear() -> None:
        tab.keyboard.press("Escape")
        sidebar.get_by_role("button", name="Clear all filters").click()
        page.settle()

    facet = Timing("filter change: a population picked in the sidebar")
    measure(page, facet, repeats, pick, between=close_and_clear)
    clear = Timing("filter change: Clear all filters")
    measure(page, clear, repeats, lambda i: sidebar.get_by_role(
        "button", name="Clear all filters").click(), between=lambda: None)  # fmt: skip

    slider = sidebar.get_by_role("slider").first
    years = Timing("filter change: year slider moved one year")
    measure(page, years, repeats,
            lambda i: (slider.focus(), tab.keyboard.press("ArrowRight")))  # fmt: skip

    chart = Timing("chart click: a bar of 'Studies per population'")

    def open_charts() -> None:
        sidebar.get_by_role("button", name="Clear all filters").click()
        page.settle()
        charts_tab = tab.get_by_role("tab", name="Charts")
        if charts_tab.get_attribute("aria-selected") != "true":
            charts_tab.click()
            page.settle()

    def click_bar(i: int) -> None:
        figure = tab.locator("[data-testid='stPlotlyChart']").filter(has_text="population").first
        bar = figure.locator("g.point path").nth(i % 3)
        seen = None
        for _ in range(40):  # until the chart is drawn and holds still, in view
            bar.wait_for()
            box = bar.bounding_box()
            if box is not None and box["y"] + box["height"] > 900:
                tab.mouse.wheel(0, 300)
            elif box is not None and box == seen:
                break
            seen = box
            tab.wait_for_timeout(150)
        assert seen is not None
        tab.mouse.click(seen["x"] + seen["width"] / 2, seen["y"] + seen["height"] / 2)

    open_charts()
    measure(page, chart, repeats, click_bar, same_tab=True, between=open_charts)
    return [facet, clear, years, chart]


def study_actions(page: Page, repeats: int) -> list[Timing]:
    tab = page.tab
    page.visit("Study")
    labels = ["Qualitative", "Survey", "Mixed methods", "Case study", "Commentary"]

    def correct(i: int) -> None:
        box = tab.get_by_role("combobox", name="Method")
        box.scroll_into_view_if_needed()
        current = box.input_value()
        wanted = next(label for label in labels[i % 2 :] if label != current)
        box.click()
        tab.get_by_role("option").first.wait_for()
        tab.get_by_role("option").filter(has_text=re.compile(f"^{wanted}$")).first.click()

    correction = Timing("code correction: the method of a study")
    measure(page, correction, repeats, correct)
    following = Timing("next study (▶)")
    measure(page, following, repeats,
            lambda i: tab.get_by_role("button", name="▶").first.click())  # fmt: skip
    return [correction, following]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--records", type=int, default=82_000)
    parser.add_argument(
        "--project", type=Path, default=ROOT / "artifacts" / "bench" / "p82k.sqlite"
    )
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--only", choices=["cold", "warm"], default=None)
    parser.add_argument(
        "--pages",
        default="duplicates,explore,study",
        help="which pages' actions to time (comma-separated)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    from browser_project import ensure
    from playwright.sync_api import sync_playwright

    ensure(args.project, args.records)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} at start; app {args.app_dir}")
    print("\n| action | median ms | range | n | load avg (1 min) | target | notes |")
    print("|---|---:|---:|---:|---:|---|---|")
    timings: list[Timing] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if args.only in (None, "cold"):
                timings += cold_starts(args.app_dir, args.project, args.repeats, browser)
            if args.only in (None, "warm"):
                timings += warm_actions(args.app_dir, args.project, args.repeats, browser,
                                        args.pages)  # fmt: skip
        finally:
            browser.close()
    print(f"\nload average {', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([t.__dict__ for t in timings], indent=1))


if __name__ == "__main__":
    main()
