"""AppTest of the Study page: the study of the URL, its evidence, corrections that persist.

A correction made with the page's widgets must be in the project file at once: the tests
re-open the project (and the page, in a new session, as a reload would) to find it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.project import coding, duplicates, open_project
from lib.textsafe import escape_markdown
from lib.views.studies import study_table
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    add_hostile_record,
    app_home,
    as_shown,
    demo_project,
    demo_template,
    errors,
    open_page,
)

PAGE = "app_pages/7_Study.py"


def codes(path: Path, study: str) -> dict[str, object]:
    """The study's codes in force, read from a freshly opened project file."""
    with open_project(path) as project:
        return coding.effective_codes(project).set_index("study_id").loc[study].to_dict()


def merged_study(path: Path) -> tuple[str, list[str]]:
    """A study of several records, with its record ids."""
    with open_project(path) as project:
        table = study_table(project)
    row = table[table["n_records"] > 1].iloc[0]
    return str(row["study_id"]), list(row["record_ids"])


def ticked(at: AppTest, facet: str) -> list[str]:
    """The codes whose box is ticked for ``facet``, in the codebook's order."""
    prefix = f"code_{facet}:"
    return [b.key[len(prefix) :] for b in at.checkbox if b.key.startswith(prefix) and b.value]


def markdown_text(at: AppTest) -> str:
    """Every piece of Markdown on the page: headings (the study's title) and text."""
    return "\n".join([*(h.value for h in at.subheader), *(m.value for m in at.markdown)])


def test_the_study_of_the_url_is_shown_with_its_evidence(demo_project: Path) -> None:  # noqa: F811
    study, records = merged_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": study})
    assert not errors(at)
    assert at.selectbox(key="study_pick").value == study
    assert at.query_params["study"] == study
    for key in ("code_method", "code_direction", "study_pick"):
        assert at.selectbox(key=key)
    assert at.button_group(key="highlight_facets")
    for key in ("code_population:women", "code_themes:wellbeing", "code_setting:prison"):
        assert at.checkbox(key=key)  # a box per code: every code in view, none cut off
    assert at.multiselect(key="code_country")  # 160 codes: a searchable list
    assert at.toggle(key="checked").value is False
    assert ":blue[**" in markdown_text(at)  # evidence highlighted, method's in blue
    assert any(
        i.value.startswith("This abstract is a summary written for the demo") for i in at.info
    )
    sources = next(d.value for d in at.dataframe if "record id" in d.value.columns)
    assert sorted(sources["record id"]) == sorted(records)
    fields = next(d.value for d in at.dataframe if list(d.value.columns) == ["field", "value"])
    assert fields.set_index("field").at["Study id", "value"] == study


def test_a_merged_record_id_in_the_url_opens_its_study(demo_project: Path) -> None:  # noqa: F811
    study, records = merged_study(demo_project)
    other = next(r for r in records if r != study)
    at = open_page(demo_project, PAGE, query={"study": other})
    assert not errors(at)
    assert at.selectbox(key="study_pick").value == study
    assert any("is part of this study" in i.value for i in at.info)


def linked_study(path: Path) -> tuple[str, str, list[str]]:
    """A study with another report folded in: (study, the report's group, its records)."""
    with open_project(path) as project:
        table = study_table(project)
        row = table[table["other_reports"].map(len) > 0].iloc[0]
        group = row["other_reports"][0]
        records = list(duplicates.groups_of(project, [group])["record_ids"].iloc[0])
    return str(row["study_id"]), group, records


def test_other_reports_are_listed_with_their_records(demo_project: Path) -> None:  # noqa: F811
    """The demo's erratum (two records) is linked to its article: the article's page names
    it with its type and title and lists its records (they were one plain line before)."""
    study, group, records = linked_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": study})
    assert not errors(at)
    assert any(h.value == "Other reports of this study (1)" for h in at.subheader)
    shown = next(t.value for t in at.text if t.value.startswith("Erratum: "))
    assert "linked by" in shown
    tables = [d.value for d in at.dataframe if "record id" in d.value.columns]
    assert [list(t["record id"]) for t in tables if group in set(t["record id"])] == [records]


def test_a_record_of_an_other_report_in_the_url_opens_its_study(demo_project: Path) -> None:  # noqa: F811
    study, _, records = linked_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": records[-1]})
    assert not errors(at)
    assert at.selectbox(key="study_pick").value == study  # was: "No study …", another shown
    assert any("is part of this study" in i.value for i in at.info)


