"""Coding in a project file: a reviewer's codes persist across re-coding, codebook edits and
new imports, can be undone, and keep their history; a codebook change can be previewed."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.coding import CodebookError, default_codebook_path, load_codebook
from lib.ingest import read_path
from lib.project import coding, open_project
from lib.project.schema import SCHEMA_VERSION
from tests.conftest import ROOT
from tests.old_projects import downgrade_to_schema_1

EXPORTS = ROOT / "data" / "demo" / "exports"


@pytest.fixture()
def project(tmp_path: Path):
    if not EXPORTS.exists():
        pytest.skip("demo exports absent")
    proj = open_project(tmp_path / "review.sqlite")
    proj.add_import(read_path(EXPORTS / "scopus.ris", database="Scopus"))
    coding.refresh(proj)
    yield proj
    proj.close()


def a_study(project, method: str | None = None) -> str:
    table = coding.effective_codes(project)
    if method:
        table = table[table["method"] == method]
    return str(table["study_id"].iloc[0])


def test_effective_codes_has_one_row_per_study_in_the_studies_table_shape(project) -> None:
    table = coding.effective_codes(project)
    assert list(table.columns) == [
        "study_id", "method", "population", "perspective", "direction", "themes", "setting",
        "country", "peer_role", "overridden", "checked",
    ]  # fmt: skip
    assert table["study_id"].is_unique and len(table) == len(coding.study_records(project))
    assert all(isinstance(v, str) for v in table["method"])
    assert all(isinstance(v, list) for v in table["population"])
    assert not table["checked"].any() and not table["overridden"].map(bool).any()


def test_refresh_only_recodes_when_something_changed(project) -> None:
    assert coding.refresh(project) is False
    assert not coding.is_stale(project)
    project.add_import(read_path(EXPORTS / "pubmed.nbib", database="PubMed"))
    assert coding.is_stale(project)
    assert coding.refresh(project) is True


def test_an_override_wins_keeps_the_previous_value_and_is_logged(project) -> None:
    sid = a_study(project, "qualitative")
    coding.set_override(project, sid, "method", ["mixed-methods"], note="survey in full text")
    row = coding.effective_codes(project).set_index("study_id").loc[sid]
    assert row["method"] == "mixed-methods" and row["overridden"] == ["method"]
    [entry] = coding.override_history(project, sid)
    assert entry["previous"] == ["qualitative"] and entry["codes"] == ["mixed-methods"]
    assert entry["note"] == "survey in full text" and entry["made_at"]
    event = project.events("code_override")[-1]
    assert event["study_id"] == sid and event["previous"] == ["qualitative"]


def test_overrides_survive_a_codebook_change_and_recoding(project) -> None:
    sid = a_study(project, "qualitative")
    coding.set_override(project, sid, "peer_role", ["listener", "mentor"])
    # a reviewer removes every interview phrase: the study's automatic method changes ...
    text = default_codebook_path().read_text(encoding="utf-8")
    edited = text.replace("interview*, ", "").replace(
        "[interview*, interviewing, interviewed]", "[focus group]"
    )
    coding.save_codebook(project, edited, note="no interviews")
    assert coding.is_stale(project)
    coding.recode(project)
    row = coding.effective_codes(project).set_index("study_id").loc[sid]
    # ... and the reviewer's peer roles are still in force
    assert row["peer_role"] == ["listener", "mentor"] and row["overridden"] == ["peer_role"]
    assert coding.project_codebook(project).sha256 == load_codebook(edited).sha256


def test_overrides_survive_new_imports_keyed_by_the_study_anchor(project) -> None:
    sid = a_study(project)
    coding.set_override(project, sid, "direction", ["null"])
    coding.set_checked(project, sid, True)
    for name in ("wos-savedrecs.txt", "pubmed.nbib", "ebscohost.ris", "zotero.bib"):
        project.add_import(read_path(EXPORTS / name))
    coding.refresh(project)
    row = coding.effective_codes(project).set_index("study_id").loc[sid]
    assert row["direction"] == "null" and bool(row["checked"])
    assert coding.orphaned_overrides(project) == []


def test_undo_restores_the_previous_override_then_the_automatic_codes(project) -> None:
    sid = a_study(project)
    auto = coding.effective_codes(project).set_index("study_id").loc[sid, "setting"]
    coding.set_override(project, sid, "setting", ["jail"])
    coding.set_override(project, sid, "setting", ["secure-hospital", "community"])
    assert coding.undo_override(project, sid, "setting") == ["jail"]
    assert coding.undo_override(project, sid, "setting") == list(auto)
    with pytest.raises(ValueError, match="no override of setting to undo"):
        coding.undo_override(project, sid, "setting")
    history = coding.override_history(project, sid, "setting")
    assert len(history) == 2 and all(h["undone_at"] for h in history)  # kept as history
    assert history[1]["codes"] == ["secure-hospital", "community"]  # codebook order


def test_wrong_codes_are_refused_with_the_reason(project) -> None:
    sid = a_study(project)
    with pytest.raises(ValueError, match="exactly one code"):
        coding.set_override(project, sid, "method", ["rct", "survey"])
    with pytest.raises(ValueError, match="unknown code"):
        coding.set_override(project, sid, "population", ["aliens"])
    with pytest.raises(ValueError, match="unknown facet"):
        coding.set_override(project, sid, "colour", ["red"])
    assert coding.override_history(project) == []
    coding.set_override(project, sid, "country", ["Atlantis"])  # any country name is allowed


def test_checked_can_be_set_and_cleared(project) -> None:
    sid = a_study(project)
    coding.set_checked(project, sid, True)
    assert coding.effective_codes(project).set_index("study_id").loc[sid, "checked"]
    coding.set_checked(project, sid, False)
    assert not coding.effective_codes(project).set_index("study_id").loc[sid, "checked"]
    assert [e["checked"] for e in project.events("study_checked")] == [True, False]


def test_preview_counts_changes_per_facet_and_writes_nothing(project) -> None:
    text = default_codebook_path().read_text(encoding="utf-8")
    qualitative = "min_score: 2\n        rules:\n          - weight: 3\n"
    qualitative += "            phrases: [qualitative study"
    assert qualitative in text
    edited = load_codebook(text.replace(qualitative, qualitative.replace("2", "99", 1)))
    version = project.version
    sid = a_study(project, "qualitative")
    coding.set_override(project, sid, "method", ["qualitative"])
    change = coding.preview_codebook_change(project, edited)
    assert project.version == version + 1  # only the override above was written
    method = change.facets["method"]
    assert (
        method.changed >= 1 and method.changed == method.changed_in_force + method.kept_by_override
    )
    assert all(change.facets[f].changed == 0 for f in ("country", "setting"))
    frame = change.to_frame()
    assert list(frame["facet"]) == list(change.facets)
    assert method.examples and method.examples[0][1] != method.examples[0][2]


def test_a_broken_codebook_is_not_saved(project) -> None:
    with pytest.raises(CodebookError, match="bad regex"):
        coding.save_codebook(
            project,
            default_codebook_path()
            .read_text(encoding="utf-8")
            .replace("'databases\\s+(?:were\\s+|was\\s+)?searched'", "'databases(searched'"),
        )
    assert coding.codebook_history(project) == []


def test_study_evidence_points_into_the_study_text(project) -> None:
    studies = coding.study_records(project)
    sid = a_study(project, "qualitative")
    evidence = coding.study_evidence(project, sid)
    assert any(e.facet == "method" and e.code == "qualitative" for e in evidence)
    fields = {"title": studies[sid].title, "abstract": studies[sid].abstract}
    for e in evidence:
        if e.field in fields:
            assert fields[e.field][e.start : e.end] == e.phrase


# -- confidence and sentence evidence (issue 13) ---------------------------------------------


def test_every_automatic_code_has_a_stored_confidence(project) -> None:
    table = coding.confidence_table(project)
    assert len(table) == len(coding.effective_codes(project))
    facets = ["method", "population", "perspective", "direction", "themes", "setting"]
    assert table[facets].notna().all().all()
    assert ((table[facets] >= 0) & (table[facets] <= 1)).all().all()
    assert (table["lowest"] == table[[*facets, "country", "peer_role"]].min(axis=1)).all()
    sid = str(table["study_id"].iloc[0])
    assert coding.study_confidence(project, sid)["method"] == table["method"].iloc[0]


def test_the_queue_is_least_confident_first_and_skips_what_a_reviewer_settled(project) -> None:
    queue = coding.least_confident(project)
    confidences = [c for _, _, c in queue]
    assert confidences == sorted(confidences)
    assert len({sid for sid, _, _ in queue}) == len(queue)  # one entry per study
    first = queue[0][0]
    coding.set_checked(project, first, True)
    assert first not in {sid for sid, _, _ in coding.least_confident(project)}
    second, facet2, _ = coding.least_confident(project)[0]
    value = coding.effective_codes(project).set_index("study_id").loc[second, facet2]
    coding.set_override(project, second, facet2, value)  # a reviewer settled this facet
    assert (second, facet2) not in {(s, f) for s, f, _ in coding.least_confident(project)}
    assert len(coding.least_confident(project, limit=3)) == 3
    with pytest.raises(ValueError, match="unknown facet"):
        coding.least_confident(project, ["mood"])


def test_evidence_keeps_its_sentence(project) -> None:
    studies = coding.study_records(project)
    for sid in list(studies)[:10]:
        for e in coding.study_evidence(project, sid):
            if e.field != "abstract":
                continue
            sentence = e.sentence(studies[sid].abstract)
            assert e.phrase in sentence and e.role


def test_a_project_from_before_confidence_opens_and_reads(tmp_path: Path) -> None:
    import json
    import sqlite3

    if not EXPORTS.exists():
        pytest.skip("demo exports absent")
    path = tmp_path / "old.sqlite"
    proj = open_project(path)
    proj.add_import(read_path(EXPORTS / "scopus.ris", database="Scopus"))
    coding.refresh(proj)
    sid = a_study(proj)
    proj.close()
    # make it a schema-1 file: no confidence column, evidence of six items
    downgrade_to_schema_1(path)
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT study_id, facet, evidence FROM auto_codes").fetchall()
    conn.executemany(
        "UPDATE auto_codes SET evidence = ? WHERE study_id = ? AND facet = ?",
        [(json.dumps([item[:6] for item in json.loads(e)]), s, f) for s, f, e in rows],
    )
    conn.commit()
    conn.close()
    reopened = open_project(path)
    try:
        assert reopened.meta("schema_version") == str(SCHEMA_VERSION)
        assert coding.study_confidence(reopened, sid)["method"] is None  # not known yet
        evidence = coding.study_evidence(reopened, sid)
        assert evidence and all(e.sentence_start == -1 and e.role == "" for e in evidence)
        assert coding.least_confident(reopened)[-1][2] is None  # unknown comes last
        coding.recode(reopened)
        assert coding.study_confidence(reopened, sid)["method"] is not None
    finally:
        reopened.close()
