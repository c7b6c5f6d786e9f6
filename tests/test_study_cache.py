"""The app's studies table, kept current study by study (`lib.views.study_cache`): after
every kind of write it equals the table built from scratch, and a decision or a correction
re-reads only the studies it changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib import pipeline
from lib.coding import default_codebook_path
from lib.explore.index import StudyIndex
from lib.explore.table import Results
from lib.ingest import read_path
from lib.project import coding
from lib.project import duplicates as dup
from lib.views.studies import study_table
from lib.views.study_cache import StudyCache
from tests.apptest_helpers import build_trap_project, copy_of, write_trap_exports


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cache")
    return build_trap_project(folder, folder / "template.sqlite", second_export=False)


@pytest.fixture
def project(template: Path, tmp_path: Path):
    with copy_of(template, tmp_path) as opened:
        yield opened


def assert_current(cache: StudyCache, project) -> None:
    """The kept table equals a fresh build, and its index answers as a fresh one does."""
    snapshot = cache.current(project)
    fresh = study_table(project)
    pd.testing.assert_frame_equal(snapshot.table, fresh)
    index, results = snapshot.index()
    again = StudyIndex(fresh.copy()).prepare()
    for facet in ("method", "population", "databases", "year"):
        assert index.facet(facet).categories == again.facet(facet).categories
        assert (index.facet(facet).count() == again.facet(facet).count()).all()
    for words in ("peer", "prison support"):
        assert (index.text_mask(words) == again.text_mask(words)).all()
    everything = np.ones(len(fresh), dtype=bool)
    assert list(results.view(everything, "Title A–Z")["study_id"]) == list(
        Results(fresh).view(everything, "Title A–Z")["study_id"]
    )


def test_every_write_leaves_the_table_as_a_fresh_build(project, tmp_path: Path) -> None:
    cache = StudyCache()
    assert_current(cache, project)
    assert cache.builds == 1

    dup.decide(project, "same", ["b1", "c1"])
    pipeline.refresh(project)
    assert_current(cache, project)
    dup.decide(project, "different", ["a1", "a3"], leaving=["a3"])
    assert_current(cache, project)  # regrouped, not yet recoded: codes follow next time
    pipeline.refresh(project)
    assert_current(cache, project)
    dup.undo(project, dup.decisions(project)[0]["decision_id"])
    pipeline.refresh(project)
    assert_current(cache, project)

    coding.set_override(project, "a1", "method", ["survey"])
    assert_current(cache, project)
    coding.undo_override(project, "a1", "method")
    assert_current(cache, project)
    coding.set_checked(project, "b1", True)
    assert_current(cache, project)
    assert cache.builds == 1, "decisions and corrections patch the table"

    _, second = write_trap_exports(tmp_path)
    project.add_import(read_path(second, database="PubMed"))
    pipeline.refresh(project)
    assert_current(cache, project)


def test_a_correction_rereads_one_study(project) -> None:
    cache = StudyCache()
    before = cache.current(project).table
    coding.set_override(project, "b1", "method", ["survey"])
    after = cache.current(project).table
    differs = [
        sid
        for sid, old, new in zip(before["study_id"], before["method"], after["method"], strict=True)
        if old != new
    ]
    assert differs == ["b1"] and cache.patches == 1 and cache.builds == 1
    assert after.set_index("study_id").at["b1", "overridden"] == ["method"]


def test_a_new_codebook_builds_the_table_again(project) -> None:
    cache = StudyCache()
    cache.current(project)
    text = default_codebook_path().read_text(encoding="utf-8")
    coding.save_codebook(project, text + "\n# edited\n")
    pipeline.refresh(project)
    assert_current(cache, project)
    assert cache.builds == 2


def test_a_new_process_starts_from_the_saved_table_and_patches_it(project, tmp_path) -> None:
    first = StudyCache(tmp_path / "cache", key="review")
    first.save_delay = 0
    first.current(project)
    first._saving.acquire()  # wait for the background save
    first._saving.release()
    coding.set_override(project, "b1", "method", ["survey"])
    dup.decide(project, "same", ["b1", "c1"])
    pipeline.refresh(project)
    second = StudyCache(tmp_path / "cache", key="review")
    assert_current(second, project)
    assert (second.loads, second.builds, second.patches) == (1, 0, 1)
    other = StudyCache(tmp_path / "cache", key="another file")
    assert_current(other, project)
    assert other.builds == 1


def test_a_damaged_saved_table_is_built_again(project, tmp_path) -> None:
    first = StudyCache(tmp_path / "cache", key="review")
    first.save_delay = 0
    first.current(project)
    first._saving.acquire()
    first._saving.release()
    for saved in (tmp_path / "cache").iterdir():
        saved.write_bytes(b"not arrow")
    second = StudyCache(tmp_path / "cache", key="review")
    assert_current(second, project)
    assert second.builds == 1


def test_many_patches_keep_the_table_whole(project, monkeypatch) -> None:
    import lib.views.study_cache as module

    monkeypatch.setattr(module, "MAX_CHUNKS", 3)
    cache = StudyCache()
    cache.current(project)
    for pair in (["b1", "c1"], ["d1", "e1"], ["e4", "f1"], ["c2", "d2"]):
        dup.decide(project, "same", pair)
        pipeline.refresh(project)
        assert_current(cache, project)
    assert module._chunks(cache.current(project).table) <= 3


def test_linking_reports_and_undoing_it_keep_the_table_as_a_fresh_build(project) -> None:
    """An "other report" decision folds one study into another without changing any
    publication group: the kept table must fold it too, and unfold it on undo (before:
    patches read groups without their links, so linked reports came back as studies)."""
    cache = StudyCache()
    assert_current(cache, project)
    studies = list(study_table(project)["study_id"])
    main, other = studies[0], studies[-1]
    made = dup.decide(project, "other-report", [main, other])
    pipeline.refresh(project)
    assert_current(cache, project)
    assert other not in set(cache.current(project).table["study_id"])
    coding.set_override(project, main, "method", ["survey"])
    assert_current(cache, project)
    dup.undo(project, made)
    pipeline.refresh(project)
    assert_current(cache, project)
    assert other in set(cache.current(project).table["study_id"])
    assert cache.builds == 1  # all of it by patches
