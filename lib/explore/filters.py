"""What the reviewer filtered: a `Filters` value, and the studies and counts it selects.

Semantics (the sidebar says the same in words):

- within one facet, selected values are alternatives: population "women" and "staff"
  selects studies coded with either (a study's list needs to hold any of them);
- across facets, year range, databases, search and "checked only", every condition holds;
- a year range leaves out studies without a year;
- the search matches every word (or "quoted phrase") in title, authors or abstract,
  ignoring case and accents.

`Filters` is frozen and normalised when made (values stripped, de-duplicated, sorted), so
two filters that select the same thing compare equal, hash equal (a cache key) and give
the same URL.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from lib.explore.index import FILTER_FACETS, StudyIndex
from lib.explore.labels import code_label, facet_label, order_values

__all__ = ["FILTER_FACETS", "Filters", "apply", "as_codes", "facet_counts", "mask", "option_text"]


def _values(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    try:
        items = list(value)  # type: ignore[call-overload]
    except TypeError:
        return ()
    return tuple(sorted({v.strip() for v in items if isinstance(v, str) and v.strip()}))


def _year(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, bool) and isinstance(value, int | np.integer) and 0 <= value <= 9999:
        return int(value)
    raise ValueError(f"a year must be an integer from 0 to 9999 or None, not {value!r}")


@dataclass(frozen=True, slots=True)
class Filters:
    """A filter over the studies table (see the module docstring for what each part does)."""

    method: tuple[str, ...] = ()
    population: tuple[str, ...] = ()
    perspective: tuple[str, ...] = ()
    direction: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    setting: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    peer_role: tuple[str, ...] = ()
    databases: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    query: str = ""
    checked_only: bool = False

    def __post_init__(self) -> None:
        for name in FILTER_FACETS:
            object.__setattr__(self, name, _values(getattr(self, name)))
        lo, hi = _year(self.year_min), _year(self.year_max)
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        object.__setattr__(self, "year_min", lo)
        object.__setattr__(self, "year_max", hi)
        query = self.query if isinstance(self.query, str) else ""
        object.__setattr__(self, "query", " ".join(query.split()))
        object.__setattr__(self, "checked_only", bool(self.checked_only))

    # -- reading -------------------------------------------------------------------------
    def values(self, facet: str) -> tuple[str, ...]:
        """The selected values of one facet (or of ``databases``)."""
        if facet not in FILTER_FACETS:
            raise KeyError(f"not a filter facet: {facet!r}")
        return getattr(self, facet)

    def is_empty(self) -> bool:
        return self == Filters()

    def active(self) -> list[str]:
        """Names of the parts that filter: facets, ``year``, ``query``, ``checked``."""
        out = [f for f in FILTER_FACETS if getattr(self, f)]
        if self.year_min is not None or self.year_max is not None:
            out.append("year")
        if self.query:
            out.append("query")
        if self.checked_only:
            out.append("checked")
        return out

    def describe(self) -> list[tuple[str, str]]:
        """``[(label, values)]`` in words, e.g. ``("Population", "Women, Staff")``.

        The values may hold record text (country and database names): show them as text.
        """
        out = []
        for facet in FILTER_FACETS:
            values = getattr(self, facet)
            if values:
                labels = ", ".join(code_label(facet, v) for v in order_values(facet, values))
                out.append((facet_label(facet), labels))
        if self.year_min is not None or self.year_max is not None:
            lo = "" if self.year_min is None else str(self.year_min)
            hi = "" if self.year_max is None else str(self.year_max)
            out.append(("Year", lo if lo == hi else f"{lo}–{hi}"))
        if self.query:
            out.append(("Search", f"“{self.query}”"))
        if self.checked_only:
            out.append(("Checked", "checked studies only"))
        return out

    # -- changing ------------------------------------------------------------------------
    def replace(self, **changes: Any) -> Filters:
        """A copy with some parts changed (normalised like any new `Filters`)."""
        return replace(self, **changes)

    def without(self, *parts: str) -> Filters:
        """A copy with the named parts cleared (facet names, ``year``, ``query``, ``checked``)."""
        changes: dict[str, Any] = {}
        for part in parts:
            if part in FILTER_FACETS:
                changes[part] = ()
            elif part == "year":
                changes.update(year_min=None, year_max=None)
            elif part == "query":
                changes["query"] = ""
            elif part == "checked":
                changes["checked_only"] = False
            else:
                raise KeyError(f"not a filter part: {part!r}")
        return replace(self, **changes)


FILTER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Filters))
assert set(FILTER_FACETS) <= set(FILTER_FIELDS), "Filters lacks a facet of lib.views.studies"


def _index(studies: pd.DataFrame, index: StudyIndex | None) -> StudyIndex:
    if index is None:
        return StudyIndex(studies)
    index.check(studies)
    return index


def mask(studies: pd.DataFrame, filters: Filters, index: StudyIndex | None = None) -> np.ndarray:
    """A boolean array: which rows of ``studies`` the filter selects.

    Pass the table's `StudyIndex` when filtering the same table repeatedly (the pages do);
    without one, a throwaway index is built. An index restricted to a scope
    (`StudyIndex.within`) selects within it only.
    """
    index = _index(studies, index)
    out = np.ones(index.n, dtype=bool) if index.base is None else index.base.copy()
    for facet in FILTER_FACETS:
        selected = getattr(filters, facet)
        if selected:
            if facet not in studies:
                raise KeyError(f"the studies table has no column {facet!r}")
            out &= index.value_mask(facet, selected)
    if filters.year_min is not None or filters.year_max is not None:
        years = index.years
        with np.errstate(invalid="ignore"):
            if filters.year_min is not None:
                out &= years >= filters.year_min
            if filters.year_max is not None:
                out &= years <= filters.year_max
    if filters.checked_only:
        out &= index.checked()
    if filters.query and out.any():
        out &= index.text_mask(filters.query)
    return out


def apply(studies: pd.DataFrame, filters: Filters, index: StudyIndex | None = None) -> pd.DataFrame:
    """The studies the filter selects, in the table's order (its index labels kept)."""
    return studies.iloc[np.flatnonzero(mask(studies, filters, index))]


