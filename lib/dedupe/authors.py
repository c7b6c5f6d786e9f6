"""Author lists as family names, and how much two lists agree.

Exports disagree on every part of a name: "Smith, John A.", "Smith JA", "J. A. Smith",
"Smith J. A.Jones B." (names glued together by some EndNote exports), "Grundström" and
"Grundstrm", "van der Berg" and "Berg", "et al." cutting a list short, group authors
("ALTS Group"), a trial's sponsor as its only author ("Brightwater Pharma A/S"), a
forename exported as the family name ("Priya, K." for Kumar Priya, "Kumar, P." elsewhere).
Comparison therefore uses family names, folded to ASCII letters, with particles and
suffixes dropped; a name whose order is ambiguous ("Omulo Sylvia") keeps both readings,
and two names at the same place in their lists whose family names start with each
other's initials ("Priya, K." and "Kumar, P.") are one person with the parts swapped.
Two lists agree by the share of the shorter list found in the other, so a list cut short
by "et al." still agrees with the full one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from lib.dedupe.text import fold

__all__ = ["AuthorList", "compare_authors", "first_author", "parse_authors"]

MAX_AUTHORS = 12  # enough to tell lists apart; long consortium lists add only cost

_PARTICLES = frozenset(
    """van von der den de del della di da dos das du la le ter ten bin al el
    vander vanden""".split()
)
_SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv", "2nd", "3rd"])
_GROUP = re.compile(
    r"\b(group|consortium|collaboration|collaborative|committee|society|association|"
    r"institute|investigators|network|team|council|organisation|organization|ministry|"
    r"department|agency|trust|centre|center|university|board|panel|foundation|alliance|"
    r"working party|task force|trialists|study|"
    # companies (a trial registration's sponsor): forms that are never a person's initials
    r"inc|ltd|llc|gmbh|plc|corp|corporation|company|limited|pharma|pharmaceuticals?|"
    r"therapeutics|biotech|biotechnology|biosciences|laboratories|biopharma)\b|\ba/s\b",
    re.IGNORECASE,
)
# "K.Lewis": an initial's full stop directly followed by the next name (glued lists).
_GLUE = re.compile(r"(?<=\b[A-Z]\.)(?=[A-Za-zÀ-ÿ][a-zà-ÿ'’])")
_ET_AL = re.compile(r"^(?:et\.?\s*al\.?|and others|others|\.\.\.)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(?:unknown|anonymous|anon|no authors? listed|not available|n/?a|none|null)$",
    re.IGNORECASE,
)
_NULL_PART = re.compile(r"(?:,\s*|\s+)(?:null|none)\b", re.IGNORECASE)
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_LETTERS = re.compile(r"[^a-z]+")


@dataclass(frozen=True, slots=True)
class AuthorList:
    """Family-name keys in order; ``alt`` holds the other reading of ambiguous names.

    A key is the folded family name, its words separated by one space ("andres gamboa").
    Group authors are counted in ``groups`` but not compared: "ALTS Group" in one
    database's list and not in another's says nothing either way.
    """

    families: tuple[str, ...] = ()
    alt: tuple[str, ...] = ()
    truncated: bool = False  # the source cut the list with "et al."
    groups: int = 0
    initials: tuple[str, ...] = ()  # first letter of each given name ("" if none)

    @property
    def first(self) -> str:
        return self.families[0] if self.families else ""


@lru_cache(maxsize=1 << 17)
def _key(family: str) -> str:
    words = _LETTERS.sub(" ", fold(family).replace("'", "").replace("’", "")).split()
    words = [w for w in words if w not in _SUFFIXES] or words
    return " ".join([w for w in words if w not in _PARTICLES] or words)


def _split_glued(name: str) -> list[str]:
    if "." not in name or not _GLUE.search(name):
        return [name]
    # A reader may have turned "Adeli K.Lewis G. F." into "Adeli K.Lewis, G. F.": undo it.
    if name.count(",") == 1:
        name = name.replace(",", " ")
    return [part.strip() for part in _GLUE.split(name) if part.strip()]


def _initial(given: str) -> str:
    first = given.lstrip(" .-'")[:1].lower()
    if first.isascii():
        return first if first.isalpha() else ""
    return next((c for c in fold(given) if c.isalpha()), "")


def _family(name: str) -> tuple[str, str, str]:
    """(family key, alternative key or "", initial of the given name or "") for one name
    in any common order."""
    if "ull" in name or "one" in name:  # "Kang, null": an empty given name written out
        name = _NULL_PART.sub("", name)
    name = name.strip(" .;,")
    if "," in name:
        family, _, given = name.partition(",")
        given = given.strip()
        if family.strip() and given and not _INITIALS.match(given.replace(" ", "")):
            # "Lizbeth, Estela" exports sometimes swap the parts: keep both readings.
            first_given = given.split()[0]
            if "." not in first_given and len(first_given) > 2:
                return _key(family), _key(first_given), _initial(given)
        return _key(family), "", _initial(given)
    parts = name.split()
    if len(parts) == 1:
        return _key(parts[0]), "", ""
    tail = []
    while len(parts) > 1 and _INITIALS.match(parts[-1]) and parts[-1].upper() == parts[-1]:
        tail.insert(0, parts.pop())
    if tail:  # "Smith JA", "van der Berg K."
        return _key(" ".join(parts)), "", _initial(tail[0])
    if (
        _INITIALS.match(parts[0].replace(".", "").upper())
        and parts[0][0].isupper()
        and (len(parts[0].rstrip(".")) <= 2 or "." in parts[0])
    ):
        # "J. A. Smith", "B. Abrahao"
        initial = _initial(parts[0])
        while len(parts) > 1 and (len(parts[0].rstrip(".")) <= 2 or "." in parts[0]):
            parts.pop(0)
        return _key(" ".join(parts)), "", initial
    # "John Smith" or "Omulo Sylvia": family last or first; keep both readings.
    family = [parts.pop()]
    while len(parts) > 1 and parts[-1].lower() in _PARTICLES:
        family.insert(0, parts.pop())
    return _key(" ".join(family)), _key(parts[0]), _initial(parts[0])


@lru_cache(maxsize=1 << 18)
def _read_name(name: str) -> tuple[str, str, str, str]:
    """(kind, key, alt, initial) for one name; kind is "person", "group", "et al" or "skip".

    Cached: the same names recur across the copies of a paper and across papers.
    """
    name = name.strip()
    kind = "person"
    lower = name.lower()
    if lower.endswith((" et al", " et al.")):
        kind = "person et al"
        name = name[: lower.rfind(" et al")]
    if not name or _PLACEHOLDER.match(name):
        return ("et al" if kind != "person" else "skip"), "", "", ""
    if _ET_AL.match(name):
        return "et al", "", "", ""
    if _GROUP.search(name):
        return "group", "", "", ""
    key, alt, initial = _family(name)
    return (kind if key else "skip"), key, alt, initial


def parse_authors(names: Sequence[str]) -> AuthorList:
    """An `AuthorList` from a record's author strings (any of the forms above)."""
    return _parse_authors(tuple(names))


