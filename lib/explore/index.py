"""Lookup arrays over a studies table, built once per table so filters and counts are fast.

A filter change on a 50k-study project must answer in well under 300 ms, and the table's
multi-valued facets are Python lists, which pandas can only test row by row. So each facet
is exploded once into two integer arrays, ``rows`` (the study's position) and ``codes``
(the value's position in ``categories``); "any selected value" is then `numpy.isin` on
``codes``, and counts are one `numpy.bincount`. The free-text haystack (title, authors and
abstract, lower-cased) is built once with pyarrow's vectorised string
kernels. Everything is built lazily: a page that never searches never builds the haystack.

An index belongs to one table (positions, not labels): build a new one when the table
changes (the pages key it by the project's version). A table the app shares read-only
(`lib.views.study_cache`) is `share`d with its index: every ``StudyIndex(table)`` of that
very table object then gets the same index, so charts and counts called without one (the
Overview's) reuse what is built instead of exploding 50k studies again on every rerun.

An index can also stand for a *part* of its table (`StudyIndex.within`): the studies in a
screening scope, say. Every filter, count and chart then starts from that part
(`lib.explore.filters.mask` starts from ``base``), while the exploded facets, text masks
and positions stay those of the whole table, shared: changing the scope costs one boolean
array, not a new table or index.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.explore.labels import order_values
from lib.views.studies import FACETS

__all__ = [
    "FILTER_FACETS",
    "FacetValues",
    "StudyIndex",
    "fold",
    "search_terms",
    "term_pattern",
]

# The list-like fields a filter can select values of: the coded facets and the databases.
FILTER_FACETS: tuple[str, ...] = (*FACETS, "databases")
_TEXT_COLUMNS = ("title", "authors", "abstract")
_COMBINING = re.compile("[\u0300-\u036f]")
_TERM = re.compile(r'"([^"]*)"|(\S+)')
_TEXT_CACHE_SIZE = 32
_MASK_CACHE_SIZE = 128


def fold(text: str) -> str:
    """Lower case without accents: the form query terms are compared in."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()


def _accent_classes() -> dict[str, str]:
    """For each base letter, every lower-case accented Latin letter that folds to it."""
    variants: dict[str, set[str]] = {}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(cp).lower()
        base = fold(char)
        if len(base) == 1 and base.isascii() and base.isalpha() and base != char:
            variants.setdefault(base, {base}).add(char)
    return {b: "[" + "".join(sorted(v)) + "]" for b, v in variants.items()}


_ACCENTS = _accent_classes()


def term_pattern(term: str) -> str:
    """A folded term as an RE2 pattern matching it with or without accents.

    Folding the haystack itself (Unicode NFKD over every abstract) costs seconds on a
    50k-study table; matching accent classes in the lower-cased text costs tens of
    milliseconds per term. Every other character is matched literally (``\\x{..}``).
    """
    out = []
    for char in term:
        if char in _ACCENTS:
            out.append(_ACCENTS[char])
        elif char.isascii() and char.isalnum():
            out.append(char)
        else:
            out.append(f"\\x{{{ord(char):X}}}")
    return "".join(out)


def search_terms(query: str) -> list[str]:
    """The folded terms of a query: words, or "quoted phrases" kept whole."""
    terms = []
    for phrase, word in _TERM.findall(query or ""):
        term = fold((phrase or word).strip())
        if term:
            terms.append(term)
    return terms


