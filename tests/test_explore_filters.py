"""Filters over the studies table: what a reviewer's choices select, and the sidebar counts."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.explore.filters import FILTER_FACETS, Filters, apply, facet_counts, mask
from lib.explore.index import StudyIndex, fold, search_terms
from tests.factories import VOCABULARY, make_studies

TABLE = make_studies(200, seed=11)
INDEX = StudyIndex(TABLE)
DATABASES = ("EBSCOhost", "PubMed", "Scopus", "Web of Science", "Zotero")


def tiny() -> pd.DataFrame:
    """Five studies whose codes are easy to reason about."""
    table = make_studies(5, seed=1)
    table["population"] = [["women"], ["women", "staff"], ["staff"], [], ["young-people"]]
    table["method"] = ["rct", "qualitative", "qualitative", "survey", "rct"]
    table["databases"] = [["Scopus"], ["PubMed", "Scopus"], ["PubMed"], ["Scopus"], ["Zotero"]]
    table["year"] = pd.array([2001, 2010, None, 2015, 2020], dtype="Int64")
    table["checked"] = [True, False, True, False, False]
    table["title"] = [
        "Peer support among women in prison",
        "Listeners and self-harm",
        "The Samaritans Listener scheme",
        "Mentoring after release",
        "Young people as peer mentors",
    ]
    table["authors"] = ["Müller, A.", "Smith, J.", "Jones, K.", "Muller, B.", "Brown, C."]
    table["abstract"] = ["", "Peer listeners reduce self-harm.", "", "", "Peer-led mentoring."]
    return table


def ids(table: pd.DataFrame) -> list[int]:
    return [int(i) for i in table.index]


# -- the Filters value ---------------------------------------------------------------------
def test_filters_are_normalised_so_equal_choices_compare_equal() -> None:
    a = Filters(population=("staff ", "women", "women"), method="rct", query="  peer   support ")
    b = Filters(population=["women", "staff"], method=("rct",), query="peer support")
    assert a == b and hash(a) == hash(b)
    assert a.population == ("staff", "women")
    assert a.query == "peer support"


def test_year_range_given_backwards_is_turned_round() -> None:
    f = Filters(year_min=2020, year_max=2001)
    assert (f.year_min, f.year_max) == (2001, 2020)


@pytest.mark.parametrize("year", [-1, 10_000, "2015", 2015.0, True])
def test_a_year_that_is_not_a_year_is_refused(year: object) -> None:
    with pytest.raises(ValueError, match="year"):
        Filters(year_min=year)  # type: ignore[arg-type]


def test_without_clears_only_the_named_parts() -> None:
    f = Filters(population=("women",), method=("rct",), year_min=2000, query="x", checked_only=True)
    g = f.without("population", "year", "checked")
    assert g == Filters(method=("rct",), query="x")
    with pytest.raises(KeyError):
        f.without("nonsense")


def test_describe_says_the_filter_in_words() -> None:
    f = Filters(population=("women", "sexual-offences"), year_min=2010, year_max=2010, query="x")
    assert f.describe() == [
        ("Population", "Sexual offences, Women"),
        ("Year", "2010"),
        ("Search", "“x”"),
    ]


# -- what a filter selects ---------------------------------------------------------------------
def test_values_within_a_facet_are_alternatives() -> None:
    t = tiny()
    assert ids(apply(t, Filters(population=("women",)))) == [0, 1]
    assert ids(apply(t, Filters(population=("women", "staff")))) == [0, 1, 2]


def test_facets_year_databases_and_checked_must_all_hold() -> None:
    t = tiny()
    assert ids(apply(t, Filters(population=("staff",), method=("qualitative",)))) == [1, 2]
    assert ids(apply(t, Filters(method=("rct",), databases=("Scopus",)))) == [0]
    assert ids(apply(t, Filters(checked_only=True, population=("staff",)))) == [2]


def test_a_year_range_leaves_out_studies_without_a_year() -> None:
    t = tiny()
    assert ids(apply(t, Filters(year_min=2005))) == [1, 3, 4]
    assert ids(apply(t, Filters(year_max=2010))) == [0, 1]
    assert ids(apply(t, Filters())) == [0, 1, 2, 3, 4]


def test_search_needs_every_word_in_title_authors_or_abstract() -> None:
    t = tiny()
    assert ids(apply(t, Filters(query="peer"))) == [0, 1, 4]
    assert ids(apply(t, Filters(query="peer self-harm"))) == [1]
    assert ids(apply(t, Filters(query='"peer support"'))) == [0]
    assert ids(apply(t, Filters(query="LISTENER"))) == [1, 2]
    assert ids(apply(t, Filters(query="nothing-like-this"))) == []


def test_search_ignores_accents_both_ways() -> None:
    t = tiny()
    assert ids(apply(t, Filters(query="muller"))) == [0, 3]
    assert ids(apply(t, Filters(query="Müller"))) == [0, 3]


@pytest.mark.parametrize("query", ["(", "[a-z]+", "*", "\\", "a.b", "$^", '"', "\\x{41}", "?"])
def test_search_text_is_never_read_as_a_pattern(query: str) -> None:
    t = tiny()
    t.loc[2, "title"] = 'A title with ( [a-z]+ * \\ a.b $^ ? \\x{41} " in it'
    found = ids(apply(t, Filters(query=query)))
    assert (2 in found) == bool(search_terms(query))
    assert all(i == 2 for i in found)


_TEXT = st.text(alphabet="aeiouAEIOUéÉüÜñÑçÇ xyz()[]*+?.\\$^-'", max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=1, max_size=6), st.text(alphabet='aeiouéüñ ()*.\\"x-', max_size=12))
def test_search_finds_exactly_the_studies_a_plain_reading_would(
    titles: list[str], query: str
) -> None:
    table = make_studies(len(titles), seed=2)
    table["title"], table["authors"], table["abstract"] = titles, "", ""
    expected = [
        i for i, title in enumerate(titles) if all(t in fold(title) for t in search_terms(query))
    ]
    assert ids(apply(table, Filters(query=query))) == expected


def _brute(table: pd.DataFrame, f: Filters) -> list[int]:
    """The filter's meaning, one study at a time."""
    out = []
    for i, row in zip(table.index, table.to_dict("records"), strict=True):
        ok = True
        for facet in FILTER_FACETS:
            chosen = f.values(facet)
            if chosen:
                cell = row[facet]
                values = [cell] if isinstance(cell, str) else list(cell)
                ok &= bool(set(values) & set(chosen))
        year = None if pd.isna(row["year"]) else int(row["year"])
        if f.year_min is not None:
            ok &= year is not None and year >= f.year_min
        if f.year_max is not None:
            ok &= year is not None and year <= f.year_max
        if f.checked_only:
            ok &= bool(row["checked"])
        if ok:
            out.append(int(i))
    return out


