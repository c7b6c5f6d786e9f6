"""Whether a title reads as a translation, or as written in a language other than English.

One article often carries its original title in one database and an English translation
in another (MEDLINE writes the translation in [brackets] and tags the language). Knowing
that one title is not English, or was translated, is what lets two entirely different
titles at the same journal, volume, page, year and authors be one paper.

Written by hand: a language-identification library (langdetect, lingua) is a large
dependency with models to load, and unreliable on a dozen words; the function words of
the languages common in health and social-science databases are enough for a yes/no.
"""

from __future__ import annotations

import re

from lib.dedupe.titles import LANGUAGES

__all__ = ["looks_translated", "non_english", "other_script"]

# Function words that English titles (almost) never use, by language; words that are
# also English ("a", "in", "on", "for", "as", "do", "no", "die") are left out.
_OTHER = frozenset(
    """der das und fur mit von zur zum bei nach uber ein eine einer eines einem unter
    le la les des du et pour dans sur une aux par chez est
    el los las del y para con por una al entre sobre
    il lo gli della delle degli di per nella nelle nei con
    os da dos das em um uma com nos nas pela pelo
    het een van voor en bij met op naar
    och av med pa till som ett fran hos
    og af til ved paa
    dla oraz przez jako
    ve ile bir""".split()
)
_ENGLISH = frozenset(
    "the of and in for with on to from by at an a is are its their this after among".split()
)
_LANGUAGE_TAG = re.compile(r"[\[(](?:article in |text in |in )?[a-z ,']{3,40}[\])]\s*[.]?\s*$")
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f]")


def non_english(words: str, raw: str = "") -> bool:
    """True when a title's words read as another language than English.

    ``words`` are the folded title words; ``raw`` the title as given, whose accented
    letters count when no English function word is present.
    """
    tokens = words.split()
    if len(tokens) < 3:
        return False
    other = sum(t in _OTHER for t in tokens)
    english = sum(t in _ENGLISH for t in tokens)
    if other >= 2 and other > english:
        return True
    return english == 0 and other >= 1 and bool(raw) and bool(_NON_ASCII_LETTER.search(raw))


def looks_translated(raw: str, language: str = "") -> bool:
    """True for a title a database marks as translated: MEDLINE's "[Title]." brackets, a
    trailing language tag ("[Chinese]", "(author's transl)"), or a record language other
    than English; or a title in another script."""
    text = raw.strip()
    if other_script(text):
        return True
    if text.startswith("[") and text.rstrip(" .").endswith("]"):
        return True
    lang = language.strip().lower()
    if lang and not lang.startswith(("en", "eng")):
        return True
    if text.endswith(("]", ")", "].", ").")):
        tail = _LANGUAGE_TAG.search(text.lower())
        if tail and "transl" in tail.group(0):
            return True
        if tail:
            return bool(set(re.findall(r"[a-z]+", tail.group(0))) & (LANGUAGES - {"english"}))
    return False


def other_script(raw: str) -> bool:
    """True for a title written mostly in a script other than the Latin one (Chinese,
    Japanese, Korean, Cyrillic): its folded words are empty, yet it is a title."""
    letters = [c for c in raw if c.isalpha()]
    if not letters:
        return False
    latin = sum(c.isascii() or "\u00c0" <= c <= "\u024f" for c in letters)
    return latin < len(letters) / 2