@lru_cache(maxsize=1 << 16)
def _parse_authors(names: tuple[str, ...]) -> AuthorList:
    # Cached on the whole list: copies of a paper from one database spell it alike.
    families: list[str] = []
    alts: list[str] = []
    initials: list[str] = []
    truncated = False
    groups = 0
    for raw in names:
        for name in _split_glued(raw):
            kind, key, alt, initial = _read_name(name)
            if kind == "group":
                groups += 1
            elif kind == "et al":
                truncated = True
            elif key and len(families) < MAX_AUTHORS:
                truncated = truncated or kind == "person et al"
                families.append(key)
                alts.append(alt)
                initials.append(initial)
    if len(families) == 1 and not groups and _sole_body(names):
        return AuthorList(groups=1)
    return AuthorList(tuple(families), tuple(alts), truncated, groups, tuple(initials))


def _sole_body(names: tuple[str, ...]) -> bool:
    """A sole author that reads as a body, not a person: one word ("Pfizer"), or words
    without a comma or an initial ("Boehringer Ingelheim", "Bristol-Myers Squibb").
    Readers write a person "Family, Given" (or "Family GI" where a database glues
    names), so such an author is a trial's sponsor or an organisation far more often than
    a person, and says nothing about which paper a record is."""
    name = names[0].strip()
    if len(names) != 1 or "," in name or "." in name:
        return False
    return not any(_INITIALS.match(part) and part.isupper() for part in name.split())


def _same_name(a: str, b: str) -> bool:
    """One family name, allowing typos, lost diacritics and compound surnames."""
    if a == b:
        return True
    if " " in a or " " in b:
        # "andres gamboa" / "andres", "thumbi samuel" / "thumbi": a shared long word.
        if {w for w in a.split() if len(w) >= 4} & {w for w in b.split() if len(w) >= 4}:
            return True
        a, b = a.replace(" ", ""), b.replace(" ", "")
        if a == b:
            return True
    if min(len(a), len(b)) < 3:
        return False
    return JaroWinkler.normalized_similarity(a, b) >= 0.86


def _swapped(a: AuthorList, b: AuthorList, i: int) -> bool:
    """ "Priya, K." against "Kumar, P.": each family name starts with the other's initial,
    one export having taken the forename for the family name."""
    x, y = a.initials[i], b.initials[i]
    return (
        bool(x and y)
        and a.families[i][0] == y
        and b.families[i][0] == x
        and (a.families[i] != b.families[i])
    )


def _matches(a: AuthorList, i: int, b: AuthorList) -> bool:
    names = {a.families[i], a.alt[i]} - {""}
    for j, other in enumerate(b.families):
        for candidate in {other, b.alt[j]} - {""}:
            for name in names:
                if _same_name(name, candidate):
                    return True
    # A swapped name counts only at the same place in both lists: initials alone would
    # pair too many names ("Yang, G." and "Gaung, Y.").
    return i < len(b.families) and _swapped(a, b, i)


def compare_authors(a: AuthorList, b: AuthorList) -> tuple[bool, float] | None:
    """(first authors agree, share of the shorter list found in the other); None if unknown."""
    if not a.families or not b.families:
        return None
    return _compare_lists(a, b)


@lru_cache(maxsize=1 << 16)
def _compare_lists(a: AuthorList, b: AuthorList) -> tuple[bool, float]:
    # Cached: the copies of one paper come in a few spellings of one list, so the pairs
    # of a group compare the same two lists again and again.
    short, long_ = (a, b) if len(a.families) <= len(b.families) else (b, a)
    exact = set(long_.families) | set(long_.alt)
    found = 0
    for i, name in enumerate(short.families):
        # Most copies spell most names alike: a set lookup settles them before fuzzing.
        if name in exact or (short.alt[i] and short.alt[i] in exact) or _matches(short, i, long_):
            found += 1
    first = (
        a.first == b.first
        or any(
            _same_name(x, y) for x in (a.first, a.alt[0]) for y in (b.first, b.alt[0]) if x and y
        )
        or _swapped(a, b, 0)
    )
    return first, found / len(short.families)


def first_author(names: Sequence[str]) -> str:
    """The first person's family-name key, without parsing the rest of the list."""
    for raw in names:
        for name in _split_glued(raw):
            kind, key, _, _ = _read_name(name)
            if key and kind != "et al":
                return key
    return ""
