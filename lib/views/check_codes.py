"""What the Check codes page shows, and the codebook edits a correction can teach.

The page shows one study at a time, the least sure first (`lib.project.checks`): its
title and abstract with the evidence of the checked facets coloured, and per facet the
automatic code, its confidence and the sentence behind it (`facet_rows`). Record text goes
through `lib.views.highlight`, which escapes every character of it.

A correction can become a codebook edit (`phrase_edit`, `exclusion_edit`): a phrase the
reviewer takes from the abstract, added to the corrected code's rules; or an exclusion,
built from the evidence that was wrong here (the phrase with the words around it), added
to the wrong code's ``exclude``. Both are written into the codebook's YAML text in place
(`lib.views.codebook_edit.with_code`), so the rest of the file and its comments stay;
`preview_edit` says what the edit would change across the project before it is applied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml

from lib.coding import Codebook, Evidence, code_records, load_codebook
from lib.coding.codebook import Facet
from lib.model import Record
from lib.project import Project, checks, coding, duplicates
from lib.project.checks import CHECK_FACETS, Check
from lib.screening.scope import SCOPE_LABELS, studies_in_scope
from lib.views import codebook_edit as edit
from lib.views.codebook import change_rows
from lib.views.highlight import (
    HIGHLIGHT,
    coloured_markdown,
    evidence_marks,
    facet_colour,
    highlighted_markdown,
)

__all__ = [
    "FacetRow",
    "Proposal",
    "StudyUnderCheck",
    "candidate_studies",
    "card_markdown",
    "context_phrase",
    "exclusion_edit",
    "exclusion_targets",
    "facet_rows",
    "labels",
    "load_study",
    "make_proposal",
    "option_label",
    "phrase_edit",
    "preview_edit",
    "proposal_targets",
    "proposal_text",
    "rule_code",
    "scope_key",
    "scope_studies",
    "suggested_phrase",
    "tidy_phrase",
    "wrong_evidence",
]

MAX_SENTENCES = 2  # sentences shown per facet: the reviewer reads them, not a list
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class FacetRow:
    """One facet of the study under check, as the page shows it."""

    facet: str
    label: str
    auto: tuple[str, ...]  # automatic codes
    auto_text: str  # their labels, "Qualitative" or "Prisoners, Staff"
    confidence: float | None
    sentences: tuple[str, ...]  # Markdown: the sentences behind the code, phrase coloured
    in_force: tuple[str, ...]  # the value in force (the reviewer's override if any)
    check: Check | None  # the reviewer's check of this facet, if any

    @property
    def status(self) -> str:
        """What the reviewer did with this facet, in words."""
        if self.check is None:
            return "to check"
        if self.check.verdict == "confirmed":
            return "confirmed"
        return "corrected"


def _sentence_of(item: Evidence, text: str) -> tuple[int, str]:
    """Where the evidence's sentence starts in its field, and the sentence (stripped);
    the whole field when the sentence is unknown."""
    sentence = item.sentence(text)
    offset = item.sentence_start if sentence else 0
    sentence = sentence or text
    return offset + len(sentence) - len(sentence.lstrip()), sentence.strip()


def _sentences_markdown(items: Sequence[Evidence], texts: Mapping[str, str]) -> list[str]:
    """Each sentence behind the items once, in order of first use, with every phrase of
    the items in it coloured: two phrases of one sentence ("qualitative interviews",
    "interviews") showed the sentence twice, one phrase coloured each time."""
    spans: dict[tuple[str, int, str], list[tuple[int, int]]] = {}
    colour = HIGHLIGHT
    for item in items:
        text = texts.get(item.field, "")
        if not (0 <= item.start < item.end <= len(text)):
            continue
        start, sentence = _sentence_of(item, text)
        spans.setdefault((item.field, start, sentence), []).append(
            (item.start - start, item.end - start)
        )
        colour = facet_colour(item.facet)
    return [
        highlighted_markdown(sentence, found, colour=colour)
        for (_, _, sentence), found in spans.items()
    ]


def facet_rows(
    codebook: Codebook,
    record: Record,
    evidence: Sequence[Evidence],
    auto: Mapping[str, Sequence[str]],
    confidence: Mapping[str, float | None],
    in_force: Mapping[str, Sequence[str]],
    checks: Mapping[str, Check],
    facets: Iterable[str] = CHECK_FACETS,
) -> list[FacetRow]:
    """Per facet: the automatic code, its confidence, the sentences behind it, the check."""
    texts = {"title": record.title, "abstract": record.abstract,
             "keywords": "; ".join(record.keywords)}  # fmt: skip
    rows = []
    for facet in facets:
        spec = codebook.facet(facet)
        codes = tuple(auto.get(facet, ()))
        seen = _sentences_markdown(
            [e for e in evidence if e.facet == facet and e.code in codes], texts
        )
        rows.append(
            FacetRow(
                facet=facet,
                label=spec.label,
                auto=codes,
                auto_text=", ".join(spec.label_of(c) for c in codes) or "none",
                confidence=confidence.get(facet),
                sentences=tuple(seen[:MAX_SENTENCES]),
                in_force=tuple(in_force.get(facet, codes)),
                check=checks.get(facet),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class StudyUnderCheck:
    """One study as the Check codes page shows it."""

    study_id: str
    record: Record
    evidence: tuple[Evidence, ...]
    rows: tuple[FacetRow, ...]


def load_study(
    project: Project, study_id: str, facets: Sequence[str] = CHECK_FACETS
) -> StudyUnderCheck | None:
    """The study's merged record, evidence and facet rows (None: no such study)."""
    found = duplicates.study_records(project, [study_id])
    if study_id not in found:
        return None
    record = found[study_id]
    evidence = tuple(coding.study_evidence(project, study_id))
    auto = {
        f: json.loads(c)
        for f, c in project.conn.execute(
            "SELECT facet, codes FROM auto_codes WHERE study_id = ?", (study_id,)
        )
    }
    in_force = {
        f: json.loads(c)
        for f, c in project.conn.execute(
            "SELECT facet, codes FROM code_overrides WHERE study_id = ? AND undone_at IS NULL "
            "ORDER BY override_id",
            (study_id,),
        )
    }
    confidence = coding.study_confidence(project, study_id)
    done = checks.facet_checks(project, study_id)
    codebook = coding.project_codebook(project)
    rows = facet_rows(codebook, record, evidence, auto, confidence, in_force, done, facets)
    return StudyUnderCheck(study_id, record, evidence, tuple(rows))


