"""The Screen page in a real browser: keyboard shortcuts and buttons decide, Back undoes,
a reload keeps every decision, the ranking arrives from the background worker, and a
decision's click-to-settled time is measured as the user meets it.

Reuses the server, browser and project fixtures of `tests/test_e2e_browser.py` (the demo
project plus the hostile record, ``streamlit run app.py`` on a free port, Debian's
Chromium); skips, saying so, without Chromium or Playwright. Run alone with
``pytest tests/test_e2e_screen.py``.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import pytest

from lib.project import Project
from lib.screening import decisions
from tests.test_e2e_browser import (  # noqa: F401 (fixtures)
    assert_clean,
    browser,
    metric_number,
    page,
    project,
    project_file,
    server,
    settle,
    shot,
    visit,
    wait_until,
)

pytestmark = pytest.mark.browser


def open_screen(page: Any, base: str) -> None:  # noqa: F811
    visit(page, base, "Screen")


def screened(page: Any) -> int:  # noqa: F811
    return metric_number(page, "Screened")


def wait_screened(page: Any, n: int) -> None:  # noqa: F811
    wait_until(
        page, lambda: screened(page) == n, lambda: f"screened stays {screened(page)}, wanted {n}"
    )


def title_shown(page: Any) -> str:  # noqa: F811
    return page.locator("[data-testid='stMain'] h3").first.inner_text()


def test_screening_with_keys_and_buttons_survives_a_reload(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    project_file: Project,  # noqa: F811
) -> None:
    open_screen(page, server)
    assert_clean(page, "Screen")
    shot(page, "screen-1-first")
    first = title_shown(page)
    page.locator("h1").first.click()  # focus the page, not a text box
    page.keyboard.press("i")  # include
    wait_screened(page, 1)
    assert title_shown(page) != first
    page.get_by_role("button", name="Exclude").click()
    wait_screened(page, 2)
    page.locator("h1").first.click()
    page.keyboard.press("m")  # maybe
    wait_screened(page, 3)
    page.locator("h1").first.click()
    page.keyboard.press("b")  # back: takes the maybe back, shows that study again
    wait_screened(page, 2)
    made = decisions.load(project_file, include_undone=True)
    assert [(d.verdict, d.undone_at is None) for d in made] == [
        ("include", True),
        ("exclude", True),
        ("maybe", False),
    ]
    page.reload()
    page.locator("h1").filter(has_text="Screen").wait_for()
    settle(page)
    assert screened(page) == 2
    assert_clean(page, "Screen after reload")
    # the background worker ranks once there is an include and an exclude
    deadline = time.monotonic() + 120
    while page.get_by_text("Ranked by", exact=False).count() == 0:
        assert time.monotonic() < deadline, "no ranking from the background worker"
        page.wait_for_timeout(1000)
        page.reload()
        page.locator("h1").filter(has_text="Screen").wait_for()
        settle(page)
    shot(page, "screen-2-ranked")


def test_a_decision_settles_quickly_in_the_browser(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
) -> None:
    """Click to settled page, median of several decisions (a measurement, loosely bounded:
    the figure for BENCHMARKS.md comes from bench/screening_latency.py)."""
    open_screen(page, server)
    before = screened(page)
    times = []
    for i in range(6):
        started = time.perf_counter()
        page.get_by_role("button", name="Maybe" if i % 2 else "Exclude").click()
        wait_screened(page, before + i + 1)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"\nScreen decision, click to settled: median {median * 1000:.0f} ms of {len(times)}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    assert median < 5.0
