"""Checking codes: the queue, confirmations and corrections in the project file, the
agreement figures, and the codebook edits a correction proposes.

The project is a handful of records written for the behaviour under test (their text is
not used to measure the coder, only to give it something to be right or wrong about).
"""

from __future__ import annotations

import difflib
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import pipeline
from lib.coding import CodebookError, code_records, default_codebook_path, load_codebook
from lib.ingest import read_bytes
from lib.project import Project, checks, coding, duplicates, open_project
from lib.project.schema import SCHEMA_VERSION
from lib.screening import decisions
from lib.views import check_codes as view
from tests.old_projects import downgrade_to_schema_1

RECORDS = [
    ("rct1", "Peer mentors for people leaving prison: a randomised controlled trial",
     "Methods: 240 prisoners were randomised to peer mentoring or usual care. Results: "
     "reoffending fell and wellbeing improved in the mentored group."),
    ("qual1", "Being a Listener: a qualitative study in an English prison",
     "Methods: semi-structured interviews with 20 Listeners were analysed thematically. "
     "Results: Listeners described benefits and some burdens of the role."),
    ("prepost1", "Peer support before and after release",
     "Methods: a pre- and post-release programme was described by staff. "
     "Results: participants valued the peer workers."),
    ("survey1", "Prisoners' views of peer support schemes",
     "Methods: 400 prisoners completed a questionnaire about peer schemes. Results: most "
     "rated the schemes as helpful."),
    ("blank1", "Peer support in prisons", ""),
]  # fmt: skip


def write_project(path: Path) -> Project:
    lines = ["record_id,title,authors,year,journal,abstract"]
    for rid, title, abstract in RECORDS:
        lines.append(f'{rid},"{title}","Smith, J.",2020,J Prison Health,"{abstract}"')
    read = read_bytes("\n".join(lines).encode(), "checks.csv", database="Scopus")
    project = open_project(path)
    project.add_import(read)
    pipeline.refresh(project)
    return project


@pytest.fixture()
def project(tmp_path: Path):
    opened = write_project(tmp_path / "checks.sqlite")
    yield opened
    opened.close()


def auto(project: Project, study: str, facet: str) -> list[str]:
    return coding._auto_values(project)[(study, facet)]


def in_force(project: Project, study: str, facet: str) -> object:
    return coding.effective_codes(project, [study]).iloc[0][facet]


# -- storage ---------------------------------------------------------------------------------


def test_a_confirmation_is_a_check_of_the_automatic_code(project) -> None:
    made = checks.confirm(project, "qual1", "method")
    found = checks.facet_checks(project, "qual1")["method"]
    assert found.check_id == made and found.verdict == "confirmed"
    assert list(found.auto) == list(found.codes) == auto(project, "qual1", "method")
    assert found.override_id is None and found.confidence is not None
    assert not coding.override_history(project, "qual1")  # a confirmation pins nothing
    assert project.events("code_check")[-1]["verdict"] == "confirmed"


def test_a_correction_is_an_override_and_a_check_in_one_write(project) -> None:
    before = project.version
    checks.correct(project, "prepost1", "method", "commentary", note="a description")
    assert project.version == before + 1  # one transaction
    found = checks.facet_checks(project, "prepost1")["method"]
    assert found.verdict == "corrected" and found.codes == ("commentary",)
    history = coding.override_history(project, "prepost1", "method")
    assert [h["override_id"] for h in history] == [found.override_id]
    assert history[0]["note"] == "a description"
    assert in_force(project, "prepost1", "method") == "commentary"


def test_correcting_to_the_automatic_code_counts_as_a_confirmation(project) -> None:
    checks.correct(project, "qual1", "method", auto(project, "qual1", "method"))
    assert checks.facet_checks(project, "qual1")["method"].verdict == "confirmed"
    assert not coding.override_history(project, "qual1")


def test_bad_corrections_are_refused_and_nothing_is_written(project) -> None:
    version = project.version
    with pytest.raises(ValueError, match="unknown code"):
        checks.correct(project, "qual1", "method", "guesswork")
    with pytest.raises(ValueError, match="exactly one"):
        checks.correct(project, "qual1", "method", ["rct", "survey"])
    with pytest.raises(ValueError, match="no automatic"):
        checks.confirm(project, "no-such-study", "method")
    assert project.version == version and not checks.facet_checks(project, "qual1")


