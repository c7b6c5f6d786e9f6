"""AppTest of the Check codes page: the least sure study first, confirm and correct a
facet, the study counted as checked, and everything in the project file at once.

The tests re-open the project (and the page, in a new session, as a reload would) to find
each decision there.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.project import checks, coding, open_project
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    HOSTILE_TITLE,
    add_hostile_record,
    app_home,
    as_shown,
    demo_project,
    demo_template,
    errors,
    open_page,
)

PAGE = "app_pages/4_Check_codes.py"


def first_in_queue(path: Path) -> str:
    with open_project(path) as project:
        found = checks.next_study(project)
    assert found is not None
    return found[0]


def shown_study(at: AppTest) -> str:
    """The study id the page shows (its caption)."""
    for caption in at.caption:
        text = as_shown(caption.value)
        if text.startswith("Study "):
            return text.removeprefix("Study ")
    raise AssertionError("no study shown")


def checked_metric(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Checked")


def test_the_least_sure_study_comes_first_with_its_codes(demo_project: Path) -> None:  # noqa: F811
    first = first_in_queue(demo_project)
    at = open_page(demo_project, PAGE)
    assert not errors(at)
    assert shown_study(at) == first
    assert "checking all studies" in as_shown(at.caption[0].value)  # nothing screened yet
    labels = {b.label for b in at.button}
    assert {"Confirm (1)", "Confirm (2)", "Confirm (3)", "All correct: next study"} <= labels
    assert checked_metric(at).startswith("0 / ")


def test_confirm_correct_and_next_are_kept_in_the_project(demo_project: Path) -> None:  # noqa: F811
    first = first_in_queue(demo_project)
    at = open_page(demo_project, PAGE)
    at.button(key="confirm_direction").click().run()
    assert not errors(at)
    with open_project(demo_project) as project:
        assert checks.facet_checks(project, first)["direction"].verdict == "confirmed"
    with open_project(demo_project) as project:
        slugs = list(coding.project_codebook(project).facets["method"].codes)
    slug = next(c for c in slugs if c != at.selectbox(key=f"fix_method_{first}").value)
    at.selectbox(key=f"fix_method_{first}").set_value(slug).run()
    assert not errors(at)
    with open_project(demo_project) as project:
        made = checks.facet_checks(project, first)["method"]
        in_force = coding.effective_codes(project, [first]).iloc[0]
    assert made.verdict == "corrected" and in_force["method"] == slug
    assert any("Teach the codebook" in e.label for e in at.expander)
    at.button(key="check_next").click().run()
    assert not errors(at)
    assert shown_study(at) != first
    assert checked_metric(at).startswith("1 / ")
    with open_project(demo_project) as project:
        done = checks.facet_checks(project, first)
        assert set(done) == {"method", "population", "direction"}
        assert done["population"].verdict == "confirmed"
        assert coding.effective_codes(project, [first]).iloc[0]["checked"]
    # a new session (a reload) finds the same progress and moves on from there
    again = open_page(demo_project, PAGE)
    assert checked_metric(again).startswith("1 / ") and shown_study(again) != first
    agreed = {m.label: m.value for m in again.metric}
    assert agreed["Method: agreed"] == "0%" and agreed["Direction of findings: agreed"] == "100%"


def test_back_takes_the_last_check_back(demo_project: Path) -> None:  # noqa: F811
    first = first_in_queue(demo_project)
    at = open_page(demo_project, PAGE)
    at.button(key="check_next").click().run()
    assert shown_study(at) != first
    at.button(key="check_back").click().run()
    assert not errors(at)
    assert shown_study(at) == first
    assert checked_metric(at).startswith("0 / ")


def test_a_correction_teaches_the_codebook_after_a_preview(demo_project: Path) -> None:  # noqa: F811
    first = first_in_queue(demo_project)
    at = open_page(demo_project, PAGE)
    at.selectbox(key=f"fix_method_{first}").set_value("survey").run()
    where = f"teach_method_{first}"
    assert at.radio(key=f"{where}_kind").value == "phrase:survey"
    phrase = at.text_input(key=f"{where}:phrase:survey").value  # prefilled: method sentence
    assert phrase  # (or, as the coder found no design here, the title)
    at.number_input(key=f"{where}_weight").set_value(3.0)
    at.button(key=f"{where}_preview").click().run()
    assert not errors(at)
    said = " ".join(m.value for m in at.markdown)
    assert "automatic codes would change across" in said
    assert "This study would get: Survey" in " ".join(t.value for t in at.text)
    assert any(link.label for link in at.get("page_link"))  # the changed studies, by title
    with open_project(demo_project) as project:
        assert len(coding.codebook_history(project)) == 0  # nothing applied before Apply
    at.button(key="check_apply").click().run()
    assert not errors(at)
    assert any("applied" in s.value for s in at.success)
    with open_project(demo_project) as project:
        history = coding.codebook_history(project)
        codebook = coding.project_codebook(project)
        assert len(history) == 1 and phrase in history[0]["note"]
        assert codebook.version == "2"
        rules = codebook.facets["method"].codes["survey"].rules
        assert rules[-1].phrases == (phrase,) and rules[-1].weight == 3
        assert coding.effective_codes(project, [first]).iloc[0]["method"] == "survey"


def test_a_confirmation_shows_on_the_study_page(demo_project: Path) -> None:  # noqa: F811
    first = first_in_queue(demo_project)
    at = open_page(demo_project, PAGE)
    at.button(key="confirm_method").click().run()
    at.selectbox(key=f"fix_direction_{first}").set_value("mixed").run()
    study = open_page(demo_project, "app_pages/7_Study.py", query={"study": first})
    assert not errors(study)
    said = [c.value for c in study.caption]
    assert any(s.startswith("automatic, confirmed by you") for s in said)
    assert "set by you" in said  # the correction is an override, as on this page
    assert study.toggle(key="checked").value is False  # the study is not finished yet
    at.button(key="check_next").click().run()
    assert (
        open_page(demo_project, "app_pages/7_Study.py", query={"study": first})
        .toggle(key="checked")
        .value
    )


def test_hostile_record_text_is_shown_as_text(demo_project: Path) -> None:  # noqa: F811
    study = add_hostile_record(demo_project)
    with open_project(demo_project) as project:
        for sid in list(coding.effective_codes(project)["study_id"]):
            if sid != study:
                checks.finish_study(project, sid)
    at = open_page(demo_project, PAGE)
    assert not errors(at)
    assert shown_study(at) == study
    heading = next(m.value for m in at.markdown if m.value.startswith("### "))
    assert "<script>" not in heading.replace("\\<", "") and "\\<script\\>" in heading
    assert as_shown(heading[4:]).replace("*", "").startswith(HOSTILE_TITLE[:20])


def test_an_exclusion_is_offered_from_the_evidence_that_was_wrong(demo_project: Path) -> None:  # noqa: F811
    # the least sure study whose direction the coder did decide (not "unclear"): the ones
    # before it are checked, so the page opens on it
    with open_project(demo_project) as project:
        while True:
            first = first_in_queue(demo_project)
            auto = coding._auto_values(project)[(first, "direction")]
            if any(c != "unclear" for c in auto):
                break
            checks.finish_study(project, first)
        slugs = list(coding.project_codebook(project).facets["direction"].codes)
    at = open_page(demo_project, PAGE)
    assert shown_study(at) == first
    wrong = next(c for c in auto if c != "unclear")
    at.selectbox(key=f"fix_direction_{first}").set_value(next(c for c in slugs if c != wrong))
    at.run()
    where = f"teach_direction_{first}"
    options = at.radio(key=f"{where}_kind").options
    assert any(o.startswith("Exclude the wording that gave") for o in options)
    at.radio(key=f"{where}_kind").set_value(
        next(v for v in (f"exclusion:{c}" for c in slugs) if view_label(v) in options)
    ).run()
    box = next(t for t in at.text_input if t.key.startswith(f"{where}:exclusion:"))
    assert box.value and len(box.value.split()) <= 6  # the phrase and a word either side
    at.button(key=f"{where}_preview").click().run()
    assert not errors(at)
    assert any("cancels" in m.value for m in at.markdown)


def view_label(option: str) -> str:
    from lib.coding import default_codebook_path, load_codebook
    from lib.views.check_codes import option_label

    return option_label(load_codebook(default_codebook_path()).facet("direction"), option)


def test_an_empty_project_says_to_import_first(app_home: Path) -> None:  # noqa: F811
    path = app_home / "empty.sqlite"
    open_project(path).close()
    at = open_page(path, PAGE)
    assert not errors(at)
    assert any("No studies yet" in i.value for i in at.info)


def test_the_page_keeps_to_the_scope_chosen_on_other_pages(demo_project: Path) -> None:  # noqa: F811
    from lib.screening import decisions

    first = first_in_queue(demo_project)
    with open_project(demo_project) as project:
        last = [sid for sid, _, _ in coding.least_confident(project)][-1]
        decisions.decide(project, last, "include", stage="title-abstract")
    at = open_page(demo_project, PAGE)
    assert shown_study(at) == last and checked_metric(at) == "0 / 1"
    assert "Included studies (1)" in as_shown(at.caption[0].value)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.session_state["project_path"] = str(demo_project)
    at.session_state["scope"] = "all"  # the switch on Explore set to every study
    at.switch_page(PAGE)
    at.run()
    assert shown_study(at) == first and not checked_metric(at).endswith("/ 1")


def test_the_scope_switch_is_on_the_page_too(demo_project: Path) -> None:  # noqa: F811
    """Issue 14: Check codes works on included studies by default, with the same visible
    switch as Explore: moving it to all studies takes the queue to every study."""
    from lib.screening import decisions

    first = first_in_queue(demo_project)
    with open_project(demo_project) as project:
        last = [sid for sid, _, _ in coding.least_confident(project)][-1]
        decisions.decide(project, last, "include", stage="title-abstract")
    at = open_page(demo_project, PAGE)
    switch = at.sidebar.radio(key="scope_switch")
    assert switch.value == "included" and shown_study(at) == last
    switch.set_value("all").run()
    assert not errors(at)
    assert at.session_state["scope"] == "all"  # the other pages follow
    assert shown_study(at) == first and not checked_metric(at).endswith("/ 1")
