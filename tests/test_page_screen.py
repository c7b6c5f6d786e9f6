"""The Screen page under AppTest: decide, go back, stage and order switches, terms
highlighted in two colours and saved, reasons edited, record text kept as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.project import open_project
from lib.screening import decisions
from lib.screening.queue import current, pending
from lib.screening.terms import load_terms
from lib.views.screening import study_card
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    HOSTILE_ID,
    add_hostile_record,
    app_home,
    demo_project,
    demo_template,
    errors,
    open_page,
)

PAGE = "app_pages/3_Screen.py"


@pytest.fixture
def demo(demo_project: Path) -> Path:  # noqa: F811
    """A fresh copy of the demo project (43 studies)."""
    return demo_project


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_title(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


def stored(path: Path) -> list[decisions.Decision]:
    with open_project(path) as project:
        return decisions.load(project, include_undone=True)


def test_the_page_opens_on_the_first_study_with_progress(demo: Path) -> None:
    at = open_page(demo, PAGE)
    assert not errors(at)
    with open_project(demo) as project:
        total = len(current(project).studies)
    assert metrics(at)["Screened"] == f"0 / {total}"
    assert at.button(key="screen_include") and at.button(key="screen_back")
    assert "Import order until you have included one study" in at.caption[0].value


def test_include_exclude_maybe_are_stored_at_once_and_back_undoes(demo: Path) -> None:
    at = open_page(demo, PAGE)
    first = shown_title(at)
    at.button(key="screen_include").click().run()
    assert metrics(at)["Screened"].startswith("1 /") and metrics(at)["Included"] == "1"
    second = shown_title(at)
    assert second != first
    at.selectbox(key="screen_reason").select("Wrong setting")
    at.text_input(key="screen_note").input("not a prison")
    at.button(key="screen_exclude").click().run()
    # with an include and an exclude, the page no longer asks for them (it said "until you
    # have included one study and excluded one" while the worker was training)
    said = " ".join(c.value for c in at.caption)
    assert "until you have included" not in said
    assert "until the ranking, trained in the background, is ready" in said or "Ranked by" in said
    at.button(key="screen_maybe").click().run()
    assert not errors(at)
    made = stored(demo)
    assert [d.verdict for d in made] == ["include", "exclude", "maybe"]
    assert (made[1].reason, made[1].note) == ("Wrong setting", "not a prison")
    assert {d.origin for d in made} == {"import-order"}
    assert metrics(at)["Since last include"] == "2"
    at.button(key="screen_back").click().run()  # takes back the maybe, shows that study
    at.button(key="screen_back").click().run()  # and the exclusion
    assert shown_title(at) == second
    assert [d.undone_at is not None for d in stored(demo)] == [False, True, True]
    assert metrics(at)["Screened"].startswith("1 /")
    history = at.dataframe[0].value  # the study shown again: its decision, undone
    assert list(history["decision"]) == ["exclude"] and history["undone (UTC)"][0]
    at.button(key="screen_include").click().run()
    assert stored(demo)[-1].origin == "chosen"


def test_full_text_exclusion_without_reason_is_refused_with_a_message(
    demo: Path,
) -> None:
    at = open_page(demo, PAGE)
    at.button(key="screen_include").click().run()
    at.radio(key="screen_stage").set_value("full-text").run()
    assert metrics(at)["Screened"] == "0 / 1"
    at.button(key="screen_exclude").click().run()
    assert any("needs a reason" in e for e in errors(at))
    at.selectbox(key="screen_reason").select("Wrong study design")
    at.button(key="screen_exclude").click().run()
    assert "Nothing left to screen" in at.success[0].value
    assert stored(demo)[-1].stage == "full-text"
    at.button(key="screen_back").click().run()  # the last one can be taken back too
    assert metrics(at)["Screened"] == "0 / 1"


def test_terms_are_saved_in_the_project_and_highlighted_in_two_colours(
    demo: Path,
) -> None:
    at = open_page(demo, PAGE)
    at.text_area(key="screen_inc").input("peer*, prison")
    at.text_area(key="screen_exc").input("social care")
    next(b for b in at.button if b.label == "Save terms").click().run()
    assert not errors(at)
    with open_project(demo) as project:
        assert load_terms(project) == {"include": ["peer*", "prison"], "exclude": ["social care"]}
    title = shown_title(at)
    assert ":green-background[Peer support]" in title or ":green-background[Peer]" in title
    assert ":red-background[social care]" in title


def test_reasons_are_edited_on_the_page(demo: Path) -> None:
    at = open_page(demo, PAGE)
    at.text_area(key="screen_reasons").input("Not about prisons\nNot peer support")
    next(b for b in at.button if b.label == "Save reasons").click().run()
    assert at.selectbox(key="screen_reason").options == ["Not about prisons", "Not peer support"]


def test_random_order_is_stable_and_recorded_as_random(demo: Path) -> None:
    at = open_page(demo, PAGE)
    at.radio(key="screen_order").set_value("random").run()
    first = shown_title(at)
    at = open_page(demo, PAGE)
    at.radio(key="screen_order").set_value("random").run()
    assert shown_title(at) == first
    at.button(key="screen_exclude").click().run()
    assert stored(demo)[-1].origin == "random"


def test_hostile_record_text_is_shown_as_text(demo: Path) -> None:
    study = add_hostile_record(demo)
    assert study == HOSTILE_ID
    at = open_page(demo, PAGE)
    at.session_state["screen_pinned"] = HOSTILE_ID
    at.run()
    title = shown_title(at)
    assert "<script>" not in title and "\\<script\\>" in title
    assert "](javascript" not in title and ":red[" not in title
    assert not errors(at)


@pytest.mark.parametrize("order", ["ranked", "import"])
def test_nothing_left_says_so(demo: Path, order: str) -> None:
    with open_project(demo) as project:
        screening = current(project)
        for study in screening.studies.order:
            decisions.decide(project, study, "exclude")
    at = open_page(demo, PAGE)
    at.radio(key="screen_order").set_value(order).run()
    assert "Nothing left to screen" in at.success[0].value
    assert metrics(at)["Since last include"] == str(len(screening.studies))


def test_a_new_ranking_does_not_swap_the_study_being_read(demo: Path) -> None:
    """Seen in the browser: a ranking arriving from the background worker while the
    reviewer picked a reason swapped the study on screen, and Exclude then excluded the
    new one with the reason meant for the one read."""
    import json

    at = open_page(demo, PAGE)
    read = shown_title(at)
    with open_project(demo) as project:
        on_screen = next(pending(current(project), order="import"))  # no ranking yet
        records = [r for (r,) in project.conn.execute("SELECT record_id FROM records")]
        project.conn.execute(
            "INSERT INTO screen_rankings (trained_on, model, n_included, n_excluded, "
            "record_ids, seconds, made_at) VALUES ('x', 'test', 1, 1, ?, 0.1, "
            "'2026-01-01T00:00:00+00:00')",
            (json.dumps(records[::-1]),),
        )
        first_ranked = current(project).studies.study(records[-1])
    at.selectbox(key="screen_reason").select("Wrong setting").run()  # a rerun
    assert shown_title(at) == read
    # said in the reviewer's words first, the model's settings last
    assert any(c.value.startswith("Ranked by relevance learned from your 1 included and 1 "
                                  "excluded") for c in at.caption)  # fmt: skip
    at.button(key="screen_exclude").click().run()
    made = stored(demo)[-1]
    assert (made.study_id, made.reason) == (on_screen, "Wrong setting")
    assert first_ranked != on_screen
    at.run()  # the next study comes in the new ranking's order
    with open_project(demo) as project:
        assert study_card(project, first_ranked).title in shown_title(at).replace("\\", "")
