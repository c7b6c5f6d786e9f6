"""Folding text for comparison: accents, Greek letters, LaTeX and HTML remnants, case.

Exports write the same title as "β-cell", "beta-cell", "$\\beta$-cell" and "&beta;-cell";
`fold` maps all of them to "beta cell" so that comparisons see words, not encodings.
Written by hand because no library folds this particular mix (unidecode would, but is
another dependency for a few lines of tables).
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["fold", "fold_words"]

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "µ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}
_SPECIAL = {
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
}
_TABLE = str.maketrans({**{k: f" {v} " for k, v in _GREEK.items()}, **_SPECIAL})
_LATEX_GREEK = re.compile(r"\\(" + "|".join(sorted(set(_GREEK.values()), key=len)[::-1]) + r")\b")
_LATEX_ACCENT = re.compile(r"\\[`'^\"~=.uvHcdbkr](?=[{A-Za-z\\])")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?")
_TAG = re.compile(r"<[^<>]{0,200}>")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: tags, entities and LaTeX dropped, accents removed."""
    if not text:
        return ""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "\\" in text:
        text = _LATEX_GREEK.sub(r" \1 ", text)
        text = _LATEX_ACCENT.sub("", text)
        text = _LATEX_COMMAND.sub(" ", text)
    text = text.lower().translate(_TABLE)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text


def fold_words(text: str) -> str:
    """`fold`, then every run of non-alphanumerics as one space: "ApoE-/- Mice." → "apoe mice"."""
    return _NON_WORD.sub(" ", fold(text)).strip()
