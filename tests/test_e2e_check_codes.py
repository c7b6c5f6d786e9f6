"""The Check codes page in a real browser: confirm a facet by its key, correct another in
its list, move on with A, see progress move, reload and find every decision kept.

Reuses the server, browser and project fixtures of `tests/test_e2e_browser.py` (the demo
project plus the hostile record, ``streamlit run app.py`` on a free port, Debian's
Chromium); skips, saying so, without Chromium or Playwright. Run alone with
``pytest tests/test_e2e_check_codes.py``.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from typing import Any

import pytest

from lib.project import Project, checks
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


def open_check(page: Any, base: str) -> None:  # noqa: F811
    visit(page, base, "Check codes")


def checked(page: Any) -> int:  # noqa: F811
    return metric_number(page, "Checked")


def study_shown(page: Any) -> str:  # noqa: F811
    caption = page.get_by_text(re.compile(r"^Study \S+$")).first.inner_text()
    return caption.removeprefix("Study ").replace("\u200b", "").strip()


def test_confirm_correct_and_move_on_survive_a_reload(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    project_file: Project,  # noqa: F811
) -> None:
    open_check(page, server)
    assert_clean(page, "Check codes")
    shot(page, "check-1-first")
    first = study_shown(page)
    assert checked(page) == 0
    page.locator("h1").first.click()  # focus the page, not a text box
    page.keyboard.press("1")  # confirm the method
    wait_until(page, lambda: "method" in checks.facet_checks(project_file, first),
               "the method confirmation never reached the project file")  # fmt: skip
    # correct the direction of findings in its list (the second single-code list)
    box = page.locator("[data-testid='stSelectbox']").nth(1)
    now = box.inner_text()
    other = "Mixed" if "Mixed" not in now else "Benefit"
    box.locator("input").click()
    page.keyboard.type(other)
    page.keyboard.press("Enter")
    wait_until(page, lambda: "direction" in checks.facet_checks(project_file, first),
               "the correction never reached the project file")  # fmt: skip
    assert checks.facet_checks(project_file, first)["direction"].verdict == "corrected"
    page.get_by_text("Teach the codebook", exact=False).first.wait_for()
    shot(page, "check-2-corrected")
    page.locator("h1").first.click()
    page.keyboard.press("a")  # all correct: the rest confirmed, next study
    wait_until(page, lambda: checked(page) == 1, "progress did not move")
    assert study_shown(page) != first
    assert_clean(page, "Check codes after a decision")
    page.reload()
    page.locator("h1").filter(has_text="Check codes").wait_for()
    settle(page)
    assert checked(page) == 1 and study_shown(page) != first
    done = checks.facet_checks(project_file, first)
    assert {f: c.verdict for f, c in done.items()} == {
        "method": "confirmed",
        "population": "confirmed",
        "direction": "corrected",
    }
    shot(page, "check-3-reloaded")


def test_a_decision_settles_quickly_in_the_browser(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
) -> None:
    """Click to settled page, median of several "All correct: next study" (a measurement,
    loosely bounded: the server-time figure for BENCHMARKS.md is bench/check_codes.py)."""
    open_check(page, server)
    before = checked(page)
    times = []
    for i in range(6):
        started = time.perf_counter()
        page.get_by_role("button", name="All correct: next study").click()
        wait_until(page, lambda i=i: checked(page) == before + i + 1, "progress did not move")
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"\nCheck codes decision, click to settled: median {median * 1000:.0f} ms of "
          f"{len(times)}, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    assert median < 5.0
