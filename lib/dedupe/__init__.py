"""Deduplication: groups of records that are one publication, never silent deletions.

``deduplicate(records, decisions) -> DedupeResult`` is the whole engine (`engine`); the
other modules hold its steps: `normalize` (per-field values, with `text`, `titles`,
`authors`, `journals`, `locators`), `blocking` (candidate pairs), `compare` and `rules`
(evidence and decision per pair), `constraints` (a person's decisions), `cluster`
(groups checked as groups), `merge` (one study record per group), `model` and `result`
(what goes in and out). `lib.project.duplicates` stores results and decisions in a
project file.
"""

from lib.dedupe.engine import DedupeResult, deduplicate
from lib.dedupe.model import DECISION_KINDS, Decision, Link, Pair, PairTable, Study

__all__ = [
    "DECISION_KINDS",
    "Decision",
    "DedupeResult",
    "Link",
    "Pair",
    "PairTable",
    "Study",
    "deduplicate",
]