def test_a_later_word_on_a_facet_replaces_the_earlier_one(project) -> None:
    checks.correct(project, "qual1", "population", ["staff"])
    checks.correct(project, "qual1", "population", ["staff", "general-prison"])
    found = checks.facet_checks(project, "qual1")
    assert found["population"].codes == ("general-prison", "staff")
    rows = project.conn.execute(
        "SELECT COUNT(*) FROM code_checks WHERE study_id = 'qual1' AND undone_at IS NULL"
    ).fetchone()
    assert rows == (1,)


def test_finishing_confirms_the_rest_and_marks_the_study_checked(project) -> None:
    checks.correct(project, "survey1", "direction", "mixed")
    coding.set_override(project, "survey1", "population", ["general-prison"])  # Study page
    checks.finish_study(project, "survey1")
    found = checks.facet_checks(project, "survey1")
    assert found["direction"].verdict == "corrected"
    assert found["method"].verdict == "confirmed"
    assert "population" not in found  # set by hand elsewhere: not counted as agreement
    assert coding.effective_codes(project, ["survey1"]).iloc[0]["checked"]
    with pytest.raises(ValueError, match="set by hand"):
        checks.confirm(project, "survey1", "population")


def test_the_study_page_says_how_a_value_came_about(project) -> None:
    assert checks.status_text(project, "qual1", "method", False) == "automatic"
    assert checks.status_text(project, "qual1", "method", True) == "set by you"
    checks.confirm(project, "qual1", "method")
    said = checks.status_text(project, "qual1", "method", False)
    assert said.startswith("automatic, confirmed by you (")
    # a codebook edit that moves the automatic code afterwards is said, not hidden
    codebook = coding.project_codebook(project)
    made = view.phrase_edit(codebook, "method", "rct", "Listener", "qual1", 40)
    coding.save_codebook(project, made.text)
    pipeline.refresh(project)
    assert auto(project, "qual1", "method") == ["rct"]
    said = checks.status_text(project, "qual1", "method", False)
    assert "you confirmed qualitative" in said and "before it changed" in said


# -- the queue -------------------------------------------------------------------------------


def test_the_queue_goes_least_sure_first_and_leaves_checked_studies_out(project) -> None:
    order = [sid for sid, _, _ in coding.least_confident(project)]
    seen = []
    while (found := checks.next_study(project)) is not None:
        seen.append(found[0])
        checks.finish_study(project, found[0])
    assert seen == order and set(seen) == {r[0] for r in RECORDS}
    assert checks.progress(project) == checks.Progress(len(RECORDS), len(RECORDS))


def test_a_study_recoded_after_a_duplicate_decision_keeps_its_place_in_the_queue(
    project,
) -> None:
    # `lib.pipeline` recodes only the studies a duplicate decision changed; they lost their
    # confidence (and went to the end of the queue) and their evidence's sentences
    before = coding.study_confidence(project, "qual1")
    coding.recode_studies(project, duplicates.study_records(project, ["qual1"]))
    assert coding.study_confidence(project, "qual1") == before
    assert before["method"] is not None
    evidence = coding.study_evidence(project, "qual1")
    assert evidence and all(e.sentence_start >= 0 and e.role for e in evidence)


def test_a_half_checked_study_comes_first_also_after_a_reload(tmp_path: Path) -> None:
    path = tmp_path / "reload.sqlite"
    with write_project(path) as project:
        order = [sid for sid, _, _ in coding.least_confident(project)]
        last = order[-1]
        checks.correct(project, last, "method", "commentary")
    with open_project(path) as again:
        assert checks.next_study(again)[0] == last


