"""The Study page's view layer: evidence said once, tables, and the widgets' state."""

from __future__ import annotations

import pandas as pd

from lib.coding import Evidence
from lib.model import Record
from lib.views import study as view


def test_identical_evidence_lines_are_said_once_with_how_often() -> None:
    evidence = [
        Evidence("population", "general-prison", "prisoners", "abstract", 0, 9),
        Evidence("population", "general-prison", "prisoners", "abstract", 40, 49),
        Evidence("population", "general-prison", "prisoners", "abstract", 80, 89),
        Evidence("population", "women", "women", "title", 3, 8),
        Evidence("method", "survey", "survey", "title", 0, 6),
    ]
    lines = view.evidence_lines(evidence, "population", str.title)
    assert lines == ["General-Prison: 'prisoners' (abstract) ×3", "Women: 'women' (title)"]
    many = [Evidence("setting", "prison", f"prison {i}", "abstract", i, i + 1) for i in range(9)]
    assert view.evidence_lines(many, "setting", str, limit=6)[-1] == "… and 3 more"
    peer = [Evidence("peer-role", "mentor", "mentor", "title", 0, 6)]
    assert view.evidence_lines(peer, "peer_role", str) == ["mentor: 'mentor' (title)"]


def test_the_merged_study_keeps_its_records_in_the_order_they_arrived() -> None:
    records = {r: Record(record_id=r, title=f"Title {r}") for r in ("a", "b", "c")}
    study, members = view.merged_study("a", ["c", "a", "missing"], records)
    assert [m.record_id for m in members] == ["a", "c"]
    assert study.title
    empty, none = view.merged_study("x", [], records)
    assert empty.record_id == "x" and none == []


def test_the_corrections_table_is_newest_first_with_notes() -> None:
    history = [
        {"facet": "method", "codes": ["rct"], "previous": ["survey"], "note": "",
         "made_at": "2026-01-01T10:00:00", "undone_at": None},
        {"facet": "method", "codes": ["survey"], "previous": ["rct"], "note": "a pilot",
         "made_at": "2026-01-02T10:00:00", "undone_at": "2026-01-03T09:00:00"},
    ]  # fmt: skip
    table = view.corrections_table(history, str.capitalize, lambda f, v: ", ".join(v))
    assert list(table["note"]) == ["a pilot", ""]
    assert list(table["when"]) == ["2026-01-02 10:00", "2026-01-01 10:00"]
    assert list(table["undone"]) == ["2026-01-03 09:00", ""]


def test_a_widget_shows_the_stored_value_when_the_study_or_the_value_changes() -> None:
    session: dict[str, object] = {}
    view.sync(session, "code_method", "rct", "s1")
    assert session["code_method"] == "rct"
    session["code_method"] = "survey"  # the reviewer's choice stays while nothing changed
    view.sync(session, "code_method", "rct", "s1")
    assert session["code_method"] == "survey"
    view.sync(session, "code_method", "rct", "s2")  # another study: its stored value
    assert session["code_method"] == "rct"
    view.step(session, ["s1", "s2", "s3"], "s3", 1)
    assert session["study_pick"] == "s1"  # round to the first


def test_the_codes_a_facet_shows_are_read_from_its_widgets() -> None:
    session = {"code_method": "rct", "code_country": ["Wales"], "code_population:women": True,
               "code_population:staff": False, "code_population:re:entry": True}  # fmt: skip
    assert view.chosen_codes(session, ["code_method"]) == ["rct"]
    assert view.chosen_codes(session, ["code_country"]) == ["Wales"]
    boxes = ["code_population:women", "code_population:staff", "code_population:re:entry"]
    assert view.chosen_codes(session, boxes) == ["women", "re:entry"]


def test_the_picker_always_lists_the_study_shown() -> None:
    session: dict[str, object] = {"study_pick": "gone"}
    assert view.picker_options(session, ["a", "b"], {"a", "b", "c"}, "a") == ["a", "b"]
    assert session["study_pick"] == "a"
    session["study_pick"] = "c"  # picked, but not among the search's matches
    assert view.picker_options(session, ["a", "b"], {"a", "b", "c"}, "a") == ["c", "a", "b"]


def test_other_reports_name_the_other_record_and_who_linked_it() -> None:
    class Link:
        def __init__(self, a: str, b: str, decision_id: int | None) -> None:
            self.a, self.b, self.reason, self.decision_id = a, b, "erratum", decision_id

    members = [Record(record_id="r1")]
    links = [Link("r1", "r9", 3), Link("r5", "r1", None), Link("r7", "r8", None)]
    found = view.other_reports(links, members, {"r9": "s9"})
    assert found == [("r9 · erratum · linked by you", "s9"),
                     ("r5 · erratum · linked by the matcher", "r5")]  # fmt: skip


def test_records_of_other_reports_belong_to_their_study() -> None:
    table = pd.DataFrame(
        {
            "study_id": ["s1", "s2"],
            "record_ids": [["s1", "r2"], ["s2"]],
            "other_record_ids": [["e1", "e2"], []],
        }
    )
    assert view.study_of_record(table) == {"s1": "s1", "r2": "s1", "e1": "s1", "e2": "s1",
                                           "s2": "s2"}  # fmt: skip


def test_an_other_report_is_named_by_type_title_and_year_with_its_links() -> None:
    class Link:
        def __init__(self, a: str, b: str, decision_id: int | None) -> None:
            self.a, self.b, self.reason, self.decision_id = a, b, "erratum of", decision_id

    groups = pd.DataFrame(
        {
            "study_id": ["e1"],
            "record_ids": [["e1", "e2"]],
            "entrytype": ["erratum"],
            "title": ["Correction: peer support"],
            "year": pd.array([2024], dtype="Int64"),
            "doi": ["10.1234/x"],
        }
    )
    links = [Link("s1", "e2", None), Link("e1", "e2", None), Link("x", "y", 1)]
    [item] = view.other_report_items(groups, links)
    assert item.label == "Erratum: Correction: peer support (2024)"
    assert item.link == "https://doi.org/10.1234/x"
    assert item.record_ids == ["e1", "e2"]
    assert item.why == ["e2 ↔ s1 · erratum of · linked by the matcher"]  # a link inside: not one
