"""Turn a reviewer's phrases and patterns into regular expressions, and index them.

Phrase syntax (kept small so a reviewer can write it without knowing regular expressions):

- matched without regard to case, from the start of a word to the end of a word;
- a space matches any run of spaces, hyphens, dashes or slashes ("before and after" also
  finds "before-and-after"); a hyphen matches such a run or nothing ("semi-structured" also
  finds "semi structured" and "semistructured");
- ``*`` at the end of a word matches any further letters ("interview*" finds "interviews",
  "interviewed"); nowhere else;
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
from typing import Any

__all__ = [
    "PhraseError",
    "fold",
    "pattern_prefixes",
    "phrase_index_keys",
    "phrase_key",
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
SEP, HYPH, APOS, WILD = "\x00sep", "\x00hyph", "\x00apos", "\x00wild"
_UNIT_REGEX = {SEP: _SEP, HYPH: _HYPH, APOS: _APOS, WILD: _WILD}


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
    units: list[Unit] = []
    for i, ch in enumerate(text):
        if ch == " ":
            units.append(SEP)
        elif ch in "-\u2010\u2011":
            units.append(HYPH)
        elif ch in "'\u2019\u2018":
            units.append(APOS)
        elif ch == "*":
            nxt = text[i + 1] if i + 1 < len(text) else " "
            if i == 0 or not text[i - 1].isalnum() or nxt not in " -":
                raise PhraseError(
                    f"phrase {phrase!r}: '*' may only end a word (as in 'interview*')"
                )
            units.append(WILD)
        else:
            units.append(ch if keep_case else fold(ch))
    return units


def _unit_regex(unit: Unit) -> str:
    return _UNIT_REGEX.get(unit) or re.escape(unit)


def _ends_in_word(units: Sequence[Unit]) -> bool:
    last = units[-1]
    return last == WILD or (len(last) == 1 and (last.isalnum() or last == "_"))


def phrase_regex(phrase: str, *, keep_case: bool = False) -> str:
    """The regex for one phrase (no leading word boundary: callers match at word starts)."""
    units = phrase_units(phrase, keep_case=keep_case)
    body = "".join(_unit_regex(u) for u in units)
    return body + (r"\b" if _ends_in_word(units) else "")


def phrase_key(phrase: str) -> str:
    """The phrase's leading letters and digits (folded): the index key of candidate terms."""
    key = []
    for unit in phrase_units(phrase):
        if len(unit) != 1 or not (unit.isalnum() or unit == "_"):
            break
        key.append(unit)
    return "".join(key)


def phrase_index_keys(phrase: str) -> tuple[tuple[str, bool], ...]:
    """The words a phrase can start with in a text, each with whether it is only a stem.

    "prison" gives ``(("prison", False),)``; "interview*" gives ``(("interview", True),)``;
    "re-entry" can stand as "re entry", "re-entry" (a word "re" first) or "reentry", so
    it gives ``(("re", False), ("reentry", False))``.
    """
    units = phrase_units(phrase)
    key = phrase_key(phrase)
    after = units[len(key)] if len(key) < len(units) else None
    if after == WILD:
        return ((key, True),)
    if after != HYPH:
        return ((key, False),)
    joined: list[str] = []
    stem = False
    for unit in units:
        if unit == HYPH:
            continue
        if unit == WILD:
            stem = True
            break
        if len(unit) != 1 or not (unit.isalnum() or unit == "_"):
            break
        joined.append(unit)
    return ((key, False), ("".join(joined), stem))


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
