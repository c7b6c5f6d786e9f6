"""Editing one code or one facet of the codebook's YAML keeps the rest of the text."""

from __future__ import annotations

import difflib

import pytest

from lib.coding import default_codebook_path, load_codebook
from lib.views import codebook_edit as edit

TEXT = default_codebook_path().read_text(encoding="utf-8")
CODEBOOK = load_codebook(TEXT)


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_code_changed_in_its_form_changes_only_its_own_lines() -> None:
    original = edit.code_data(CODEBOOK, "method", "rct")
    rules = edit.rules_frame(original["rules"])
    rules.loc[len(rules)] = {"weight": 2.0, "phrases": "cluster randomised trial; cluster RCT",
                             "patterns": "", "case-sensitive": False, "note": ""}  # fmt: skip
    cancel = "; ".join(p for r in original.get("exclude", []) for p in r.get("phrases", []))
    new = edit.code_from_form(original, label="RCT", description=original.get("description", ""),
                              rules=rules, cancelled_by=cancel,
                              outranks=original.get("outranks", []),
                              min_score=original.get("min_score", 1))  # fmt: skip
    text = edit.with_code(TEXT, "method", "rct", original, new)
    codebook = load_codebook(text)
    rct = codebook.facet("method").codes["rct"]
    assert rct.label == "RCT" and rct.rules[-1].phrases == ("cluster randomised trial",
                                                            "cluster RCT")  # fmt: skip
    assert rct.rules[-1].weight == 2
    # every other code, every comment: as they were
    assert codebook.facet("method").codes["survey"] == CODEBOOK.facet("method").codes["survey"]
    assert text.count("\n#") == TEXT.count("\n#")
    start, end = TEXT.index("\n      rct:"), TEXT.index("\n      quasi-experimental:")
    assert text.startswith(TEXT[:start]) and text.endswith(TEXT[end:])  # only rct's block
    assert "label: RCT" in text[start:]


def test_a_code_written_on_one_line_a_new_code_and_a_removed_setting() -> None:
    norway = edit.code_data(CODEBOOK, "country", "Norway")
    text = edit.with_code(TEXT, "country", "Norway", norway, {**norway, "label": "Norge"})
    assert load_codebook(text).facet("country").codes["Norway"].label == "Norge"
    delphi = {"label": "Delphi study", "rules": [{"phrases": ["delphi"]}]}
    text = edit.with_code(TEXT, "method", "delphi", {}, delphi)
    assert list(load_codebook(text).facet("method").codes)[-1] == "delphi"
    text = edit.set_value(TEXT, ("facets", "method"), "negation", None)
    assert load_codebook(text).facet("method").negation is None
    assert len(changed_lines(TEXT, text)) == 4  # the negation block: its key, cues, window, after
    with pytest.raises(KeyError, match="no 'nothing'"):
        edit.set_value(TEXT, ("facets", "nothing"), "label", "x")


def test_facet_settings_from_the_form() -> None:
    settings = edit.facet_from_form(label="Design", description="", fallback="unclear",
                                    cues="not; no", window=2)  # fmt: skip
    method = load_codebook(edit.with_facet(TEXT, "method", settings)).facet("method")
    assert (method.label, method.description, method.fallback) == ("Design", "", "unclear")
    assert method.negation is not None and method.negation.cues == {"not", "no"}


@pytest.mark.parametrize(
    ("version", "after"),
    [("1", "2"), ("2.3", "2.4"), ("2024-a", "2025-a"), ("v", "v.1"), ("", "2")],
)
def test_the_version_moves_on(version: str, after: str) -> None:
    assert edit.next_version(version) == after


def test_the_version_moves_unless_the_text_moved_it_itself() -> None:
    assert load_codebook(edit.bump_version(TEXT, "1")).version == "2"
    moved = TEXT.replace('version: "1"', 'version: "7"')
    assert edit.bump_version(moved, "1") == moved
    assert load_codebook(edit.bump_version(moved, "9", force=True)).version == "10"
    bare = TEXT.replace('version: "1"\n', "")
    assert load_codebook(edit.bump_version(bare, "4")).version == "5"