def scope_key(project: Project) -> str:
    """What the studies in a scope depend on (screening decisions and the groups), read
    cheaply: the page keeps the scope's studies until it changes, not a write longer."""
    row = project.conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(decision_id), 0), COUNT(undone_at) FROM screen_decisions"
    ).fetchone()
    return f"{row[0]}|{row[1]}|{row[2]}|{project.meta('dedupe_state')}"


def scope_studies(project: Project, scope: str) -> tuple[frozenset[str] | None, str]:
    """(the studies of ``scope``, or None for all; what the page says about it). With no
    study in an ``included`` scope yet, every study is checked, and the page says so."""
    if scope == "all":
        return None, SCOPE_LABELS["all"]
    ids = studies_in_scope(project, scope)
    if not ids:
        return None, f"No study is in '{SCOPE_LABELS[scope]}' yet: checking all studies."
    return frozenset(ids), f"{SCOPE_LABELS[scope]} ({len(ids):,})"


def card_markdown(
    record: Record, evidence: Sequence[Evidence], facets: Iterable[str] = CHECK_FACETS
) -> tuple[str, str]:
    """(title, abstract) as Markdown showing the text literally, the evidence of each
    facet in bold of its colour."""
    facets = list(facets)
    title = coloured_markdown(record.title, evidence_marks(evidence, "title", record.title, facets))
    abstract = coloured_markdown(
        record.abstract, evidence_marks(evidence, "abstract", record.abstract, facets)
    )
    return title, abstract


