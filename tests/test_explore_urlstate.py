"""The filter in the URL: a shared or reloaded link shows the same studies; junk never breaks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.explore.filters import FILTER_FACETS, Filters
from lib.explore.urlstate import FILTER_KEYS, from_query, has_filters, to_query

_VALUE = st.text(min_size=1, max_size=25)  # any text: commas, &, =, #, quotes, accents
_FILTERS = st.builds(
    Filters,
    **{facet: st.lists(_VALUE, max_size=4) for facet in FILTER_FACETS},
    year_min=st.one_of(st.none(), st.integers(0, 9999)),
    year_max=st.one_of(st.none(), st.integers(0, 9999)),
    query=st.text(max_size=40),
    checked_only=st.booleans(),
)


@settings(max_examples=300)
@given(_FILTERS)
def test_a_filter_survives_the_round_trip(f: Filters) -> None:
    assert from_query(to_query(f)) == f


@settings(max_examples=200)
@given(_FILTERS)
def test_a_filter_survives_a_real_url(f: Filters) -> None:
    """Through the query string a browser sends (repeated keys, percent-encoding)."""
    url = urlencode(to_query(f), doseq=True)
    assert from_query(parse_qs(url, keep_blank_values=True)) == f


def test_the_url_is_readable_and_says_only_what_filters() -> None:
    f = Filters(population=("women", "staff"), databases=("Web of Science",), year_min=2010,
                query="listener", checked_only=True)  # fmt: skip
    assert to_query(f) == {
        "population": ["staff", "women"],
        "db": ["Web of Science"],
        "from": "2010",
        "q": "listener",
        "checked": "1",
    }
    assert to_query(Filters()) == {}
    assert set(to_query(f)) <= set(FILTER_KEYS)


def test_values_unknown_to_the_project_are_dropped() -> None:
    known = {"population": {"women", "staff"}}
    f = from_query({"population": ["women", "martians", ""], "method": ["rct"]}, known)
    assert f.population == ("women",)
    assert f.method == ("rct",)  # a facet missing from known keeps what it is given


def test_keys_of_other_pages_and_junk_values_are_ignored() -> None:
    f = from_query(
        {
            "study": "pm-1",
            "x": "method",
            "population": ["women", 3, None, ["nested"]],
            "from": "20x0",
            "to": ["2020", "1990"],
            "checked": "maybe",
            "q": ["first", "second"],
        }
    )
    assert f == Filters(population=("women",), year_max=2020, query="first")


def test_years_are_read_leniently_but_only_as_years() -> None:
    assert from_query({"from": " 1999 "}).year_min == 1999
    for junk in ("-5", "12345", "1e3", "", "²⁰²⁰", "nan"):
        assert from_query({"from": junk}).year_min is None


@settings(max_examples=300)
@given(
    st.one_of(
        st.dictionaries(
            st.one_of(st.sampled_from([*FILTER_KEYS, "study"]), st.text(max_size=8)),
            st.recursive(
                st.one_of(
                    st.none(),
                    st.text(max_size=12),
                    st.integers(),
                    st.floats(),
                    st.booleans(),
                    st.binary(max_size=4),
                ),
                lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
                max_leaves=6,
            ),
            max_size=8,
        ),
        st.lists(st.tuples(st.text(max_size=5), st.text(max_size=5)), max_size=3),
    )
)
def test_junk_params_never_raise(params: object) -> None:
    f = from_query(params)  # type: ignore[arg-type]
    assert isinstance(f, Filters)
    assert from_query(to_query(f)) == f
    assert isinstance(has_filters(params), bool)  # type: ignore[arg-type]


def test_not_a_mapping_at_all_gives_no_filter() -> None:
    for junk in (None, 3, "population=women", [1, 2]):
        assert from_query(junk) == Filters()  # type: ignore[arg-type]
        assert has_filters(junk) is False  # type: ignore[arg-type]


def test_has_filters_tells_no_filter_from_not_given() -> None:
    assert has_filters({"population": ["women"]})
    assert has_filters({"checked": "1"})
    assert not has_filters({"study": "pm-1", "x": "method"})
