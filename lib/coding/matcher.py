"""Find every rule match in a text with one regex scan, compiled once per codebook.

All phrases and patterns of all facets go into one scanning regex (phrases merged into a
trie, see `lib.coding.patterns`) that only says *where* some rule may match: at a word
start. At each such place the few rules whose first word fits are then matched one by one,
so overlapping matches of different rules are all found ("young offender institution" is
evidence for a setting and "young offender" for a population).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from lib.coding.codebook import Codebook, Rule
from lib.coding.patterns import fold, phrase_key, phrase_regex, trie_regex

__all__ = ["Hit", "Matcher", "Term", "matcher_for"]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Term:
    """One phrase or pattern of one rule, compiled."""

    facet: str
    code: str | None  # None: a facet-wide exclusion
    exclude: bool
    rule: Rule
    text: str
    is_pattern: bool
    regex: re.Pattern[str]
    case_sensitive: bool


Hit = tuple[int, int, int]  # (term index, start, end)


class Matcher:
    """The compiled form of a codebook's rules. Build with `matcher_for` (it is cached)."""

    def __init__(self, codebook: Codebook) -> None:
        self.terms: list[Term] = []
        phrases: list[str] = []
        patterns: list[str] = []
        self._index: dict[str, list[int]] = {}
        self._pattern_terms: list[int] = []
        for facet in codebook.facets.values():
            for code in facet.codes.values():
                for rule in code.rules:
                    self._add(facet.name, code.slug, False, rule, phrases, patterns)
                for rule in code.exclude:
                    self._add(facet.name, code.slug, True, rule, phrases, patterns)
            for rule in facet.exclude:
                self._add(facet.name, None, True, rule, phrases, patterns)
        alternatives = [trie_regex(phrases)] if phrases else []
        alternatives += [f"(?i:{p})" for p in patterns]
        body = "|".join(alternatives) or "(?!)"
        self._scan = re.compile(rf"\b(?=(?:{body}))")
        self._candidates: dict[str, tuple[int, ...]] = {}

    def _add(
        self,
        facet: str,
        code: str | None,
        exclude: bool,
        rule: Rule,
        phrases: list[str],
        patterns: list[str],
    ) -> None:
        for phrase in rule.phrases:
            if rule.case_sensitive:
                exact = phrase_regex(phrase, keep_case=True)
                upper = phrase_regex(phrase.upper(), keep_case=True)
                regex = re.compile(exact if exact == upper else f"(?:{exact}|{upper})")
            else:
                regex = re.compile(phrase_regex(phrase))
            n = len(self.terms)
            self.terms.append(
                Term(facet, code, exclude, rule, phrase, False, regex, rule.case_sensitive)
            )
            self._index.setdefault(phrase_key(phrase), []).append(n)
            phrases.append(phrase)
        for pattern in rule.patterns:
            flags = 0 if rule.case_sensitive else re.IGNORECASE
            n = len(self.terms)
            self.terms.append(
                Term(
                    facet,
                    code,
                    exclude,
                    rule,
                    pattern,
                    True,
                    re.compile(pattern, flags),
                    rule.case_sensitive,
                )
            )
            self._pattern_terms.append(n)
            patterns.append(pattern)

    def _candidates_for(self, token: str) -> tuple[int, ...]:
        found = self._candidates.get(token)
        if found is None:
            index = self._index
            ids: list[int] = []
            for length in range(1, len(token) + 1):
                ids += index.get(token[:length], ())
            found = tuple(ids) + tuple(self._pattern_terms)
            if len(self._candidates) > 200_000:  # bound the cache on huge vocabularies
                self._candidates.clear()
            self._candidates[token] = found
        return found

    def scan(self, text: str) -> list[Hit]:
        """Every (term, start, end) that matches in `text`, in order of start."""
        if not text:
            return []
        folded = fold(text)
        hits: list[Hit] = []
        terms = self.terms
        word = _WORD.match
        for m in self._scan.finditer(folded):
            start = m.start()
            w = word(folded, start)
            token = w.group() if w else ""
            for n in self._candidates_for(token):
                term = terms[n]
                found = term.regex.match(text if term.case_sensitive else folded, start)
                if found is not None and found.end() > start:
                    hits.append((n, start, found.end()))
        return hits


_CACHE: weakref.WeakKeyDictionary[Codebook, Matcher] = weakref.WeakKeyDictionary()


def matcher_for(codebook: Codebook) -> Matcher:
    """The codebook's compiled matcher, built on first use and kept while the codebook lives."""
    matcher = _CACHE.get(codebook)
    if matcher is None:
        matcher = _CACHE[codebook] = Matcher(codebook)
    return matcher
