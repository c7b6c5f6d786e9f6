"""The word forms a codebook word stands for: its inflections, in both spellings.

A reviewer writes "enhance" and means "enhances", "enhanced", "Enhancing" too; writes
"randomised" and means "randomized"; writes "prisoners" and means "prisoner", but not
"prison". So a phrase word matches its *inflections* (-s, -es, -ed, -ing, and the -y/-ies
and dropped-e forms), never its derivations ("effective" is not "effect", "experience"
is not "experiment"), and British and American spellings alike (-ise/-ize, -our/-or).

Where a word's stem ends is decided by the Snowball English stemmer (`snowballstemmer`,
the maintained implementation of Porter's algorithm): an ending is only taken off when
what is left still holds the whole stem, so "news" stays "news" and "bus" stays "bus".
Snowball alone would over-reach for matching ("prisoner" and "prison" share the stem
"prison"), which is why the forms are built back from the stem with inflectional endings
only. The forms are a finite set per word, so matching stays a plain word look-up: no
stemming at all happens while records are coded.
"""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

__all__ = ["inflectable", "word_forms"]

# Function words are matched as written: "with" must not also find "withed".
_STOP = frozenset(
    "with than from that this were have been into over under upon their there these those "
    "which while when what will would could should about after before during among within "
    "without between each both more most less such only also very some other".split()
)
# Inflectional endings that may be taken off a word (longest first: the shortest base wins).
_STRIP = ("ing", "ies", "ied", "es", "ed", "e", "s", "d")
_DOUBLING = re.compile(r"(?:^|[^aeiou])[aeiou][bdgklmnprt]$")


@cache
def _stemmer() -> snowballstemmer.stemmer:  # type: ignore[name-defined]
    return snowballstemmer.stemmer("english")


def inflectable(word: str) -> bool:
    """True for the words whose inflections are matched: letters only, 4 or more, no
    function word."""
    return len(word) >= 4 and word.isalpha() and word.isascii() and word not in _STOP


def _base(word: str) -> tuple[str, bool]:
    """(base, y-word): the word without its inflectional ending, never shorter than its
    Snowball stem. ``studies`` -> (``stud``, True); ``enhancing`` -> (``enhanc``, False)."""
    stem = _stemmer().stemWord(word)
    if stem.endswith("i") and word.endswith(("y", "ies", "ied", "ying")):
        return stem[:-1], True
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1], True
    if not word.startswith(stem):
        return word, False  # spelling the stemmer changes (rare): match as written
    for ending in _STRIP:
        if word.endswith(ending) and len(word) - len(ending) >= max(len(stem), 4):
            return word[: -len(ending)], False
    return word, False


def _spellings(form: str) -> set[str]:
    """The form in British and American spelling (-ise/-ize, -yse/-yze, -our/-or)."""
    out = {form}
    m = re.search(
        r"[^aeiou]([iy])([sz])(?=(?:e|es|ed|ing|ings|ation|ations|ational|er|ers)$)", form
    )
    if m and len(form) >= 6:
        other = "z" if m.group(2) == "s" else "s"
        out.add(form[: m.start(2)] + other + form[m.end(2) :])
    m = re.search(r"our(?=(?:s|ed|ing|al|ally)?$)", form)
    if m and m.start() >= 3:
        out.add(form[: m.start()] + "or" + form[m.end() :])
    return out


@cache
def word_forms(word: str) -> frozenset[str]:
    """Every form the (lower-case) codebook word stands for, itself included.

    ``improve`` -> improve, improves, improved, improving; ``community`` -> community,
    communities; ``randomised`` -> randomise(s/d), randomising and the -ize forms.
    A word that is not `inflectable` stands only for itself.
    """
    if not inflectable(word):
        return frozenset((word,))
    base, y_word = _base(word)
    if y_word:
        forms = {base + "y", base + "ies", base + "ied", base + "ying"}
    else:
        forms = {base + e for e in ("s", "es", "ed", "ing", "ings")}
        ending = word[len(base) :]
        if ending in ("e", "ing", "ings"):  # enhance, enhancing -> enhanc(e); training -> train
            forms.add(base + "e")
        if ending != "e":  # "enhanc" alone is no word; "prisoner" and "train" are
            forms.add(base)
        if base.endswith("e"):
            forms |= {base + "d", base[:-1] + "ing", base[:-1] + "ings"}
        if _DOUBLING.search(base) and len(base) <= 6:
            forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    forms.add(word)
    return frozenset(f for form in forms for f in _spellings(form))
