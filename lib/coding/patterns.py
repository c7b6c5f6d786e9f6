"""Turn a reviewer's phrases and patterns into regular expressions, and index them.

Phrase syntax (kept small so a reviewer can write it without knowing regular expressions):

- matched without regard to case, from the start of a word to the end of a word;
- a space matches any run of spaces, hyphens, dashes or slashes ("before and after" also
  finds "before-and-after"); a hyphen matches such a run or nothing ("semi-structured" also
  finds "semi structured" and "semistructured");
- a word of four or more letters also matches its inflections ("improve" finds
  "improved", "Improving"; "randomised" finds "randomized"; `lib.coding.inflect`), unless
  the rule says ``inflect: false`` or is case-sensitive;
- ``*`` at the end of a word matches any further letters ("interview*" finds "interviews",
  "interviewed"; after an "e", the -ing form too: "experience*" finds "experiencing");
  nowhere else;
- `` ... `` between two words stands for up to two other words of the same clause
  ("compared with ... controls" finds "compared with matched controls"); a rule's ``gap``
  sets how many;
- an apostrophe matches a straight or curly one; every other character stands for itself.

Why hand-written: no maintained library matches many phrases with this syntax (flexible
separators, optional hyphens, word-end wildcards) at word boundaries; Aho-Corasick
libraries match fixed strings only. The words each phrase or pattern can start with
(`phrase_index_keys`, `pattern_prefixes`) let `lib.coding.matcher` try only the few rules
that can match at each word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lib.coding.inflect import inflectable, word_forms

__all__ = [
    "GAP_WORDS",
    "PhraseError",
    "PhraseSpec",
    "compile_phrase",
    "fold",
    "pattern_prefixes",
    "phrase_index_keys",
    "phrase_regex",
    "phrase_units",
]

# Characters a space in a phrase stands for (one or more of them).
_SEP = r"[\s\-\u2010\u2011\u2012\u2013\u2014/]+"
# What a hyphen in a phrase stands for (zero or more).
_HYPH = r"[\s\-\u2010\u2011\u2012\u2013\u2014]*"
_APOS = "['\u2019\u2018]"
_WILD = r"\w*"

Unit = str  # one literal character, or one of the markers below
SEP, HYPH, APOS, WILD, GAP = "\x00sep", "\x00hyph", "\x00apos", "\x00wild", "\x00gap"
_UNIT_REGEX = {SEP: _SEP, HYPH: _HYPH, APOS: _APOS, WILD: _WILD}
_GAP_WORDS = ("...", "\u2026")
GAP_WORDS = 2  # how many words "..." stands for, unless a rule says otherwise


class PhraseError(ValueError):
    """A phrase that cannot be used; the message says why."""


def fold(text: str) -> str:
    """Lower-case `text` keeping every character at its offset (evidence offsets rely on it).

    ``str.lower`` keeps the length of every character except U+0130 (dotted capital I),
    which it expands to two; that one is mapped to a plain ``i`` first.
    """
    if "\u0130" in text:
        text = text.replace("\u0130", "I")
    return text.lower()


def phrase_units(phrase: str, *, keep_case: bool = False) -> list[Unit]:
    """Split a phrase into units (characters and markers); raises `PhraseError`."""
    text = " ".join(phrase.split())
    if not text:
        raise PhraseError("empty phrase")
    if not (text[0].isalnum() or text[0] == "_"):
        raise PhraseError(f"phrase {phrase!r} must start with a letter or digit")
    parts = text.split(" ")
    for n, part in enumerate(parts):
        if part in _GAP_WORDS and (n == 0 or n == len(parts) - 1 or parts[n - 1] in _GAP_WORDS):
            raise PhraseError(
                f"phrase {phrase!r}: '...' stands for a word or two between two words"
            )
    units: list[Unit] = []
    for n, part in enumerate(parts):
        if part in _GAP_WORDS:
            units.append(GAP)  # replaces the space before it; the space after is dropped
            continue
        if n and parts[n - 1] not in _GAP_WORDS:
            units.append(SEP)
        for i, ch in enumerate(part):
            if ch in "-\u2010\u2011":
                units.append(HYPH)
            elif ch in "'\u2019\u2018":
                units.append(APOS)
            elif ch == "*":
                nxt = part[i + 1] if i + 1 < len(part) else " "
                if i == 0 or not part[i - 1].isalnum() or nxt not in " -":
                    raise PhraseError(
                        f"phrase {phrase!r}: '*' may only end a word (as in 'interview*')"
                    )
                units.append(WILD)
            else:
                units.append(ch if keep_case else fold(ch))
    return units


def _unit_regex(unit: Unit) -> str:
    return _UNIT_REGEX.get(unit) or re.escape(unit)


@dataclass(frozen=True, slots=True)
class _Word:
    """A run of letters and digits in a phrase, with the text forms it stands for."""

    text: str
    forms: frozenset[str] | None = None  # its inflections (None: as written)
    wild: bool = False  # ends in '*': any further letters

    def regex(self) -> str:
        if self.wild and self._drops_e:  # "experience*" also finds "experiencing"
            return re.escape(self.text[:-1]) + "(?:e|ing)" + _WILD
        if self.wild:
            return re.escape(self.text) + _WILD
        if self.forms and len(self.forms) > 1:
            return "(?:" + "|".join(map(re.escape, sorted(self.forms, key=len, reverse=True))) + ")"
        return re.escape(self.text)

    @property
    def _drops_e(self) -> bool:
        return self.text.endswith("e") and len(self.text) >= 4 and self.text.isalpha()

    def tokens(self) -> list[tuple[str, bool]]:
        """What a text word starting here can be: (word, False) or (stem, True)."""
        if self.wild and self._drops_e:
            return [(self.text, True), (self.text[:-1] + "ing", True)]
        if self.wild:
            return [(self.text, True)]
        return [(f, False) for f in sorted(self.forms or (self.text,))]


_Piece = _Word | str  # a word, or a marker / literal character


def _pieces(units: Sequence[Unit], inflect: bool) -> list[_Piece]:
    pieces: list[_Piece] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if len(unit) == 1 and (unit.isalnum() or unit == "_"):
            j = i
            while j < len(units) and len(units[j]) == 1 and (units[j].isalnum() or units[j] == "_"):
                j += 1
            text = "".join(units[i:j])
            after = units[j] if j < len(units) else None
            if after == WILD:
                pieces.append(_Word(text, wild=True))
                j += 1
            elif inflect and after != HYPH and inflectable(text):
                pieces.append(_Word(text, forms=word_forms(text)))
            else:
                pieces.append(_Word(text))
            i = j
        else:
            pieces.append(unit)
            i += 1
    return pieces


@dataclass(frozen=True, slots=True)
class PhraseSpec:
    """A phrase compiled for matching.

    ``regex`` matches it at a word start; ``keys`` are the text words it can start with,
    each ``(word, is_stem)``; ``one_word`` is set when a match is exactly one text word
    (then ``keys`` say which); ``second`` is what the next text word must be after a
    key in ``alone`` (the first word on its own, before a space or hyphen):
    ``(words, stems)``.
    """

    regex: str
    keys: tuple[tuple[str, bool], ...]
    one_word: bool
    second: tuple[frozenset[str], tuple[str, ...]] | None
    alone: frozenset[str] = frozenset()  # the keys that are the first word on its own


@lru_cache(maxsize=32768)
def compile_phrase(
    phrase: str, *, keep_case: bool = False, inflect: bool = False, gap: int = GAP_WORDS
) -> PhraseSpec:
    """Compile a phrase (see the module doc); raises `PhraseError`.

    Cached: the result is immutable, and a codebook edit being previewed shares all but a
    few phrases with the codebook in force."""
    units = phrase_units(phrase, keep_case=keep_case)
    pieces = _pieces(units, inflect and not keep_case)
    parts = []
    for piece in pieces:
        if isinstance(piece, _Word):
            parts.append(piece.regex())
        elif piece == GAP:
            parts.append(f"{_SEP}(?:\\w+{_SEP}){{0,{gap}}}")
        else:
            parts.append(_unit_regex(piece))
    regex = "".join(parts) + (r"\b" if isinstance(pieces[-1], _Word) else "")
    folded = pieces if not keep_case else _pieces(phrase_units(phrase), False)
    keys = _first_tokens(folded)
    second = None
    if len(folded) >= 3 and folded[1] in (SEP, HYPH) and isinstance(folded[2], _Word):
        word = folded[2]
        joined = len(folded) > 3 and folded[3] == HYPH
        if word.wild or joined:
            second = (frozenset(), (word.text,))
        else:
            second = (frozenset(word.forms or (word.text,)), ())
    first = folded[0]
    assert isinstance(first, _Word)
    alone = frozenset(tok for tok, stem in first.tokens() if not stem)
    one_word = len(folded) == 1
    return PhraseSpec(regex, keys, one_word, second, alone)


def _first_tokens(pieces: Sequence[_Piece]) -> tuple[tuple[str, bool], ...]:
    """The words a match can start with: the first word, and its joins with the words
    after it where a hyphen may be left out ("re-entry": "re" or "reentry")."""
    first = pieces[0]
    assert isinstance(first, _Word)
    keys: set[tuple[str, bool]] = set()
    prefixes = [""]
    i = 0
    word: _Piece = first
    while True:
        assert isinstance(word, _Word)
        grown = [(pre + tok, stem) for pre in prefixes for tok, stem in word.tokens()]
        keys.update(grown)
        prefixes = [tok for tok, stem in grown if not stem]
        i += 2
        if not prefixes or i >= len(pieces) or pieces[i - 1] != HYPH:
            break
        word = pieces[i]
        if not isinstance(word, _Word):
            break
    return tuple(sorted(keys))


def phrase_regex(
    phrase: str, *, keep_case: bool = False, inflect: bool = False, gap: int = GAP_WORDS
) -> str:
    """The regex for one phrase (no leading word boundary: callers match at word starts)."""
    return compile_phrase(phrase, keep_case=keep_case, inflect=inflect, gap=gap).regex


def phrase_index_keys(phrase: str, *, inflect: bool = False) -> tuple[tuple[str, bool], ...]:
    """The words a phrase can start with in a text, each with whether it is only a stem.

    "prison" gives ``(("prison", False),)``; "interview*" gives ``(("interview", True),)``;
    "re-entry" can stand as "re entry", "re-entry" (a word "re" first) or "reentry", so
    it gives ``(("re", False), ("reentry", False))``.
    """
    return compile_phrase(phrase, inflect=inflect).keys


def pattern_prefixes(
    pattern: str, *, ignore_case: bool = True
) -> tuple[tuple[str, bool], ...] | None:
    """The words every match of `pattern` starts with, or None if that cannot be told.

    Each is ``(word, whole)``: ``whole`` when the pattern requires a non-word character
    right after it. ``(?:than|versus)\\s+...`` gives ``(("than", True), ("versus", True))``
    and ``states?`` gives ``(("state", False),)`` (a stem). The pattern is then only tried
    where such a word occurs, which keeps reviewer patterns from costing a regex attempt
    at every word of every record. Uses the standard library's regex parser (``re._parser``,
    private); if that ever changes, the answer is None and the pattern is simply tried at
    every word, which is slower but still correct.
    """
    try:
        from re import _constants as c
        from re import _parser as sre_parser

        tree = sre_parser.parse(pattern, re.IGNORECASE if ignore_case else 0)
    except Exception:  # noqa: BLE001 - any failure just means "no index"
        return None

    space_like = {c.CATEGORY_SPACE, c.CATEGORY_NOT_WORD, c.CATEGORY_NOT_DIGIT}

    def nonword_start(item: Any) -> bool:
        """True when `item` can only begin with a non-word character."""
        op, av = item
        if op is c.LITERAL:
            return not _is_word_char(chr(av))
        if op is c.AT:
            return av in (c.AT_BOUNDARY, c.AT_END, c.AT_END_STRING)
        if op is c.IN:
            return all(
                (kind is c.CATEGORY and value in space_like)
                or (kind is c.LITERAL and not _is_word_char(chr(value)))
                for kind, value in av
            )
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, _, sub = av
            return low >= 1 and bool(sub) and nonword_start(next(iter(sub)))
        return False

    def starts(items: list[Any], tail_nonword: bool) -> set[tuple[str, bool]] | None:
        prefix = ""
        for index, (op, av) in enumerate(items):
            after = items[index + 1 :]
            follows = nonword_start(after[0]) if after else tail_nonword
            if op is c.AT and not prefix:
                continue
            if op is c.LITERAL:
                prefix += chr(av)
                continue
            if op is c.SUBPATTERN:
                op, av = c.BRANCH, (None, [list(av[-1])])
            if op is c.BRANCH:
                rest = [starts(list(alternative), follows) for alternative in av[1]]
                if all(rest):
                    return {(prefix + word, whole) for sub in rest for word, whole in sub or ()}
                return {(prefix, False)} if prefix else None
            return {(prefix, nonword_start((op, av)))} if prefix else None
        return {(prefix, tail_nonword)} if prefix else None

    try:
        found = starts(list(tree), False)
    except Exception:  # noqa: BLE001
        return None
    if not found:
        return None
    keys: set[tuple[str, bool]] = set()
    for prefix, whole in found:
        text = fold(prefix) if ignore_case else prefix
        word = re.match(r"\w+", text)
        if not word:
            return None
        keys.add((word.group(), whole or word.end() < len(text)))
    return tuple(sorted(keys))


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