def test_the_queue_keeps_to_the_scope_and_passes_over_skipped_studies(project) -> None:
    for sid in ("qual1", "survey1"):
        decisions.decide(project, sid, "include", stage="title-abstract")
    within, said = view.scope_studies(project, "included")
    assert within == {"qual1", "survey1"} and "(2)" in said
    first = checks.next_study(project, within)[0]
    assert first in within
    other = checks.next_study(project, within, skip={first})[0]
    assert other in within and other != first
    assert checks.next_study(project, within, skip={"qual1", "survey1"}) is None
    assert checks.progress(project, within) == checks.Progress(0, 2)


def test_with_nothing_included_every_study_is_checked_and_the_page_says_so(project) -> None:
    within, said = view.scope_studies(project, "included")
    assert within is None and "checking all studies" in said


def test_back_undoes_the_last_check_and_its_override(project) -> None:
    checks.confirm(project, "qual1", "method")
    checks.correct(project, "qual1", "direction", "mixed")
    checks.finish_study(project, "qual1")
    assert checks.undo_last(project) == "qual1"  # the population confirmed by finishing
    assert "population" not in checks.facet_checks(project, "qual1")
    assert not coding.effective_codes(project, ["qual1"]).iloc[0]["checked"]
    assert checks.undo_last(project) == "qual1"  # the correction, with its override
    assert "direction" not in checks.facet_checks(project, "qual1")
    assert in_force(project, "qual1", "direction") == auto(project, "qual1", "direction")[0]
    assert checks.facet_checks(project, "qual1")["method"].verdict == "confirmed"


# -- agreement -------------------------------------------------------------------------------


def test_agreement_counts_the_recent_checks_per_facet(project) -> None:
    checks.confirm(project, "qual1", "method")
    checks.confirm(project, "rct1", "method")
    checks.correct(project, "prepost1", "method", "commentary")
    checks.correct(project, "survey1", "direction", "mixed")
    found = {a.facet: a for a in checks.agreement(project)}
    assert (found["method"].checks, found["method"].agreed) == (3, 2)
    assert found["method"].rate == pytest.approx(2 / 3)
    assert (found["direction"].checks, found["direction"].agreed) == (1, 0)
    assert found["population"].rate is None
    recent = {a.facet: a for a in checks.agreement(project, last=1)}
    assert (recent["method"].checks, recent["method"].agreed) == (1, 0)  # the newest only


# -- codebook edits from corrections -----------------------------------------------------------


def test_a_phrase_edit_adds_one_rule_and_leaves_the_rest_of_the_file(project) -> None:
    codebook = coding.project_codebook(project)
    made = view.phrase_edit(codebook, "method", "rct", "  random allocation. ", "rct1")
    assert made.phrase == "random allocation"
    new = load_codebook(made.text)
    rule = new.facets["method"].codes["rct"].rules[-1]
    assert rule.phrases == ("random allocation",)
    assert rule.weight == codebook.facets["method"].codes["rct"].min_score  # alone enough
    diff = [
        line
        for line in difflib.ndiff(codebook.to_yaml().splitlines(), made.text.splitlines())
        if line[:1] in "+-"
    ]
    removed = [line for line in diff if line.startswith("-")]
    assert len(removed) == 1 and "version" in removed[0]  # only the version moved
    assert new.version == "2"
    with pytest.raises(ValueError, match="empty"):
        view.phrase_edit(codebook, "method", "rct", " ; ", "rct1")


def test_an_exclusion_from_the_wrong_evidence_stops_the_code_here(project) -> None:
    # "burdens of the role" made the findings mixed; the reviewer says benefit
    checks.correct(project, "qual1", "direction", "benefit")
    study = view.load_study(project, "qual1")
    row = next(r for r in study.rows if r.facet == "direction")
    if row.auto != ("mixed",):
        pytest.skip(f"the coder now reads these findings as {row.auto}")
    missed, wrong = view.proposal_targets(
        coding.project_codebook(project), "direction", row.auto, row.check.codes
    )
    assert (missed, wrong) == (["benefit"], ["mixed"])
    targets = view.exclusion_targets(study, "direction", wrong, row.check.codes)
    assert list(targets) == ["challenge"]  # the member of "mixed" that was wrong here
    phrase = view.suggested_phrase(study, "direction", "exclusion", "challenge")
    assert targets["challenge"].phrase in phrase and phrase != targets["challenge"].phrase
    codebook = coding.project_codebook(project)
    made = view.exclusion_edit(codebook, "direction", "challenge", phrase, "qual1")
    recoded = code_records([study.record], load_codebook(made.text))[0]
    assert recoded.get("direction") == ("benefit",)


