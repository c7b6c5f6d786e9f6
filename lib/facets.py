"""The facets every codebook defines, and their column names: a contract shared by the
coder, the exports and the readers that take exports back.

It lives apart from `lib.coding.codebook` so that reading an export (`lib.exchange`)
does not import the coder, its YAML loader and its compiled patterns: the command line's
`ingest` and `dedupe` start 0.1 s sooner.
"""

from __future__ import annotations

__all__ = ["FACETS", "facet_column"]

# In output order (a contract: the CSV columns follow it).
FACETS: tuple[str, ...] = (
    "method",
    "population",
    "perspective",
    "direction",
    "themes",
    "setting",
    "country",
    "peer-role",
)


def facet_column(facet: str) -> str:
    """The facet's column name in tables and CSV files (``peer-role`` -> ``peer_role``)."""
    return facet.replace("-", "_")