# -- corrections that teach the codebook ---------------------------------------------------


def tidy_phrase(text: str) -> str:
    """A phrase as the codebook wants it: one line, single spaces, no punctuation at either
    end (a phrase matches whole words)."""
    words = " ".join(str(text or "").split())
    return words.strip(" .,;:!?()[]{}\"'“”‘’")


def context_phrase(item: Evidence, text: str, words: int = 1) -> str:
    """The evidence's phrase with up to ``words`` words either side from its sentence:
    an exclusion that cancels this wording and not the phrase everywhere."""
    sentence_start = item.sentence_start if item.sentence(text) else 0
    sentence_end = item.sentence_end if item.sentence(text) else len(text)
    before = list(_WORD.finditer(text, sentence_start, item.start))[-words:] if words else []
    after = list(_WORD.finditer(text, item.end, sentence_end))[:words] if words else []
    start = before[0].start() if before else item.start
    end = after[-1].end() if after else item.end
    return tidy_phrase(text[start:end])


@dataclass(frozen=True, slots=True)
class Proposal:
    """A codebook edit proposed from a correction: the new YAML text and what it does."""

    kind: str  # "phrase" or "exclusion"
    facet: str
    code: str
    phrase: str
    text: str  # the whole codebook YAML with the edit (version moved on)
    base: str = ""  # the sha256 of the codebook it edits (applied only onto that one)

    @property
    def note(self) -> str:
        """The codebook history's note for this edit."""
        return f"{self.kind} '{self.phrase}' for {self.facet}: {self.code} (Check codes)"


def proposal_targets(
    codebook: Codebook, facet: str, auto: Sequence[str], corrected: Sequence[str]
) -> tuple[list[str], list[str]]:
    """(codes the coder missed: a phrase can teach them; codes it gave wrongly: an
    exclusion can stop them). The fallback code ("unclear") has no rules to add to."""
    spec = codebook.facet(facet)
    missed = [c for c in corrected if c not in auto and c != spec.fallback and c in spec.codes]
    wrong = [c for c in auto if c not in corrected and c != spec.fallback and c in spec.codes]
    return missed, wrong


def _with_rule(codebook: Codebook, facet: str, code: str, key: str, rule: dict[str, Any]) -> str:
    """The codebook's YAML with ``rule`` appended to the code's ``key`` list (``rules`` or
    ``exclude``), its version moved on. The new item is written after the last one, so
    the list's hand-wrapped phrases and comments stay as they are."""
    text = codebook.to_yaml()
    try:
        text = _append_item(text, ("facets", facet, "codes", code), key, rule)
    except KeyError:  # the code written on one line, or the list in brackets: rewrite it
        original = edit.code_data(codebook, facet, code)
        new = {**original, key: [*original.get(key, []), rule]}
        text = edit.with_code(text, facet, code, original, new)
    return edit.bump_version(text, codebook.version)


def _append_item(text: str, path: Sequence[str], key: str, item: dict[str, Any]) -> str:
    """``text`` with ``item`` appended to the block list at ``path``/``key`` (the key is
    added when missing). Raises KeyError when the list is not a block list."""
    root = yaml.compose(text, Loader=edit._Loader)
    parent = edit._find(root, path)
    found = [v for k, v in parent.value if k.value == key]
    if not found:
        return edit.set_value(text, path, key, [item])
    node = found[0]
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise KeyError(f"{'/'.join(path)}/{key} is not a block list")
    indent = node.value[0].start_mark.column - 2  # where the first item's "- " stands
    lines = edit._dump(item, 0).split("\n")
    block = "\n".join(
        [" " * indent + "- " + lines[0], *(" " * (indent + 2) + ln for ln in lines[1:])]
    )
    end = edit._end(node)
    return text[:end] + "\n" + block + text[end:]