def test_context_phrase_takes_a_word_either_side_within_the_sentence() -> None:
    from lib.coding import Evidence

    text = "Methods: a pre- and post-release programme was run. Results: fine."
    start = text.index("pre- and post")
    item = Evidence("method", "pre-post", "pre- and post", "abstract", start,
                    start + len("pre- and post"), "", 9, 51, "method")  # fmt: skip
    assert view.context_phrase(item, text) == "a pre- and post-release"
    assert view.context_phrase(item, text, words=0) == "pre- and post"


def test_a_phrase_the_codebook_cannot_read_is_refused(project) -> None:
    codebook = coding.project_codebook(project)
    with pytest.raises(CodebookError):
        view.phrase_edit(codebook, "method", "rct", "random ... ... allocation", "rct1")


def test_a_correction_wins_over_every_later_codebook_edit(project) -> None:
    checks.correct(project, "rct1", "method", "quasi-experimental")
    codebook = coding.project_codebook(project)
    # a later edit moves the automatic code: "randomised" no longer counts for an RCT
    made = view.exclusion_edit(codebook, "method", "rct", "randomised", "rct1")
    titles = coding.effective_codes(project).assign(title="")
    assert view.preview_edit(project, made, "rct1", titles).here != ("rct",)
    coding.save_codebook(project, made.text, note=made.note)
    pipeline.refresh(project)
    assert auto(project, "rct1", "method") != ["rct"]  # the automatic code moved ...
    assert in_force(project, "rct1", "method") == "quasi-experimental"  # ... yours did not
    # and an edit back, or a full re-coding, does not touch it either
    coding.save_codebook(project, codebook.to_yaml(), note="back")
    coding.recode(project)
    assert auto(project, "rct1", "method") == ["rct"]
    assert in_force(project, "rct1", "method") == "quasi-experimental"
    change = coding.preview_codebook_change(project, load_codebook(made.text))
    assert change.facets["method"].kept_by_override >= 1


@pytest.mark.parametrize(
    ("kind", "code", "phrase"),
    [
        ("phrase", "rct", "peer support"),  # in some titles and abstracts
        ("phrase", "survey", "Listeners"),
        ("exclusion", "qualitative", "semi-structured interviews"),
        ("exclusion", "general-prison", "prisoners were"),
        ("phrase", "commentary", "no such words here"),
    ],
)
def test_a_preview_of_the_words_studies_equals_coding_every_study(
    project, kind: str, code: str, phrase: str
) -> None:
    codebook = coding.project_codebook(project)
    facet = "population" if code == "general-prison" else "method"
    made = view.make_proposal(codebook, facet, f"{kind}:{code}", phrase, "rct1", 5)
    titles = coding.effective_codes(project).assign(title="")
    quick = view.preview_edit(project, made, "rct1", titles, examples=50)
    full = coding.preview_codebook_change(project, load_codebook(made.text), examples=50)
    assert quick.changed == full.total_changed
    assert set(quick.rows["study_id"]) == {
        sid for f in full.facets.values() for sid, _, _ in f.examples
    }
    assert quick.studies == len(RECORDS) and quick.coded <= len(RECORDS)
    if phrase == "peer support":  # the case that changes codes: it must be seen
        assert quick.changed > 0


def test_candidates_keep_inflections_and_hyphens(project) -> None:
    found = view.candidate_studies(project, "randomized controlled trials")
    assert found == ["rct1"]  # "randomised controlled trial" in its title
    assert view.candidate_studies(project, "semistructured interview*") == ["qual1"]
    assert view.candidate_studies(project, "") == []


def test_proposal_targets_name_the_missed_and_the_wrong_codes(project) -> None:
    codebook = coding.project_codebook(project)
    assert view.proposal_targets(codebook, "method", ["survey"], ["rct"]) == (["rct"], ["survey"])
    assert view.proposal_targets(codebook, "method", ["unclear"], ["rct"]) == (["rct"], [])
    missed, wrong = view.proposal_targets(
        codebook, "population", ["staff", "general-prison"], ["general-prison", "women"]
    )
    assert (missed, wrong) == (["women"], ["staff"])