def test_an_unknown_study_in_the_url_is_said_and_another_shown(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE, query={"study": "no-such-study"})
    assert not at.exception
    assert any("No study no\\-such\\-study" in w.value for w in at.warning)
    with open_project(demo_project) as project:
        first = str(study_table(project)["study_id"].iloc[0])
    assert at.selectbox(key="study_pick").value == first
    assert at.query_params["study"] == first  # the URL names the study shown


def test_correcting_the_method_is_stored_and_kept_after_a_reload(demo_project: Path) -> None:  # noqa: F811
    study, _ = merged_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": study})
    automatic = at.selectbox(key="code_method").value
    wanted = "survey" if automatic != "survey" else "qualitative"
    at.selectbox(key="code_method").set_value(wanted).run()
    assert not errors(at)
    assert codes(demo_project, study)["method"] == wanted
    assert "method" in codes(demo_project, study)["overridden"]
    with open_project(demo_project) as project:
        [made] = coding.override_history(project, study)
    assert (made["codes"], made["previous"]) == ([wanted], [automatic])

    again = open_page(demo_project, PAGE, query={"study": study})  # a reload: a new session
    assert not errors(again)
    assert again.selectbox(key="code_method").value == wanted
    assert again.button(key="undo_method")  # only a corrected facet can be undone