def phrase_edit(
    codebook: Codebook, facet: str, code: str, phrase: str, study_id: str,
    weight: float | None = None,
) -> Proposal:  # fmt: skip
    """The codebook with ``phrase`` as a new rule of ``code``: by default weighing what the
    code needs, so the phrase alone gives it. Raises ValueError for an empty phrase and
    `lib.coding.CodebookError` for one the codebook cannot read."""
    phrase = tidy_phrase(phrase)
    if not phrase:
        raise ValueError("the phrase is empty: type or pick some words of the abstract")
    spec = codebook.facet(facet)
    need = weight if weight is not None else spec.codes[code].min_score
    rule: dict[str, Any] = {"phrases": [phrase]}
    if float(need) != 1:
        rule["weight"] = int(need) if float(need).is_integer() else float(need)
    rule["note"] = f"from a correction of study {study_id}"
    text = _with_rule(codebook, facet, code, "rules", rule)
    load_codebook(text)  # a phrase the codebook cannot read is reported here
    return Proposal("phrase", facet, code, phrase, text, codebook.sha256)


def exclusion_edit(
    codebook: Codebook, facet: str, code: str, phrase: str, study_id: str
) -> Proposal:
    """The codebook with ``phrase`` added to ``code``'s exclusions (it cancels a match of
    the code that it overlaps). Raises as `phrase_edit`."""
    phrase = tidy_phrase(phrase)
    if not phrase:
        raise ValueError("the exclusion is empty: type the words that were misread")
    rule = {"phrases": [phrase], "note": f"from a correction of study {study_id}"}
    text = _with_rule(codebook, facet, code, "exclude", rule)
    load_codebook(text)
    return Proposal("exclusion", facet, code, phrase, text, codebook.sha256)


@dataclass(frozen=True, slots=True)
class EditPreview:
    """What a proposed edit would do: here, and across the project."""

    here: tuple[str, ...]  # the automatic codes this study would get
    changed: int  # automatic codes that would change, all facets
    studies: int  # studies in the project
    rows: pd.DataFrame  # examples: study_id, title, short, code, now, after
    coded: int = 0  # studies coded for the preview (those the edit's words are in)


def make_proposal(
    codebook: Codebook, facet: str, choice: str, phrase: str, study_id: str,
    weight: float | None = None,
) -> Proposal:  # fmt: skip
    """The edit the page's form asks for: ``choice`` is ``phrase:<code>`` (a phrase for a
    missed code, of ``weight``) or ``exclusion:<code>``. Raises as `phrase_edit`."""
    kind, code = choice.split(":", 1)
    if kind == "phrase":
        return phrase_edit(codebook, facet, code, phrase, study_id, weight)
    return exclusion_edit(codebook, facet, code, phrase, study_id)


def candidate_studies(project: Project, phrase: str) -> list[str]:
    """The studies whose title, abstract or keywords hold every word of ``phrase`` (by
    its first four letters, so inflections, spelling variants and a missing hyphen are
    kept): the only studies a phrase or an exclusion made of it can change.

    Coding every study of a 50k-study project for a preview takes minutes; an edit of
    one phrase changes only studies where it matches, so only these are coded.
    """
    stems = [w.casefold()[:4] for w in _WORD.findall(phrase.replace("*", " "))]
    if not stems:
        return []
    rows = project.conn.execute("SELECT study_id, title, abstract, keywords FROM dedupe_studies")
    out = []
    for sid, title, abstract, keywords in rows:
        text = f"{title} {abstract} {keywords}".casefold()
        if all(stem in text for stem in stems):
            out.append(sid)
    return out


