"""Field normalisation for deduplication: each export's way of writing a field maps to one
comparable value, and values that mean different things stay different."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.dedupe.authors import compare_authors, parse_authors
from lib.dedupe.journals import journal_variants, venue_relation
from lib.dedupe.locators import (
    doi_key,
    issue_key,
    page_range,
    pages_relation,
    supplement_numbers,
    volume_key,
)
from lib.dedupe.text import fold_words
from lib.dedupe.titles import is_generic, notice_kind, title_numbers, title_part, title_words

# ---- titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "Peer support in prison: a systematic review",
        "PEER SUPPORT IN PRISON - A SYSTEMATIC REVIEW.",
        "[Peer support in prison: a systematic review].",
        "Peer support in prison: a systematic review [Chinese]",
        "Peer support in prison: a systematic review. [Article in German]",
        "Peer support in prison: a systematic review (author's transl)",
        "Peer support in prison: a systematic review. [Review] [75 refs]",
        "Peer support in <i>prison</i>: a systematic review",
        "Peer support in prison: a systematic review.[Erratum appears in Crisis. 2010;31(2):1]",
        "Peer support in pris\u00f3n: a systematic review",
    ],
)
def test_title_variants_reduce_to_the_same_words(raw: str) -> None:
    assert title_words(raw) == "peer support in prison a systematic review"


def test_greek_letters_and_latex_fold_to_names() -> None:
    assert fold_words("β-cell function") == fold_words("$\\beta$-cell function")
    assert fold_words("β-cell function") == fold_words("beta-cell function")
    assert fold_words("&beta;-cell function") == "beta cell function"


def test_bracketed_text_that_is_not_a_tag_is_kept() -> None:
    assert (
        title_words("Outcomes of peer mentoring [a pilot]") == "outcomes of peer mentoring a pilot"
    )


@pytest.mark.parametrize(
    "title", ["Editorial", "Reply", "Letter to the editor", "Book review", "UNKNOWN", "Erratum"]
)
def test_generic_titles_are_flagged(title: str) -> None:
    assert is_generic(title_words(title))


def test_a_specific_title_is_not_generic_nor_a_notice() -> None:
    words = title_words("The Listener scheme and prisoner wellbeing")
    assert not is_generic(words)
    assert notice_kind(words) == ""


def test_errata_and_retractions_are_recognised() -> None:
    assert notice_kind(title_words("Erratum: The Listener scheme")) == "erratum"
    assert notice_kind(title_words("Correction to: The Listener scheme")) == "erratum"
    assert notice_kind(title_words("Retraction note: Peer mentors reduce reoffending")) == (
        "retraction"
    )


def test_parts_and_numbers_are_read_from_titles() -> None:
    assert title_part(title_words("Peer support, Part II: outcomes")) == "ii"
    assert title_part(title_words("Peer support, part 2: outcomes")) == "2"
    assert title_numbers("among 10 000 women") == title_numbers("among 10000 women")


@given(st.text(max_size=80))
def test_title_words_is_idempotent(text: str) -> None:
    once = title_words(text)
    assert title_words(once) == once


# ---- DOIs and locators ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "10.1016/S1567-5688(09)70810-4",
        "https://doi.org/10.1016/s1567-5688(09)70810-4",
        "http://dx.doi.org/10.1016/S1567-5688%2809%2970810-4",
        "doi: 10.1016/S1567-5688(09)70810-4.",
    ],
)
def test_doi_forms_compare_equal(raw: str) -> None:
    assert doi_key(raw) == "10.1016/s1567-5688(09)70810-4"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1049-58", ("1049", "1058", "")),
        ("1049-1058", ("1049", "1058", "")),
        ("1049–1058", ("1049", "1058", "")),
        ("S123", ("123", "", "s")),
        ("S322-S323", ("322", "323", "s")),
        ("e0137960", ("137960", "", "e")),
        ("CD002273", ("2273", "", "cd")),
        ("21-Aug", ("21", "28", "")),  # a spreadsheet's date for 21-28
        ("01-Oct", ("1", "10", "")),
        ("94 p", ("", "", "")),  # a page count, not a page
        ("No Pagination Specified", ("", "", "")),
    ],
)
def test_pages(raw: str, expected: tuple[str, str, str]) -> None:
    assert page_range(raw) == expected


def test_supplement_page_equals_plain_page_but_article_number_is_not_comparable() -> None:
    assert pages_relation(page_range("S123"), page_range("123")) == "same"
    assert pages_relation(page_range("c1804"), page_range("1014")) == "missing"
    assert pages_relation(page_range("569"), page_range("567-569")) == "missing"
    assert pages_relation(page_range("140-155"), page_range("156-170")) == "different"


@given(st.integers(100, 99999), st.integers(0, 99))
def test_abbreviated_end_pages_expand(first: int, offset: int) -> None:
    # "1049-58" means 1049-1058: the end page written with only its last two digits.
    last = first // 100 * 100 + max(first % 100, offset)
    assert page_range(f"{first}-{last % 100:02d}")[:2] == (str(first), str(last))
    assert page_range(f"{first}-{last}")[:2] == (str(first), str(last))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("35", "35"), ("35 (Supplement 1)", "35"), ("1)", ""), ("Suppl 2", ""), ("4 (1)", "4")],
)
def test_volume(raw: str, expected: str) -> None:
    assert volume_key(raw) == expected


def test_issue_and_supplement_numbers() -> None:
    assert issue_key("3") == "3"
    assert issue_key("4-5") == "4-5"
    assert issue_key("SUPPL. 1") == ""
    assert supplement_numbers("56", "SUPPL. 1") == frozenset({"1"})


# ---- authors --------------------------------------------------------------------------------


def test_author_forms_agree() -> None:
    forms = [
        ["Smith, John A.", "Jones, Mary"],
        ["Smith JA", "Jones M"],
        ["J. A. Smith", "M. Jones"],
        ["Smith J. A.Jones M."],  # glued by an EndNote export
        ["SMITH, J.", "JONES, M.", "et al."],
    ]
    lists = [parse_authors(f) for f in forms]
    for a in lists:
        for b in lists:
            assert compare_authors(a, b) == (True, 1.0)


def test_diacritics_particles_and_typos_agree() -> None:
    a = parse_authors(["Grundström, Karl", "van der Berg, Kees", "O'Neill, Hayley"])
    b = parse_authors(["Grundstrom, K.", "Berg, K.", "ONeill, H."])
    assert compare_authors(a, b) == (True, 1.0)


def test_different_people_disagree() -> None:
    a = parse_authors(["Hall, Laura", "Wang, Wei"])
    b = parse_authors(["Powell, Anne", "Li, Mei"])
    first, share = compare_authors(a, b)  # type: ignore[misc]
    assert not first and share == 0


def test_group_authors_and_placeholders_are_not_compared() -> None:
    assert parse_authors(["ALTS Group"]).families == ()
    assert parse_authors(["UNKNOWN"]).families == ()
    assert compare_authors(parse_authors(["ALTS Group"]), parse_authors(["Solomon, D"])) is None


@given(st.lists(st.sampled_from(["Smith, J", "Lee K", "B. Abrahao", "Öz, M"]), max_size=5))
def test_author_comparison_is_symmetric(names: list[str]) -> None:
    a = parse_authors(names)
    b = parse_authors(list(reversed(names)))
    assert compare_authors(a, b) == compare_authors(b, a)


# ---- journals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Curr Opin Lipidol", "Current Opinion in Lipidology"),
        ("The Lancet", "Lancet"),
        ("Diabetes & Metabolism", "Diabetes and metabolism"),
        ("Circ Res", "Circulation Research. Conference: Basic Cardiovascular Sciences 2011"),
        ("Amcis 2017 Proceedings", "Americas Conference on Information Systems"),
        ("CMAJ : Canadian Medical Association journal", "Canadian Medical Association Journal"),
        ("Xianggang yi xue za zhi [Hong Kong medical journal]", "Hong Kong Medical Journal"),
        ("Proc Natl Acad Sci U S A", "Proceedings of the National Academy of Sciences"),
    ],
)
def test_journal_name_variants_agree(a: str, b: str) -> None:
    assert venue_relation(journal_variants(a), journal_variants(b)) in ("same", "compatible")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Journal of Digital Studies", "Workshop of Digital Studies"),
        ("Diabetologia", "Diabetes"),
        ("Journal of Clinical Oncology", "Journal of Clinical Orthodontics"),
    ],
)
def test_different_journals_disagree(a: str, b: str) -> None:
    assert venue_relation(journal_variants(a), journal_variants(b)) == "different"


@given(st.sampled_from(["J Clin Oncol", "Lancet", "BMJ", "Prison J", ""]), st.text(max_size=30))
def test_journal_relation_is_symmetric(a: str, b: str) -> None:
    va, vb = journal_variants(a), journal_variants(b)
    assert venue_relation(va, vb) == venue_relation(vb, va)