def facet_counts(
    studies: pd.DataFrame,
    facet: str,
    filters: Filters | None = None,
    *,
    index: StudyIndex | None = None,
) -> pd.DataFrame:
    """Studies per value of ``facet``: columns ``value``, ``label``, ``count``.

    With ``filters``, counts are among the studies matching every *other* part of the
    filter (the facet's own selection is ignored), so each count says how many studies
    choosing that value would show. Every value in the table is listed, in display order,
    zero counts included, so a sidebar's options do not move as filters change. ``facet``
    may also be ``databases`` or ``year``.
    """
    index = _index(studies, index)
    values = index.facet(facet)
    if filters is None:
        counts = values.count(index.base)
    else:
        own = facet if facet in FILTER_FACETS or facet == "year" else None
        rest = filters.without(own) if own else filters
        counts = values.count(mask(studies, rest, index))
    return pd.DataFrame(
        {
            "value": list(values.categories),
            "label": [code_label(facet, v) for v in values.categories],
            "count": counts.astype(np.int64),
        }
    )


# -- a facet's options in a widget -----------------------------------------------------------
def option_text(label: str, count: int) -> str:
    """What a sidebar option shows: its label and how many studies choosing it shows."""
    return f"{label} ({count:,})"


_COUNTED = re.compile(r"^(.*) \(\d[\d,]*\)$")


def as_codes(
    values: Iterable[object], codes: Collection[str], labels: Mapping[str, str]
) -> list[str]:
    """A facet widget's values as codes: the value a filter holds is always a code.

    A browser sends back the text an option showed ("Women (33)"), and keeps sending it
    after the count in it changed; Streamlit then hands the page that text instead of the
    code. Such a value is read back through its label (``labels``: code -> label); a value
    that is neither a code nor an option's text is dropped.
    """
    by_label = {label: code for code, label in labels.items()}
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        text = value
        while text not in codes:
            if text in by_label:
                text = by_label[text]
                break
            counted = _COUNTED.match(text)
            if not counted:
                break
            text = counted.group(1)
        if text in codes and text not in out:
            out.append(text)
    return out