def preview_edit(
    project: Project,
    proposal: Proposal,
    study_id: str,
    titles: pd.DataFrame,
    examples: int = 10,
) -> EditPreview:
    """What the proposed codebook changes, here and across the project (nothing written);
    ``titles``: the studies table (``study_id``, ``title``) to name the studies that change.

    Only `candidate_studies` are coded (the rest cannot change), with the codebook in
    force and with the proposed one.
    """
    ids = [study_id, *(s for s in candidate_studies(project, proposal.phrase) if s != study_id)]
    records = duplicates.study_records(project, ids)
    new = load_codebook(proposal.text)
    record = records[study_id]
    one = Record(record_id=study_id, title=record.title, abstract=record.abstract,
                 keywords=record.keywords)  # fmt: skip
    here = tuple(code_records([one], new)[0].get(proposal.facet))
    change = coding.preview_codebook_change(project, new, records, examples=examples)
    rows = change_rows(change, titles, coding.project_codebook(project))
    (total,) = project.conn.execute("SELECT COUNT(*) FROM dedupe_studies").fetchone()
    return EditPreview(here, change.total_changed, int(total), rows, len(records))


_RULE_CODE = re.compile(r"code '([^']+)'")


def rule_code(item: Evidence) -> str:
    """The code whose rule matched: a combination's evidence ("mixed") is its members'
    ("benefits" for benefit, "burdens" for challenge), and an exclusion goes there."""
    found = _RULE_CODE.search(item.rule)
    return found.group(1) if found else item.code


def exclusion_targets(
    study: StudyUnderCheck, facet: str, wrong: Sequence[str], kept: Sequence[str]
) -> dict[str, Evidence]:
    """code -> the first evidence that gave a wrong code through that code's rules (the
    codes the reviewer kept are left alone: their evidence was right)."""
    out: dict[str, Evidence] = {}
    for item in study.evidence:
        if item.facet == facet and item.code in wrong:
            target = rule_code(item)
            if target not in kept and target not in out:
                out[target] = item
    return out


def wrong_evidence(study: StudyUnderCheck, facet: str, code: str) -> list[Evidence]:
    """The evidence that gave ``code`` here, by its own rules or as part of a combination."""
    return [e for e in study.evidence if e.facet == facet and code in (e.code, rule_code(e))]


def suggested_phrase(study: StudyUnderCheck, facet: str, kind: str, code: str) -> str:
    """What the proposal's text box starts with: for an exclusion, the misleading phrase
    with a word either side; for a phrase, the sentence behind the facet's automatic code
    (or the title), for the reviewer to cut down to the words that name ``code``."""
    texts = {"title": study.record.title, "abstract": study.record.abstract,
             "keywords": "; ".join(study.record.keywords)}  # fmt: skip
    if kind == "exclusion":
        found = [e for e in study.evidence if e.facet == facet and rule_code(e) == code]
        return context_phrase(found[0], texts[found[0].field]) if found else ""
    for item in study.evidence:
        if item.facet == facet and item.field == "abstract":
            return tidy_phrase(item.sentence(texts["abstract"]))
    return tidy_phrase(study.record.title)


def labels(spec: Facet, codes: Iterable[str]) -> str:
    """Codes by their labels, "none" for no code."""
    return ", ".join(spec.label_of(c) for c in codes) or "none"


def option_label(spec: Facet, option: str) -> str:
    """``phrase:survey`` → "Add a phrase for Survey"."""
    kind, code = option.split(":", 1)
    if kind == "phrase":
        return f"Add a phrase for {spec.label_of(code)}"
    return f"Exclude the wording that gave {spec.label_of(code)}"


def proposal_text(proposal: Proposal, spec: Facet) -> str:
    """The proposed edit in words."""
    label = spec.label_of(proposal.code)
    if proposal.kind == "phrase":
        return f"Proposed: '{proposal.phrase}' as a new phrase for {spec.label}: {label}."
    return f"Proposed: '{proposal.phrase}' cancels {spec.label}: {label} where it overlaps."