def _filters() -> st.SearchStrategy[Filters]:
    facet_values = {f: st.lists(st.sampled_from(VOCABULARY[f]), max_size=3) for f in VOCABULARY}
    facet_values["databases"] = st.lists(st.sampled_from(DATABASES), max_size=2)
    years = st.one_of(st.none(), st.integers(1970, 2030))
    return st.builds(Filters, **facet_values, year_min=years, year_max=years,
                     checked_only=st.booleans())  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_filters())
def test_the_index_selects_what_the_filter_means(f: Filters) -> None:
    assert ids(apply(TABLE, f, INDEX)) == _brute(TABLE, f)


def test_apply_keeps_the_tables_order_and_labels() -> None:
    table = tiny().set_index(pd.Index([50, 40, 30, 20, 10]))
    assert list(apply(table, Filters(population=("staff",))).index) == [40, 30]


def test_a_value_not_in_the_table_matches_nothing() -> None:
    assert apply(tiny(), Filters(population=("martians",))).empty


def test_list_cells_in_odd_shapes_still_filter() -> None:
    table = tiny()
    table["population"] = [("women",), np.array(["women", "staff"]), "staff", None, float("nan")]
    assert ids(apply(table, Filters(population=("staff",)))) == [1, 2]
    assert ids(apply(table, Filters(population=("women",)))) == [0, 1]


def test_an_index_of_another_table_is_refused() -> None:
    with pytest.raises(ValueError, match="built for"):
        mask(tiny(), Filters(), INDEX)


# -- counts for the sidebar ----------------------------------------------------------------
def test_counts_list_every_value_in_codebook_order_even_at_zero() -> None:
    counts = facet_counts(tiny(), "population", Filters(method=("rct",)))
    assert list(counts["value"]) == ["women", "young-people", "staff"]
    assert list(counts["label"]) == ["Women", "Young people", "Staff"]
    assert list(counts["count"]) == [1, 1, 0]


def test_counts_ignore_the_facets_own_selection() -> None:
    """Each count says how many studies choosing that value would show."""
    t = tiny()
    f = Filters(population=("women",), databases=("Scopus",))
    counts = facet_counts(t, "population", f).set_index("value")["count"]
    for value, count in counts.items():
        assert count == len(apply(t, f.replace(population=(value,))))


def test_a_study_listing_a_value_twice_counts_once() -> None:
    t = tiny()
    t["population"] = [["women", "women"], ["women"], [], [], []]
    counts = facet_counts(t, "population").set_index("value")["count"]
    assert counts["women"] == 2


@settings(max_examples=20, deadline=None)
@given(_filters(), st.sampled_from([*VOCABULARY, "databases"]))
def test_counts_agree_with_filtering(f: Filters, facet: str) -> None:
    counts = facet_counts(TABLE, facet, f, index=INDEX)
    for value, count in zip(counts["value"], counts["count"], strict=True):
        assert count == len(_brute(TABLE, f.replace(**{facet: (value,)})))


def test_a_table_missing_optional_columns_still_filters() -> None:
    table = tiny().drop(columns=["country", "checked", "abstract"])
    index = StudyIndex(table).prepare()
    assert ids(apply(table, Filters(population=("staff",), query="listener"), index)) == [1, 2]
    assert ids(apply(table, Filters(checked_only=True), index)) == []
    with pytest.raises(KeyError, match="country"):
        apply(table, Filters(country=("Wales",)), index)


def test_widget_values_become_codes_whatever_label_the_browser_sent() -> None:
    from lib.explore.filters import as_codes, option_text

    codes = {"women", "staff", "Scopus (2)"}
    labels = {"women": "Women", "staff": "Staff", "Scopus (2)": "Scopus (2)"}
    sent = ["women", option_text("Women", 33), "Staff (1,204)", "Scopus (2) (15)", "Martians (3)"]
    assert as_codes(sent, codes, labels) == ["women", "staff", "Scopus (2)"]
    assert as_codes([None, 3, "Women (0)"], codes, labels) == ["women"]


def test_a_shared_table_has_one_index_for_everyone() -> None:
    shared, other = make_studies(30, seed=8), make_studies(30, seed=8)
    index = StudyIndex(shared).share()
    index.facet("method")
    assert StudyIndex(shared) is index and "method" in StudyIndex(shared)._facets
    assert StudyIndex(other) is not index  # an equal table that is not shared: its own
    del shared
    gc.collect()
    assert StudyIndex(make_studies(30, seed=8)) is not index
