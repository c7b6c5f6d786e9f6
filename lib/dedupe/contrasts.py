"""Words that make two near-identical titles two studies: "in adults" against "in
children", "first-line" against "refractory", "women" against "men".

Trial registrations and conference abstracts often differ only by such a word, and have
no venue or page to tell them apart: a title similarity above 0.95 says nothing then.
Databases do not swap one of these words for another when they export a title (they
change case, punctuation, spelling, markers), so two titles that each hold a different
word of one kind name different populations, conditions or arms.

Written by hand: the lists are short and domain-specific; no library holds them.
"""

from __future__ import annotations

__all__ = ["contrast"]

# kind -> groups of words that mean one thing (spelling variants, singular and plural)
_KINDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "age": (
        ("adult", "adults"),
        ("child", "children", "childhood", "paediatric", "pediatric", "kids"),
        ("adolescent", "adolescents", "adolescence", "teen", "teens", "teenage",
         "teenagers", "youth", "youths", "juvenile", "juveniles"),
        ("infant", "infants", "infancy", "neonate", "neonates", "neonatal", "newborn",
         "newborns", "toddler", "toddlers", "preterm"),
        ("elderly", "older", "geriatric", "seniors"),
        ("young", "younger"),
    ),
    "sex": (
        ("men", "man", "male", "males", "boys", "boy", "fathers", "father", "paternal"),
        ("women", "woman", "female", "females", "girls", "girl", "mothers", "mother",
         "maternal"),
    ),
    "line": (
        ("first", "firstline", "frontline", "initial"),
        ("second", "secondline"),
        ("third", "thirdline"),
        ("refractory",),
        ("relapsed", "relapsing", "recurrent"),
        ("naive", "untreated"),
        ("pretreated",),
        ("maintenance",),
        ("adjuvant",),
        ("neoadjuvant",),
        ("salvage",),
    ),
    "stage": (
        ("acute",),
        ("subacute",),
        ("chronic",),
        ("early",),
        ("advanced", "metastatic"),
        ("localized", "localised"),
        ("mild",),
        ("moderate",),
        ("severe",),
    ),
    "arm": (
        ("placebo",),
        ("monotherapy",),
        ("combination", "combined"),
        ("low",),
        ("high",),
        ("single",),
        ("multiple",),
        ("oral",),
        ("intravenous",),
        ("subcutaneous",),
        ("intramuscular",),
        ("topical",),
        ("daily",),
        ("weekly",),
        ("monthly",),
    ),
    "presence": (("with",), ("without",)),
}  # fmt: skip

_CLASS: dict[str, tuple[str, int]] = {
    word: (kind, k) for kind, groups in _KINDS.items() for k, group in enumerate(groups)
    for word in group
}  # fmt: skip
_WORDS = frozenset(_CLASS)


def contrast(a: str, b: str) -> str:
    """ "adults / children" when each title holds a word of one kind that the other lacks
    and the two words mean different things; "" otherwise. ``a`` and ``b`` are title words.

    Each meaning must be missing from the other title: "men and women" against "women"
    adds a population, it does not swap one.
    """
    ta, tb = set(a.split()), set(b.split())
    only_a = (ta - tb) & _WORDS
    if not only_a:
        return ""
    only_b = (tb - ta) & _WORDS
    if not only_b:
        return ""
    meanings_a = {_CLASS[w] for w in ta if w in _CLASS}
    meanings_b = {_CLASS[w] for w in tb if w in _CLASS}
    for x in sorted(only_a):
        if _CLASS[x] in meanings_b:
            continue
        for y in sorted(only_b):
            if _CLASS[y][0] == _CLASS[x][0] and _CLASS[y] not in meanings_a:
                return f"{x} / {y}"
    return ""
