"""The codebook laid out for reading, and its history with what each codebook changed."""

from __future__ import annotations

from lib.coding import default_codebook_path, load_codebook
from lib.coding.codebook import Rule
from lib.views.codebook import RULE_COLUMNS, facet_facts, history_table, rule_text, rules_table

CODEBOOK = load_codebook(default_codebook_path())


def test_every_code_of_a_facet_is_a_row_with_its_phrases() -> None:
    method = CODEBOOK.facet("method")
    table = rules_table(method)
    assert list(table.columns) == list(RULE_COLUMNS)
    assert list(table["code"]) == list(method.codes)
    review = table.set_index("code").loc["systematic-review"]
    assert review["looks for"].startswith("weight 3: systematic review*, ")
    assert "narrative-review" in review["outranks"]
    assert review["needs"] == "score 3"


def test_a_rule_reads_as_one_line() -> None:
    rule = Rule("here", phrases=("peer mentor*",), patterns=(r"mentor(?:ing|s)?",), weight=2,
                note="the role, not the scheme")  # fmt: skip
    assert rule_text(rule) == (
        "weight 2: peer mentor*; patterns: /mentor(?:ing|s)?/ [the role, not the scheme]"
    )
    assert rule_text(rule, with_weight=False).startswith("peer mentor*;")


def test_facet_facts_say_how_many_codes_and_the_fallback_and_negation() -> None:
    facts = facet_facts(CODEBOOK.facet("method"))
    assert facts[0].startswith("Exactly one code per study (")
    assert "'Unclear' when nothing decides" in facts[0]
    assert any(f.startswith("A match is ignored when one of these words") for f in facts)
    assert facet_facts(CODEBOOK.facet("themes"))[0].startswith("Any number of codes per study")


def test_history_is_newest_first_with_the_changes_of_the_first_recode_after_saving() -> None:
    saved = [
        {"codebook_id": 1, "sha256": "a" * 64, "note": "first", "saved_at": "2026-01-01T10:00:00"},
        {"codebook_id": 2, "sha256": "b" * 64, "note": "", "saved_at": "2026-01-02T10:00:00"},
        {"codebook_id": 3, "sha256": "a" * 64, "note": "back", "saved_at": "2026-01-03T10:00:00"},
    ]
    recodes = [
        {"at": "2026-01-01T10:00:01", "codebook_sha256": "a" * 64,
         "changed": {"method": 4, "themes": 0}},
        {"at": "2026-01-02T10:00:00", "codebook_sha256": "b" * 64,
         "changed": {"method": 0, "themes": 0}},
    ]  # fmt: skip
    table = history_table(saved, recodes)
    assert list(table["codebook"]) == [3, 2, 1]
    changed = dict(zip(table["codebook"], table["studies changed (per facet)"], strict=True))
    assert changed == {1: "method 4", 2: "nothing", 3: "not applied yet"}
    assert table.set_index("codebook").at[1, "saved"] == "2026-01-01 10:00"
