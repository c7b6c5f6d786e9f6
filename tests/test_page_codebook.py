"""AppTest of the Codebook page: rules shown, a broken codebook refused, a change previewed,
applied (stored in the project and every study re-coded), reset to the default."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.coding import FACETS, default_codebook_path
from lib.project import coding, open_project
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    app_home,
    demo_project,
    demo_template,
    errors,
    open_page,
)

PAGE = "pages/8_Codebook.py"
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
    return next((m.value for m in at.markdown if m.value.startswith("**Preview:**")), "")


def test_every_facet_is_readable(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    assert not errors(at)
    assert len(at.expander) == len(FACETS)
    with open_project(demo_project) as project:
        codebook = coding.project_codebook(project)
    codes = [d.value for d in at.dataframe if "looks for" in d.value.columns]
    assert [list(t["code"]) for t in codes] == [list(codebook.facets[f].codes) for f in FACETS]
    assert at.text_area(key="codebook_yaml").value == codebook.to_yaml()
    assert at.button(key="apply").disabled  # nothing previewed
    assert at.button(key="preview") and at.button(key="reset")


def test_a_broken_codebook_names_the_rule_and_nothing_is_saved(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    text = at.text_area(key="codebook_yaml").value
    broken = text.replace("type: single", "type: singel", 1)
    at.text_area(key="codebook_yaml").set_value(broken).run()
    at.button(key="preview").click().run()
    assert not at.exception
    [error] = at.error
    assert "facet \\'method\\'" in error.value and "singel" in error.value
    assert at.button(key="apply").disabled
    assert saved(demo_project) == []


def test_a_change_is_previewed_then_applied_and_recoded(demo_project: Path) -> None:  # noqa: F811
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
    assert f"changes **{expected:,}** automatic codes" in preview_says(at)
    assert saved(demo_project) == []  # a preview writes nothing
    at.text_input(key="codebook_note").set_value("peer work is about identity").run()
    at.button(key="apply").click().run()
    assert not errors(at)
    [stored] = saved(demo_project)
    assert stored["note"] == "peer work is about identity"
    with open_project(demo_project) as project:
        assert coding.project_codebook(project).to_yaml() == new_text
        after = coding.effective_codes(project).set_index("study_id")["themes"]
    gained = [sid for sid in after.index if set(after[sid]) - set(before[sid])]
    assert len(gained) == expected  # only themes change, each by gaining the code
    assert all("identity-desistance" in after[sid] for sid in gained)
    history = next(d.value for d in at.dataframe if "fingerprint" in d.value.columns)
    assert list(history["note"]) == ["peer work is about identity"]
    assert at.text_input(key="codebook_note").value == ""


def test_an_edit_after_the_preview_must_be_previewed_again(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    new_text = edited(at.text_area(key="codebook_yaml").value)
    at.text_area(key="codebook_yaml").set_value(new_text).run()
    at.button(key="preview").click().run()
    assert not at.button(key="apply").disabled
    at.text_area(key="codebook_yaml").set_value(new_text + "\n# one more line\n").run()
    assert at.button(key="apply").disabled
    assert any("preview again" in i.value for i in at.info)


def test_reset_to_the_default_codebook(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    at.text_area(key="codebook_yaml").set_value(edited(at.text_area(key="codebook_yaml").value))
    at.button(key="preview").click().run()
    at.button(key="apply").click().run()
    assert len(saved(demo_project)) == 1
    at.button(key="reset").click().run()
    default = default_codebook_path().read_text(encoding="utf-8")
    assert at.text_area(key="codebook_yaml").value == default
    assert preview_says(at)  # previewed at once
    at.button(key="apply").click().run()
    assert not errors(at)
    history = saved(demo_project)
    assert [h["note"] for h in history] == ["", "reset to the default codebook"]
    with open_project(demo_project) as project:
        assert coding.project_codebook(project).to_yaml() == default
