"""Filters in the page's URL (``st.query_params``), so a view can be shared and reloaded.

The URL says only what differs from "no filter", one readable key per part:

    ?population=women&population=staff&method=rct&from=2010&to=2020&q=listener&checked=1

- a facet's values are its key repeated (``population``, ``peer_role``, ...; databases
  under ``db``): a country or database name may hold any character, commas included;
- ``from``/``to`` the year range, ``q`` the search, ``checked=1`` checked studies only.

`from_query` reads what a browser sends, which may be anything: a hand-edited or stale
link, an old bookmark. Keys it does not know (another page's ``study=...``) are left
alone, values it cannot read are ignored, and with ``known`` values absent from the
project are dropped, so a link never raises and never shows an empty page for a code
that no longer exists.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from lib.explore.filters import FILTER_FACETS, Filters

__all__ = ["FILTER_KEYS", "as_lists", "from_query", "has_filters", "to_query"]

_FACET_KEYS: dict[str, str] = {
    facet: ("db" if facet == "databases" else facet) for facet in FILTER_FACETS
}
# Every key `to_query` writes: a page clears exactly these when the filter is reset.
FILTER_KEYS: tuple[str, ...] = (*_FACET_KEYS.values(), "from", "to", "q", "checked")
_YEAR = re.compile(r"\s*(\d{1,4})\s*")
_TRUE = frozenset({"1", "true", "yes", "on"})


def to_query(filters: Filters) -> dict[str, str | list[str]]:
    """The filter as query parameters (lists for repeated keys); ``{}`` for no filter."""
    out: dict[str, str | list[str]] = {}
    for facet, key in _FACET_KEYS.items():
        values = filters.values(facet)
        if values:
            out[key] = list(values)
    if filters.year_min is not None:
        out["from"] = str(filters.year_min)
    if filters.year_max is not None:
        out["to"] = str(filters.year_max)
    if filters.query:
        out["q"] = filters.query
    if filters.checked_only:
        out["checked"] = "1"
    return out


def _strings(value: object) -> list[str]:
    """A parameter's values: one string, or the strings in a list (anything else: none)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _year(value: object) -> int | None:
    for text in _strings(value)[:1]:
        match = _YEAR.fullmatch(text)
        if match:
            return int(match.group(1))
    return None


def from_query(
    params: Mapping[str, object], known: Mapping[str, Collection[str]] | None = None
) -> Filters:
    """The filter a URL's parameters describe; never raises (see the module docstring).

    ``params`` maps a key to one string or a list of strings (read repeated keys with
    ``st.query_params.get_all``). ``known`` maps a facet to the values it holds in the
    project; values outside it are dropped. Facets missing from ``known`` keep any value.
    """
    if not isinstance(params, Mapping):
        return Filters()
    items = dict(params)
    changes: dict[str, object] = {}
    for facet, key in _FACET_KEYS.items():
        values = [v.strip() for v in _strings(items.get(key)) if v.strip()]
        if known is not None and facet in known:
            allowed = known[facet]
            values = [v for v in values if v in allowed]
        if values:
            changes[facet] = values
    changes["year_min"] = _year(items.get("from"))
    changes["year_max"] = _year(items.get("to"))
    query = _strings(items.get("q"))
    changes["query"] = query[0] if query else ""
    checked = _strings(items.get("checked"))
    changes["checked_only"] = bool(checked) and checked[0].strip().lower() in _TRUE
    return Filters(**changes)  # type: ignore[arg-type]


def has_filters(params: Mapping[str, object]) -> bool:
    """True when any filter key is in ``params`` (to tell "no filter" from "not given")."""
    return isinstance(params, Mapping) and any(key in params for key in FILTER_KEYS)


def as_lists(query: Mapping[str, str | list[str]]) -> dict[str, list[str]]:
    """A query with every value a list: the shape ``st.query_params.get_all`` reads back,
    so a page can tell whether the URL already says what it would write."""
    return {key: value if isinstance(value, list) else [value] for key, value in query.items()}