@dataclass(frozen=True, slots=True)
class FacetValues:
    """One facet exploded: study ``rows[i]`` has value ``categories[codes[i]]``.

    Each (row, value) pair appears once, sorted by row; ``categories`` are in display
    order (codebook order, then alphabetical; years ascending); ``by_code[c]`` holds the
    rows with value ``c``, so selecting values touches only their studies.
    """

    rows: np.ndarray
    codes: np.ndarray
    categories: tuple[str, ...]
    by_code: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, rows: np.ndarray, codes: np.ndarray, categories: tuple[str, ...]) -> FacetValues:
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(categories) + 1))
        by_code = tuple(rows[order[bounds[i] : bounds[i + 1]]] for i in range(len(categories)))
        return cls(rows=rows, codes=codes, categories=categories, by_code=by_code)

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Studies per category, among the studies where ``mask`` is true."""
        codes = self.codes if mask is None else self.codes[mask[self.rows]]
        return np.bincount(codes, minlength=len(self.categories))

    def mask(self, values: Iterable[str], n: int) -> np.ndarray:
        """Studies holding any of ``values`` (values not in the table match nothing)."""
        position = {c: i for i, c in enumerate(self.categories)}
        out = np.zeros(n, dtype=bool)
        for value in values:
            if value in position:
                out[self.by_code[position[value]]] = True
        return out


def _as_list(value: object) -> list[str]:
    """A cell of a list column as a list of strings, whatever shape it came in."""
    if value is None or value is pd.NA:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, float) and value != value:  # NaN
        return []
    try:
        return [str(v) for v in value if v is not None]  # type: ignore[union-attr]
    except TypeError:
        return [str(value)]


def _whole(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous Arrow array (a column patched in place is chained from pieces)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _explode(column: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """``(rows, values)`` for a column of lists (or of single strings), values as arrow."""
    if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        values = _whole(pa.array(column, from_pandas=True))
        return np.arange(len(column), dtype=np.int64), values
    cells = column.to_numpy(dtype=object)
    array = None
    if all(type(v) is list for v in cells):  # the usual shape: lists (of strings, we hope)
        try:
            array = pa.array(cells, type=pa.list_(pa.string()), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            array = None
    if array is None:  # anything else (arrow would read a bare string as its letters)
        array = pa.array([_as_list(v) for v in cells], type=pa.list_(pa.string()))
    rows = pc.list_parent_indices(array).to_numpy(zero_copy_only=False).astype(np.int64)
    return rows, pc.list_flatten(array)


# id(table) -> (the table, weakly; its shared index), for tables the app shares read-only
_SHARED: dict[int, tuple[weakref.ref[pd.DataFrame], StudyIndex]] = {}
_SHARING = threading.Lock()


class StudyIndex:
    """Lookup arrays over one studies table (see the module docstring)."""

    def __new__(cls, studies: pd.DataFrame) -> StudyIndex:
        found = _SHARED.get(id(studies))
        if found is not None and found[0]() is studies:
            return found[1]
        return super().__new__(cls)

    def __init__(self, studies: pd.DataFrame) -> None:
        if getattr(self, "studies", None) is studies:  # the shared index of this table
            return
        self.studies = studies
        self.n = len(studies)
        self._facets: dict[str, FacetValues] = {}
        self._years: np.ndarray | None = None
        self._haystack: pa.Array | None = None
        self._text_masks: OrderedDict[str, np.ndarray] = OrderedDict()
        self._value_masks: OrderedDict[tuple[str, tuple[str, ...]], np.ndarray] = OrderedDict()
        self.base: np.ndarray | None = None  # the rows this index stands for (None: all)
        self._root: StudyIndex = self  # the index of the whole table, which builds for all

    def within(self, rows: np.ndarray | None) -> StudyIndex:
        """This index restricted to ``rows`` (a boolean array over the table; None: every
        row). The restricted index shares everything built, and builds into the whole
        table's index: it costs nothing to make one per scope per rerun."""
        root = self._root
        if rows is None:
            return root
        base = np.asarray(rows, dtype=bool)
        if base.shape != (root.n,):
            raise ValueError(f"a scope over {root.n} studies needs as many flags, not {base.shape}")
        base = base.copy()
        base.flags.writeable = False
        view = object.__new__(StudyIndex)
        view.__dict__.update(root.__dict__)
        view.base = base
        view._root = root
        return view

    def share(self) -> StudyIndex:
        """Make this the index of its table for everyone (the table must stay unchanged:
        the app's shared, read-only studies table); returns it."""
        table = self.studies
        key = id(table)
        with _SHARING:
            for stale in [k for k, (ref, _) in _SHARED.items() if ref() is None]:
                del _SHARED[stale]
            forget = _SHARED.pop
            _SHARED[key] = (weakref.ref(table, lambda _, k=key: forget(k, None)), self)
        return self

    def prepare(self, *, text: bool = True) -> StudyIndex:
        """Build everything now (every facet, and the search haystack unless ``text`` is
        false), so that the first filter change or search does not pay for it."""
        for name in (*FILTER_FACETS, "year"):
            if name == "year" or name in self.studies:
                self.facet(name)
        if self._root is not self:
            self._root.prepare(text=text)
            return self
        if text and self._haystack is None:
            self._haystack = self._build_haystack()
        return self

    def check(self, studies: pd.DataFrame) -> None:
        """Raise `ValueError` when this index was built for a table of another length."""
        if len(studies) != self.n:
            raise ValueError(
                f"the study index was built for {self.n} studies, the table has {len(studies)}"
            )

    # -- facets ------------------------------------------------------------------------
    def facet(self, name: str) -> FacetValues:
        """The exploded facet (``year`` works too: its categories are the years as text)."""
        found = self._facets.get(name)
        if found is None:
            found = self._build_facet(name)
            self._facets[name] = found
        return found

    def _build_facet(self, name: str) -> FacetValues:
        if name == "year":
            years = self.years
            rows = np.flatnonzero(~np.isnan(years))
            values = pa.array(years[rows].astype(np.int64)).cast(pa.string())
        elif name in self.studies.columns:
            rows, values = _explode(self.studies[name])
        else:
            raise KeyError(f"the studies table has no column {name!r}")
        values = pc.utf8_trim_whitespace(values.cast(pa.string()))
        keep = pc.fill_null(pc.not_equal(values, ""), False).to_numpy(zero_copy_only=False)
        rows = rows[keep]
        encoded = pc.dictionary_encode(values.filter(pa.array(keep)))
        found = encoded.dictionary.to_pylist()
        categories = tuple(order_values(name, found))
        position = {c: i for i, c in enumerate(categories)}
        remap = np.asarray([position[v] for v in found], dtype=np.int64)
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        codes = remap[indices] if len(indices) else np.zeros(0, dtype=np.int64)
        if len(rows):  # a value listed twice for one study counts once
            width = max(len(categories), 1)
            pairs = np.unique(rows * width + codes)
            rows, codes = pairs // width, pairs % width
        return FacetValues.of(rows, codes, categories)

    def value_mask(self, name: str, values: tuple[str, ...]) -> np.ndarray:
        """Studies holding any of ``values`` in facet ``name`` (cached, read-only): one
        rerun asks for the same selection many times (the table, each count, each chart)."""
        key = (name, values)
        found = self._value_masks.get(key)
        if found is None:
            found = self.facet(name).mask(values, self.n)
            found.flags.writeable = False
            self._value_masks[key] = found
            if len(self._value_masks) > _MASK_CACHE_SIZE:
                self._value_masks.popitem(last=False)
        else:
            self._value_masks.move_to_end(key)
        return found

    def present(self, name: str) -> np.ndarray:
        """Studies holding at least one value of the facet."""
        out = np.zeros(self.n, dtype=bool)
        out[self.facet(name).rows] = True
        return out

    def known(self) -> dict[str, set[str]]:
        """Every value each filter facet holds in this table (for `urlstate.from_query`)."""
        return {f: set(self.facet(f).categories) for f in FILTER_FACETS if f in self.studies}

    # -- plain columns -----------------------------------------------------------------
    @property
    def years(self) -> np.ndarray:
        """Years as floats, NaN where missing."""
        if self._root is not self:
            return self._root.years
        if self._years is None:
            if "year" in self.studies:
                col = pd.to_numeric(self.studies["year"], errors="coerce")
                self._years = col.to_numpy(dtype=float, na_value=np.nan)
            else:
                self._years = np.full(self.n, np.nan)
        return self._years

    def year_range(self) -> tuple[int, int] | None:
        """The first and last year in the table, or ``None`` when no study has a year."""
        years = self.years[~np.isnan(self.years)]
        if not len(years):
            return None
        return int(years.min()), int(years.max())

    def checked(self) -> np.ndarray:
        if "checked" not in self.studies:
            return np.zeros(self.n, dtype=bool)
        return self.studies["checked"].fillna(False).to_numpy(dtype=bool)

    # -- text ----------------------------------------------------------------------------
    def _build_haystack(self) -> pa.Array:
        parts = []
        for column in _TEXT_COLUMNS:
            if column in self.studies:
                values = _whole(pa.array(self.studies[column].astype("str"), from_pandas=True))
                values = pc.fill_null(values.cast(pa.large_string()), "")
            else:
                values = pa.array([""] * self.n, type=pa.large_string())
            parts.append(values)
        joined = pc.binary_join_element_wise(*parts, pa.scalar(" \n ", pa.large_string()))
        return pc.utf8_lower(joined)

    def term_mask(self, term: str) -> np.ndarray:
        """Studies whose title, authors or abstract contain one folded term (cached per
        term, so "peer" then "peer mentoring" scans the text for "mentoring" only)."""
        if self._root is not self:
            return self._root.term_mask(term)
        cached = self._text_masks.get(term)
        if cached is not None:
            self._text_masks.move_to_end(term)
            return cached
        if self._haystack is None:
            self._haystack = self._build_haystack()
        hit = pc.match_substring_regex(self._haystack, term_pattern(term))
        found = pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool)
        found.flags.writeable = False
        self._text_masks[term] = found
        if len(self._text_masks) > _TEXT_CACHE_SIZE:
            self._text_masks.popitem(last=False)
        return found

    def text_mask(self, query: str) -> np.ndarray:
        """Studies whose title, authors or abstract contain every term of ``query``."""
        out = np.ones(self.n, dtype=bool)
        for term in dict.fromkeys(search_terms(query)):
            out &= self.term_mask(term)
        return out
