"""The reviewer's include and exclude terms: saved in the project, found in record text.

Terms are words or phrases ("peer support", "listener*"); a trailing ``*`` stands for any
word ending ("prison*" finds prison, prisons, prisoner). Matching ignores case and
respects word starts, so "men" does not light up inside "treatment".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from lib.project import Project

__all__ = ["KINDS", "load_terms", "parse_terms", "save_terms", "term_spans"]

KINDS = ("include", "exclude")
_KEY = "screen_terms"
_SPLIT = re.compile(r"[\n;,]+")


def parse_terms(text: str) -> list[str]:
    """Terms from what a reviewer typed: one per line, or separated by commas or
    semicolons; blanks and repeats dropped, inner spaces folded."""
    out = [" ".join(t.split()) for t in _SPLIT.split(text)]
    return list(dict.fromkeys(t for t in out if t.strip("* ")))


def load_terms(project: Project) -> dict[str, list[str]]:
    """{"include": [...], "exclude": [...]} as saved (both empty until set)."""
    stored = json.loads(project.meta(_KEY) or "{}")
    return {kind: list(stored.get(kind, [])) for kind in KINDS}


def save_terms(project: Project, include: Iterable[str], exclude: Iterable[str]) -> None:
    terms = {"include": list(include), "exclude": list(exclude)}
    with project.transaction() as conn:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_KEY, json.dumps(terms, ensure_ascii=False)),
        )
        project.log(conn, "screen_terms", **terms)


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for term in sorted({t for t in terms if t.strip("* ")}, key=len, reverse=True):
        wild = term.endswith("*")
        words = [re.escape(w) for w in term.rstrip("*").split()]
        body = r"\s+".join(words)
        parts.append(rf"\b{body}\w*" if wild else rf"\b{body}\b")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Where the terms stand in ``text`` (character offsets, in order, not overlapping)."""
    pattern = _pattern(terms)
    if pattern is None or not text:
        return []
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
