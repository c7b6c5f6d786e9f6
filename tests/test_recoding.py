"""A new codebook on a large project: every study is coded again in a worker process
while the pages keep working with the earlier codes and say how far it is; decisions
made meanwhile are not lost, and a result made stale by another codebook change is
dropped. (Before: the first page opened after an upgrade waited 39 s at 50k studies.)"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from lib import pipeline, recoding
from lib.coding import default_codebook_path
from lib.project import coding, duplicates, open_project
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    app_home,
    demo_project,
    demo_template,
    errors,
    open_page,
)


def _without_interviews() -> str:
    """The default codebook without its interview phrases: some methods change."""
    text = default_codebook_path().read_text(encoding="utf-8")
    edited = text.replace("interview*, ", "").replace(
        "[interview*, interviewing, interviewed]", "[focus group]"
    )
    assert edited != text
    return edited


def _codes(project) -> dict[tuple[str, str], str]:
    return {
        (sid, facet): codes
        for sid, facet, codes in project.conn.execute(
            "SELECT study_id, facet, codes FROM auto_codes"
        )
    }


@pytest.fixture()
def changed(demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    """The demo project whose codebook changed after it was coded (as after an upgrade
    that brings a new default codebook), counted as a large project."""
    monkeypatch.setattr(recoding, "BACKGROUND_FROM", 1)
    with open_project(demo_project) as project:
        pipeline.refresh(project)
        coding.save_codebook(project, _without_interviews(), note="new default")
        assert pipeline.is_stale(project) and recoding.wanted(project)
    return demo_project


def _expected(path: Path, tmp_path: Path) -> dict[tuple[str, str], str]:
    """The codes a synchronous refresh of a copy gives."""
    copy = tmp_path / "sync.sqlite"
    shutil.copyfile(path, copy)
    with open_project(copy) as project:
        pipeline.refresh(project)
        return _codes(project)


def test_a_small_project_or_unchanged_codebook_is_coded_on_the_spot(
    demo_project: Path,  # noqa: F811
) -> None:
    with open_project(demo_project) as project:
        pipeline.refresh(project)
        assert not recoding.wanted(project)  # nothing changed
        coding.save_codebook(project, _without_interviews())
        assert not recoding.wanted(project)  # 43 studies: a second's work


def test_the_worker_stores_what_a_synchronous_refresh_would(changed: Path, tmp_path) -> None:
    expected = _expected(changed, tmp_path)
    with open_project(changed) as project:
        before = _codes(project)
    assert before != expected  # the edit changes some codes
    assert recoding.run(changed)
    with open_project(changed) as project:
        assert _codes(project) == expected
        assert not pipeline.is_stale(project)
        assert recoding.progress(project) is None and project.meta("recode_worker") is None


def test_while_it_runs_pages_keep_the_earlier_codes_and_write_nothing(
    changed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recoding, "running", lambda project, codebook=None: True)
    with open_project(changed) as project:
        before, version = _codes(project), project.version
        assert pipeline.refresh(project) is False
        assert _codes(project) == before and project.version == version
        assert pipeline.is_stale(project)  # still: the worker has not stored its codes


def test_a_decision_made_while_it_works_is_coded_after_it(
    changed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker codes a snapshot; a duplicate decision made meanwhile (coded at once
    for the changed studies) is coded again after the worker stored its result."""
    import lib.coding

    with open_project(changed) as project:
        groups = duplicates.members(project)
        pair = next(m for m in groups.values() if len(m) == 2)  # a merged publication
    made = []
    real = lib.coding.code_records

    def decide_midway(records, codebook):  # type: ignore[no-untyped-def]
        if not made:
            with open_project(changed) as other:
                monkeypatch.setattr(recoding, "running", lambda project, codebook=None: True)
                duplicates.decide(other, "different", pair)
                pipeline.refresh(other)
                monkeypatch.undo()
                monkeypatch.setattr(recoding, "BACKGROUND_FROM", 1)
            made.append(True)
        return real(records, codebook)

    monkeypatch.setattr(lib.coding, "code_records", decide_midway)
    assert recoding.run(changed)
    monkeypatch.setattr(lib.coding, "code_records", real)
    with open_project(changed) as project:
        assert pipeline.is_stale(project)  # the decision came after the snapshot
        pipeline.refresh(project)
        assert not pipeline.is_stale(project)
        after = _codes(project)
    assert after == _expected(changed, tmp_path)  # nothing further to do: all current


def test_a_result_overtaken_by_another_codebook_change_is_dropped(
    changed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lib.coding

    real = lib.coding.code_records

    def edit_midway(records, codebook):  # type: ignore[no-untyped-def]
        with open_project(changed) as other:
            if len(other.conn.execute("SELECT * FROM codebooks").fetchall()) == 1:
                coding.save_codebook(other, _without_interviews() + "\n# edited again\n")
        return real(records, codebook)

    monkeypatch.setattr(lib.coding, "code_records", edit_midway)
    with open_project(changed) as project:
        before = _codes(project)
    assert recoding.run(changed) is False
    with open_project(changed) as project:
        assert _codes(project) == before and pipeline.is_stale(project)


def test_the_page_says_how_far_it_is_and_shows_the_new_codes_at_the_end(changed) -> None:
    """The real thing: the Overview starts the worker process, says what happens, and
    after the worker is done the codes are the new codebook's."""
    at = open_page(changed)
    assert not errors(at)
    shown = " ".join(str(i.value) for i in at.info)
    assert "coding every study again" in shown, shown
    assert at.markdown or at.metric  # the page itself was drawn meanwhile
    deadline = time.monotonic() + 90
    with open_project(changed) as project:
        while pipeline.is_stale(project) and time.monotonic() < deadline:
            assert not (recoding.progress(project) or recoding.Progress(0, 0, "")).error
            time.sleep(0.5)
        assert not pipeline.is_stale(project), json.dumps(project.meta("recode_worker"))
    at.run()
    assert not errors(at)
    assert not any("coding every study again" in str(i.value) for i in at.info)
