"""AppTest of the Codebook page: rules shown, a broken codebook refused, a change previewed,
applied (stored in the project and every study re-coded), reset to the default."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.coding import FACETS, default_codebook_path
from lib.project import coding, open_project
from lib.views.studies import study_table
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    app_home,
    as_shown,
    demo_project,
    demo_template,
    errors,
    open_page,
)

PAGE = "app_pages/8_Codebook.py"
# "peer" made a phrase of the theme "identity and desistance": most demo studies gain it.
CODE = "      identity-desistance:\n"


def edited(text: str) -> str:
    """The codebook with one more phrase for one theme (a change that shows)."""
    start = text.index(CODE)
    rules = text.index("phrases: [", start) + len("phrases: [")
    return text[:rules] + "peer, " + text[rules:]


def saved(path: Path) -> list[dict]:
    with open_project(path) as project:
        return coding.codebook_history(project)


def preview_says(at: AppTest) -> str:
    return next((m.value for m in at.markdown if m.value.startswith("**Preview of version")), "")


def buttons(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def in_force(path: Path):
    with open_project(path) as project:
        return coding.project_codebook(project)


def test_every_facet_is_readable(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    assert not errors(at)
    assert len(at.expander) == len(FACETS)
    codebook = in_force(demo_project)
    codes = [d.value for d in at.dataframe if "looks for" in d.value.columns]
    assert [list(t["code"]) for t in codes] == [list(codebook.facets[f].codes) for f in FACETS]
    assert at.text_area(key="codebook_yaml").value == codebook.to_yaml()
    assert "apply" not in buttons(at)  # nothing previewed, nothing to apply
    assert {"preview", "reset"} <= buttons(at)
    at.button(key="preview").click().run()  # the codebook in force, unchanged
    assert [as_shown(i.value) for i in at.info] == [
        "This is the codebook in force: nothing to apply."
    ]
    assert "apply" not in buttons(at) and saved(demo_project) == []


def test_a_broken_codebook_names_the_rule_and_nothing_is_saved(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    text = at.text_area(key="codebook_yaml").value
    broken = text.replace("type: single", "type: singel", 1)
    at.text_area(key="codebook_yaml").set_value(broken).run()
    at.button(key="preview").click().run()
    assert not at.exception
    [error] = at.error
    assert "facet \\'method\\'" in error.value and "singel" in error.value
    assert "apply" not in buttons(at)
    assert saved(demo_project) == []


def test_a_change_is_previewed_applied_recoded_and_its_version_moves(demo_project: Path) -> None:  # noqa: F811
    with open_project(demo_project) as project:
        before = coding.effective_codes(project).set_index("study_id")["themes"]
    at = open_page(demo_project, PAGE)
    new_text = edited(at.text_area(key="codebook_yaml").value)
    at.text_area(key="codebook_yaml").set_value(new_text).run()
    at.button(key="preview").click().run()
    assert not errors(at)
    with open_project(demo_project) as project:
        expected = coding.preview_codebook_change(
            project, coding.load_codebook(new_text)
        ).total_changed
    assert expected > 0
    assert preview_says(at).startswith("**Preview of version 2:**")
    assert f"changes **{expected:,}** automatic codes" in preview_says(at)
    assert saved(demo_project) == []  # a preview writes nothing
    at.text_input(key="codebook_note").set_value("peer work is about identity").run()
    at.button(key="apply").click().run()
    assert not errors(at)
    [stored] = saved(demo_project)
    assert stored["note"] == "peer work is about identity"
    codebook = in_force(demo_project)
    assert codebook.version == "2"  # the version moved with the edit
    assert codebook.to_yaml() == new_text.replace('version: "1"', "version: '2'")
    with open_project(demo_project) as project:
        after = coding.effective_codes(project).set_index("study_id")["themes"]
        studies = set(study_table(project)["study_id"])  # other reports take their study's
    gained = [sid for sid in studies if set(after[sid]) - set(before[sid])]
    assert len(gained) == expected  # only themes change, each by gaining the code
    assert all("identity-desistance" in after[sid] for sid in gained)
    history = next(d.value for d in at.dataframe if "fingerprint" in d.value.columns)
    assert list(history["note"]) == ["peer work is about identity"]
    assert list(history["version"]) == ["2"]
    assert "apply" not in buttons(at)


def test_the_preview_lists_the_studies_that_change_by_title_with_links(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    at.text_area(key="codebook_yaml").set_value(edited(at.text_area(key="codebook_yaml").value))
    at.button(key="preview").click().run()
    links = [p for p in at.get("page_link") if "Study" in p.proto.page]
    assert links
    with open_project(demo_project) as project:
        titles = dict(zip(*(lambda t: (t["study_id"], t["title"]))(study_table(project)),
                          strict=True))  # fmt: skip
    for link in links:
        study = link.proto.query_string.split("study=", 1)[1]
        label = link.proto.label.replace("\\", "").replace("\u200b", "")
        assert label.startswith(titles[study][:40].replace("\\", ""))
    changes = [as_shown(c.value) for c in at.caption if " → " in c.value]
    assert len(changes) == len(links) and all(c.startswith("Themes: ") for c in changes)


def test_an_edit_after_the_preview_must_be_previewed_again(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    new_text = edited(at.text_area(key="codebook_yaml").value)
    at.text_area(key="codebook_yaml").set_value(new_text).run()
    at.button(key="preview").click().run()
    assert not at.button(key="apply").disabled
    at.text_area(key="codebook_yaml").set_value(new_text + "\n# one more line\n").run()
    assert at.button(key="apply").disabled
    assert any("preview it again" in i.value for i in at.info)


def test_one_code_is_changed_in_a_form_and_the_rest_of_the_file_is_kept(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    before = at.text_area(key="codebook_yaml").value
    at.selectbox(key="edit_facet").set_value("themes").run()
    at.selectbox(key="edit_code").set_value("identity-desistance").run()
    label = next(t for t in at.text_input if t.label == "Label")
    label.set_value("Identity, desistance and change")
    next(b for b in at.button if b.label == "Preview this change").click().run()
    assert not errors(at)
    assert preview_says(at).startswith("**Preview of version 2:**")
    at.button(key="apply").click().run()
    assert not errors(at)
    codebook = in_force(demo_project)
    assert codebook.facet("themes").codes["identity-desistance"].label == (
        "Identity, desistance and change"
    )
    after = codebook.to_yaml()
    changed = [a for a, b in zip(before.splitlines(), after.splitlines(), strict=False) if a != b]
    assert len(changed) <= 3  # the version, the label: every comment and rule kept
    assert after.count("\n#") == before.count("\n#")
    [stored] = saved(demo_project)
    assert stored["note"] == "Themes: code 'identity-desistance' changed"


def test_a_new_code_and_a_facet_setting_are_added_in_forms(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    at.selectbox(key="edit_facet").set_value("method").run()
    at.selectbox(key="edit_code").set_value("\x00new").run()
    next(t for t in at.text_input if t.label.startswith("Code (")).set_value("delphi-study")
    next(t for t in at.text_input if t.label == "Label").set_value("Delphi study")
    next(b for b in at.button if b.label == "Preview this change").click().run()
    assert not errors(at)
    at.button(key="apply").click().run()
    assert "delphi-study" in in_force(demo_project).facet("method").codes
    at.radio(key="edit_what").set_value("One facet").run()
    next(t for t in at.text_input if t.label == "Label").set_value("Study design")
    next(b for b in at.button if b.label == "Preview this change").click().run()
    at.button(key="apply").click().run()
    codebook = in_force(demo_project)
    assert codebook.facet("method").label == "Study design" and codebook.version == "3"


def test_reset_to_the_default_codebook(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    at.text_area(key="codebook_yaml").set_value(edited(at.text_area(key="codebook_yaml").value))
    at.button(key="preview").click().run()
    at.button(key="apply").click().run()
    assert len(saved(demo_project)) == 1
    at.button(key="reset").click().run()
    assert preview_says(at).startswith("**Preview of version 3:**")  # previewed at once
    at.button(key="apply").click().run()
    assert not errors(at)
    history = saved(demo_project)
    assert [h["note"] for h in history] == ["edited as YAML", "reset to the default codebook"]
    default = default_codebook_path().read_text(encoding="utf-8")
    codebook = in_force(demo_project)
    assert codebook.version == "3"
    assert codebook.to_yaml() == default.replace('version: "1"', "version: '3'")
    assert at.text_area(key="codebook_yaml").value == codebook.to_yaml()


def test_history_brings_back_an_earlier_codebook_as_a_new_version(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    first = edited(at.text_area(key="codebook_yaml").value)
    at.text_area(key="codebook_yaml").set_value(first).run()
    at.button(key="preview").click().run()
    at.button(key="apply").click().run()
    second = at.text_area(key="codebook_yaml").value.replace("peer, ", "", 1)
    at.text_area(key="codebook_yaml").set_value(second).run()
    at.button(key="preview").click().run()
    at.button(key="apply").click().run()
    assert in_force(demo_project).version == "3"
    [older] = at.selectbox(key="restore_pick").options
    assert "version 2" in older
    at.button(key="restore").click().run()
    assert preview_says(at).startswith("**Preview of version 4:**")
    at.button(key="apply").click().run()
    assert not errors(at)
    codebook = in_force(demo_project)
    assert codebook.version == "4"
    assert codebook.to_yaml() == first.replace('version: "1"', "version: '4'")
    assert saved(demo_project)[-1]["note"] == "codebook 1 (version 2) brought back"