# -- the project file ------------------------------------------------------------------------


def test_an_older_project_file_gains_the_checks_table(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    write_project(path).close()
    downgrade_to_schema_1(path)
    conn = sqlite3.connect(path)
    assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'code_checks'").fetchall()
    conn.close()
    with open_project(path) as project:
        assert project.meta("schema_version") == str(SCHEMA_VERSION) == "6"
        checks.confirm(project, "qual1", "method")
        assert checks.facet_checks(project, "qual1")


# -- decision sequences ------------------------------------------------------------------------

STUDIES = [r[0] for r in RECORDS]
ACTIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("confirm"), st.sampled_from(STUDIES), st.sampled_from(checks.CHECK_FACETS)
        ),
        st.tuples(st.just("correct"), st.sampled_from(STUDIES), st.sampled_from(["rct", "survey"])),
        st.tuples(st.just("finish"), st.sampled_from(STUDIES), st.just("")),
        st.tuples(st.just("undo"), st.just(""), st.just("")),
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_any_sequence_of_decisions_keeps_the_file_consistent(tmp_path_factory, actions) -> None:
    path = tmp_path_factory.mktemp("seq") / "p.sqlite"
    with write_project(path) as project:
        for kind, sid, arg in actions:
            try:
                if kind == "confirm":
                    checks.confirm(project, sid, arg)
                elif kind == "correct":
                    checks.correct(project, sid, "method", arg)
                elif kind == "finish":
                    checks.finish_study(project, sid)
                else:
                    checks.undo_last(project)
            except ValueError:
                pass  # a facet set by hand cannot be confirmed: refused, nothing written
        table = coding.effective_codes(project).set_index("study_id")
        for sid in STUDIES:
            found = checks.facet_checks(project, sid)
            if "method" in found and found["method"].verdict == "corrected":
                # the reviewer's code in force is the one in force
                assert table.at[sid, "method"] == found["method"].codes[0]
            if table.at[sid, "checked"]:
                assert set(found) | {f for f in checks.overridden(project, sid)} >= set(
                    checks.CHECK_FACETS
                )
        agreed = checks.agreement(project)
        for a in agreed:
            assert a.checks <= len(STUDIES)  # one check in force per study and facet
        done = checks.progress(project)
        assert done.checked == int(table["checked"].sum()) and done.total == len(STUDIES)


def test_a_sentence_with_two_phrases_of_a_facet_is_shown_once_with_both_coloured() -> None:
    """Check codes showed 'Qualitative interviews with 14 stakeholders ...' twice under
    Method, 'Qualitative interviews' coloured in one copy and 'interviews' in the other."""
    from lib.coding import Evidence
    from lib.model import Record

    abstract = "We held qualitative interviews with 14 staff. Themes were coded."
    record = Record(record_id="s1", title="Peer support in prison", abstract=abstract)
    first = abstract.index("qualitative interviews")
    second = abstract.index("interviews")
    evidence = [
        Evidence("method", "qualitative", "qualitative interviews", "abstract", first,
                 first + 22, sentence_start=0, sentence_end=45),
        Evidence("method", "qualitative", "interviews", "abstract", second, second + 10,
                 sentence_start=0, sentence_end=45),
        Evidence("method", "qualitative", "coded", "abstract", abstract.index("coded"),
                 abstract.index("coded") + 5, sentence_start=46, sentence_end=len(abstract)),
    ]  # fmt: skip
    codebook = load_codebook(default_codebook_path())
    (row,) = view.facet_rows(codebook, record, evidence, {"method": ["qualitative"]},
                             {"method": 0.9}, {}, {}, facets=["method"])  # fmt: skip
    assert len(row.sentences) == 2  # two sentences, each once
    assert "qualitative interviews" in row.sentences[0].replace("\\", "")
    assert row.sentences[0].count(":blue[") == 1  # the overlapping phrases as one mark
    assert "Themes were" in row.sentences[1]