def test_a_correction_that_cannot_be_saved_is_said_and_the_widget_goes_back(
    demo_project: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise ValueError("method takes exactly one code")

    monkeypatch.setattr(coding, "set_override", refuse)
    study, _ = merged_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": study})
    automatic = at.selectbox(key="code_method").value
    at.selectbox(key="code_method").set_value("rct" if automatic != "rct" else "survey").run()
    assert not at.exception
    shown = [e.value.replace("\u200b", "") for e in at.error]  # textsafe's break after ':'
    assert shown == ["Not saved\\: method takes exactly one code\\."]
    assert at.selectbox(key="code_method").value == automatic
    assert codes(demo_project, study)["overridden"] == []


def test_a_many_valued_facet_is_corrected_and_the_correction_undone(demo_project: Path) -> None:  # noqa: F811
    study, _ = merged_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": study})
    automatic = ticked(at, "population")
    added = next(c for c in ("women", "young-people", "staff") if c not in automatic)
    at.checkbox(key=f"code_population:{added}").check().run()  # one click, one correction
    wanted = ticked(at, "population")
    assert sorted(wanted) == sorted([*automatic, added])
    assert not errors(at)
    assert sorted(codes(demo_project, study)["population"]) == sorted(wanted)
    at.button(key="undo_population").click().run()
    assert not errors(at)
    assert codes(demo_project, study)["population"] == automatic
    assert ticked(at, "population") == automatic  # the boxes follow
    with open_project(demo_project) as project:
        made = coding.override_history(project, study)
    assert len(made) == 1 and made[0]["undone_at"] is not None


def test_a_correction_carries_the_note_typed_for_it(demo_project: Path) -> None:  # noqa: F811
    study, _ = merged_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": study})
    automatic = at.selectbox(key="code_method").value
    wanted = "survey" if automatic != "survey" else "qualitative"
    at.text_input(key="correction_note").set_value("only staff were interviewed").run()
    at.selectbox(key="code_method").set_value(wanted).run()
    assert not errors(at)
    with open_project(demo_project) as project:
        [made] = coding.override_history(project, study)
    assert made["note"] == "only staff were interviewed"
    assert at.text_input(key="correction_note").value == ""  # the next one starts afresh
    table = next(d.value for d in at.dataframe if "note" in d.value.columns)
    assert list(table["note"]) == ["only staff were interviewed"]


def test_evidence_is_coloured_per_facet_with_a_legend_and_said_once(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    text = markdown_text(at)
    legend = next(m.value for m in at.markdown if m.value.startswith(":blue[**Method**]"))
    assert ":violet[**Population**]" in legend and ":yellow[**Peer role**]" in legend
    used = set(re.findall(r":([a-z]+)\[\*\*", text)) - {"blue"}
    assert len(used) >= 3  # several facets' evidence, each in its colour
    for block in at.text:  # the evidence beside each code: no line twice
        lines = block.value.splitlines()
        assert len(lines) == len(set(lines)), lines
    assert any("×" in t.value for t in at.text)  # a phrase found twice says so once
    at.button_group(key="highlight_facets").set_value(["method"]).run()
    assert set(re.findall(r":([a-z]+)\[\*\*", markdown_text(at))) == {"blue"}


def test_marking_a_study_checked_is_stored(demo_project: Path) -> None:  # noqa: F811
    study, _ = merged_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": study})
    at.toggle(key="checked").set_value(True).run()
    assert not errors(at)
    assert codes(demo_project, study)["checked"] is True
    assert open_page(demo_project, PAGE, query={"study": study}).toggle(key="checked").value


def test_the_search_narrows_the_picker_and_a_pick_changes_the_url(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    everything = len(at.selectbox(key="study_pick").options)
    at.text_input(key="study_search").set_value("hospice").run()
    found = at.selectbox(key="study_pick").options
    assert 1 <= len(found) < everything
    with open_project(demo_project) as project:
        table = study_table(project)
    hospice = table[table["title"].str.contains("hospice", case=False)]
    assert not hospice.empty
    target = str(hospice["study_id"].iloc[0])
    at.selectbox(key="study_pick").set_value(target).run()
    assert not errors(at)
    assert at.query_params["study"] == target


def test_previous_and_next_step_through_the_list(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    options = at.selectbox(key="study_pick").options
    first = at.selectbox(key="study_pick").value
    at.button(key="next").click().run()
    second = at.selectbox(key="study_pick").value
    assert second != first
    at.button(key="previous").click().run()
    assert at.selectbox(key="study_pick").value == first
    assert len(options) > 1


@pytest.fixture
def hostile(demo_project: Path) -> tuple[Path, str]:  # noqa: F811
    return demo_project, add_hostile_record(demo_project)


def test_hostile_record_text_is_shown_literally(hostile: tuple[Path, str]) -> None:
    markdown_it = pytest.importorskip("markdown_it", reason="pip install markdown-it-py")
    path, study = hostile
    at = open_page(path, PAGE, query={"study": study})
    assert not errors(at)
    assert at.selectbox(key="study_pick").value == study
    source = markdown_text(at)
    assert ":blue[**" in source  # highlighted next to the hostile text (method: blue)
    rendered = markdown_it.MarkdownIt("commonmark").render(source)
    for tag in ("<script", "<img", "<a ", "<code>", "<h1>", "<del>", "<b>", "<em>"):
        assert tag not in rendered
    assert "<strong>bold</strong>" not in rendered
    seen = html.unescape(re.sub(r"<[^>]+>", "", rendered))  # what the reader sees
    seen = re.sub(r":[a-z]+\[\*\*([^\]]*)\*\*\]", r"\1", seen).replace("\u200b", "")
    for piece in (
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "**bold** :red[red] $x$",
        "<script>alert(2)</script>",
        ":blue[b] $$y$$ :smile: `code` # heading _under_ ~~gone~~",
    ):
        assert piece in seen
    shown = "\n".join(t.value for t in at.text)
    assert "**Smith**, <b>J.</b>; [Jones](javascript:alert(6)), M." in shown
    assert "[J](javascript:alert(4))" in shown
    links = at.get("link_button")
    assert [b.proto.url for b in links] == ["https://doi.org/10.1234/hostile"]
    fields = next(d.value for d in at.dataframe if list(d.value.columns) == ["field", "value"])
    assert fields.set_index("field").at["URL", "value"] == "javascript:alert(5)"
    assert any("shown as text only" in c.value for c in at.caption)


def test_the_study_says_how_it_was_screened(demo_project: Path) -> None:  # noqa: F811
    """A reviewer opening a study from Explore sees whether and how it was screened (the
    page said nothing about it)."""
    from lib.screening import decisions as dec

    study, _ = merged_study(demo_project)
    at = open_page(demo_project, PAGE, query={"study": study})
    assert escape_markdown("Screening: not screened yet.") in [c.value for c in at.caption]
    with open_project(demo_project) as project:
        dec.decide(project, study, "include", note="peer mentors")
    at = open_page(demo_project, PAGE, query={"study": study})
    said = next(as_shown(c.value) for c in at.caption if c.value.startswith("Screening"))
    assert "title/abstract included (note: peer mentors)" in said
    assert "full text: not assessed yet" in said
    with open_project(demo_project) as project:
        dec.decide(project, study, "exclude", stage="full-text", reason="Wrong population")
    at = open_page(demo_project, PAGE, query={"study": study})
    said = next(as_shown(c.value) for c in at.caption if c.value.startswith("Screening"))
    assert "full text excluded: Wrong population" in said and not errors(at)
