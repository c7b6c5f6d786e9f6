"""The codebook in words and tables, for the Codebook page: what each code looks for.

The YAML file is the codebook's source of truth and what a reviewer edits; these tables
are the same rules laid out for reading (one row per code: its phrases with their
weights, what cancels it, what it outranks), and the history of the codebooks a project
used with what each one changed. Plain text only: the page shows them in
``st.dataframe``, which never reads Markdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from lib.coding.codebook import Code, Codebook, Facet, Rule
from lib.project import Project
from lib.project.coding import CodebookChange

__all__ = [
    "RULE_COLUMNS",
    "change_rows",
    "codebook_texts",
    "facet_facts",
    "history_table",
    "preview_frame",
    "rule_text",
    "rules_table",
    "weights_text",
]

RULE_COLUMNS = ("code", "label", "looks for", "cancelled by", "outranks", "needs", "about")


def _weight(value: float) -> str:
    return f"{value:g}"


def rule_text(rule: Rule, *, with_weight: bool = True) -> str:
    """One rule as a line: ``weight 3: phrase, phrase; patterns: /…/``."""
    parts = []
    if rule.phrases:
        parts.append(", ".join(rule.phrases))
    if rule.patterns:
        parts.append("patterns: " + ", ".join(f"/{p}/" for p in rule.patterns))
    text = "; ".join(parts)
    if rule.case_sensitive:
        text += " (case-sensitive)"
    if with_weight:
        text = f"weight {_weight(rule.weight)}: {text}"
    if rule.note:
        text += f" [{rule.note}]"
    return text


def _code_row(code: Code, facet: Facet) -> dict[str, str]:
    looks_for = " | ".join(rule_text(r) for r in code.rules) or "(no rules: only by hand)"
    cancelled = " | ".join(rule_text(r, with_weight=False) for r in code.exclude)
    return {
        "code": code.slug,
        "label": code.label,
        "looks for": looks_for,
        "cancelled by": cancelled,
        "outranks": ", ".join(code.outranks),
        "needs": f"score {_weight(code.min_score)}"
        + ("" if code.negatable or facet.negation is None else "; never negated"),
        "about": code.description,
    }


def rules_table(facet: Facet) -> pd.DataFrame:
    """One row per code of the facet, in the codebook's order (see `RULE_COLUMNS`)."""
    rows = [_code_row(code, facet) for code in facet.codes.values()]
    return pd.DataFrame(rows, columns=list(RULE_COLUMNS))


def facet_facts(facet: Facet) -> list[str]:
    """Sentences about the facet as a whole: how many codes, negation, exclusions."""
    facts = [
        f"{'Exactly one code' if facet.single else 'Any number of codes'} per study "
        f"({len(facet.codes)} codes)"
        + (f"; '{facet.label_of(facet.fallback)}' when nothing decides." if facet.fallback else ".")
    ]
    if facet.negation is not None:
        facts.append(
            f"A match is ignored when one of these words is among the {facet.negation.window} "
            f"words before it: {', '.join(sorted(facet.negation.cues))}."
        )
    if facet.exclude:
        facts.append(
            "Matches inside these are ignored for every code: "
            + " | ".join(rule_text(r, with_weight=False) for r in facet.exclude)
            + "."
        )
    for combo in facet.combinations:
        facts.append(
            f"When {' and '.join(facet.label_of(c) for c in combo.codes)} all apply: "
            f"{facet.label_of(combo.then)}."
        )
    return facts


def history_table(
    saved: Sequence[Mapping[str, Any]],
    recodes: Sequence[Mapping[str, Any]],
    versions: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """The codebooks a project used, newest first, with what re-coding with each changed.

    ``saved`` is `lib.project.coding.codebook_history`; ``recodes`` the project's
    ``recode`` log events (each with ``at``, ``codebook_sha256``, ``studies``, ``changed``
    per facet). A codebook's changes are those of the first re-coding with it after it
    was saved.
    """
    rows = []
    for item in saved:
        after = [
            e
            for e in recodes
            if e.get("codebook_sha256") == item["sha256"]
            and str(e.get("at", "")) >= item["saved_at"]
        ]
        changed = ""
        if after:
            per_facet = {f: n for f, n in (after[0].get("changed") or {}).items() if n}
            changed = ", ".join(f"{f} {n}" for f, n in per_facet.items()) or "nothing"
        rows.append(
            {
                "codebook": int(item["codebook_id"]),
                "version": (versions or {}).get(int(item["codebook_id"]), ""),
                "saved": str(item["saved_at"])[:16].replace("T", " "),
                "note": item.get("note") or "",
                "studies changed (per facet)": changed if after else "not applied yet",
                "fingerprint": str(item["sha256"])[:12],
            }
        )
    columns = ["codebook", "version", "saved", "note", "studies changed (per facet)",
               "fingerprint"]  # fmt: skip
    return pd.DataFrame(list(reversed(rows)), columns=columns)


def codebook_texts(project: Project) -> dict[int, str]:
    """Every codebook saved in the project, by id: the YAML text as it was saved."""
    rows = project.conn.execute("SELECT codebook_id, yaml FROM codebooks ORDER BY codebook_id")
    return {int(cid): str(text) for cid, text in rows}


def change_rows(change: CodebookChange, studies: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The example studies of a previewed change, by title: ``study_id``, ``title``,
    ``short`` (the title cut to a line), ``code`` (the facet), ``now`` and ``after``."""
    titles = dict(zip(studies["study_id"], studies["title"], strict=True))
    rows = []
    for facet, found in change.facets.items():
        spec = codebook.facet(facet)
        for sid, old, new in found.examples:
            title = str(titles.get(sid) or sid)
            rows.append(
                {
                    "study_id": sid,
                    "title": title,
                    "short": title if len(title) <= 60 else title[:59].rstrip() + "…",
                    "code": spec.label,
                    "now": ", ".join(spec.label_of(c) for c in old) or "none",
                    "after": ", ".join(spec.label_of(c) for c in new) or "none",
                }
            )
    return pd.DataFrame(rows, columns=["study_id", "title", "short", "code", "now", "after"])


def preview_frame(change: CodebookChange, codebook: Codebook) -> pd.DataFrame:
    """A previewed change per facet, with the columns said in words."""
    frame = change.to_frame().rename(
        columns={
            "changed": "studies whose automatic code changes",
            "changed_in_force": "... and whose code in force changes",
            "kept_by_override": "... kept as is by your correction",
        }
    )
    frame["facet"] = [codebook.facet(f).label for f in frame["facet"]]
    return frame


def weights_text(codebook: Codebook) -> str:
    """How a code's score is counted, with this codebook's field weights."""
    weights = ", ".join(f"{field} ×{weight:g}" for field, weight in codebook.field_weights.items())
    return (
        f"A phrase counts its rule's weight times the field's weight ({weights}); a code "
        "applies when its score reaches what it needs. Phrases match whole words, any case; "
        "'*' ends a word with any letters."
    )
