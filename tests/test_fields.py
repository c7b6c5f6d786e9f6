"""Field cleaners: what every reader relies on to fill the record model the same way."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lib.fields import (
    clean_doi,
    clean_pages,
    clean_text,
    format_author,
    parse_year,
    split_authors,
)


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("https://doi.org/10.1080/ABC.2018.1.", "10.1080/abc.2018.1"),
        ("http://dx.doi.org/10.4236/ojf.2020.101008", "10.4236/ojf.2020.101008"),
        ("DOI: 10.1177/0032885516000001", "10.1177/0032885516000001"),
        ("doi:10.1000/x;", "10.1000/x"),
        ("https://doi.org/10.1177%2F107834580301000203", "10.1177/107834580301000203"),
        ("10.1002/(SICI)1097-0258(19980815)17:15<1661::AID-SIM968>3.0.CO;2-2",
         "10.1002/(sici)1097-0258(19980815)17:15<1661::aid-sim968>3.0.co;2-2"),
        ("not a doi", ""),
        ("", ""),
        (None, ""),
    ],
)  # fmt: skip
def test_clean_doi(raw: str, doi: str) -> None:
    assert clean_doi(raw) == doi


@given(st.text())
def test_clean_doi_is_idempotent_and_lower_case(text: str) -> None:
    once = clean_doi(text)
    assert clean_doi(once) == once
    assert once == once.lower()
    assert not once.startswith(("http", "doi"))


@given(st.text())
def test_clean_text_is_idempotent_and_trimmed(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text(alphabet=st.sampled_from("ab. \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")))
def test_clean_text_folds_every_kind_of_ascii_white_space(text: str) -> None:
    # the fast path (no folding needed) must never keep what str.split would fold
    assert clean_text(text) == " ".join(text.split())
    assert clean_text(text * 50) == " ".join((text * 50).split())  # long text: the fast path


def test_clean_text_decodes_markup_and_folds_spaces() -> None:
    assert (
        clean_text("<i>E. coli</i>&amp;\u00a0friends\n  in  prison") == "E. coli& friends in prison"
    )
    assert clean_text("Caf\u0065\u0301") == "Café"  # NFC
    assert clean_text("<Go to ISI>://WOS:0001 and <jats:p>x</jats:p>") == (
        "<Go to ISI>://WOS:0001 and x"
    )


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        ("2016/09//", 2016),
        ("Apr 1999", 1999),
        ("c2003", 2003),
        ("20170422", 2017),
        ("201704", 2017),
        ("12345", None),
        ("", None),
    ],
)
def test_parse_year(raw: str, year: int | None) -> None:
    assert parse_year(raw) == year


@given(st.text())
def test_parse_year_is_plausible_or_none(text: str) -> None:
    year = parse_year(text)
    assert year is None or 1500 <= year <= 2100


@pytest.mark.parametrize(
    ("raw", "pages"), [("1049–58", "1049-58"), (" 225 - 238 ", "225-238"), ("e1234", "e1234")]
)
def test_clean_pages(raw: str, pages: str) -> None:
    assert clean_pages(raw) == pages


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Smith, John A.", "Smith, John A."),
        ("Smith JA", "Smith, JA"),
        ("John A. Smith", "Smith, John A."),
        ("van der Berg K", "van der Berg, K"),
        ("Ludwig van Beethoven", "van Beethoven, Ludwig"),
        ("{World Health Organization}", "World Health Organization"),
        ("Prison Reform Trust", "Prison Reform Trust"),
        ("熊 玮", "熊, 玮"),
        ("Liu R.", "Liu, R."),
    ],
)
def test_format_author(raw: str, name: str) -> None:
    assert format_author(raw) == name


@given(st.text())
@example("0;\r0")  # was "0, 0;" then "0, 0"
@example("0; 0")
def test_format_author_never_fails_and_is_stable(text: str) -> None:
    once = format_author(text)
    assert isinstance(once, str)
    assert format_author(once) == once or "," not in once


def test_split_authors_on_semicolons_and_and() -> None:
    assert split_authors("Smith, J; Doe, A and Roe, B") == ["Smith, J", "Doe, A", "Roe, B"]


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_iter_lines_matches_split_whatever_the_chunk(text: str, chunk: int) -> None:
    from lib.readers.base import iter_lines

    expected = text.split("\n") if text else []
    if text.endswith("\n"):
        expected = expected[:-1]  # the line break ends the last line
    assert list(iter_lines(text, chunk)) == expected
