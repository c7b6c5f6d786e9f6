"""Journal names: full, abbreviated, with conference details, and whether two agree.

"Curr Opin Lipidol" and "Current Opinion in Lipidology", "The Lancet" and "Lancet",
"Diabetes & Metabolism" and "Diabetes and metabolism", "Circ Res" and "Circulation
Research. Conference: Basic Cardiovascular Sciences 2011", "AMCIS 2017 Proceedings" and
"Americas Conference on Information Systems" all name one venue. Standard abbreviations
(ISO 4 / NLM) keep the first letters of each word in order, so an abbreviated word is
matched to a full word when its letters appear in the full word in order, starting with
the same letter; an acronym is matched to the initials of the full name. No list of
journals is needed (and none would cover conference names).
"""

from __future__ import annotations

import re

from lib.dedupe.text import fold_words

__all__ = [
    "journal_key",
    "journal_relation",
    "journal_variants",
    "journal_words",
    "looks_like_conference",
    "meeting_relation",
    "venue_kind",
    "venue_relation",
]

_STOP = frozenset(
    [
        "of",
        "the",
        "and",
        "for",
        "in",
        "on",
        "de",
        "la",
        "le",
        "et",
        "fur",
        "und",
        "der",
        "die",
        "das",
        "y",
        "at",
        "a",
        "an",
    ]
)
# Embase appends the meeting to the journal: "Circulation. Conference: AHA 2014 ...".
_CONFERENCE_SUFFIX = re.compile(
    r"[.:;,]?\s*(?:conference|meeting|congress|symposium)\s*:.*$", re.IGNORECASE
)
_SQUARE = re.compile(r"\[([^\[\]]*)\]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NUMBERS = re.compile(r"\b\d+(?:st|nd|rd|th)?\b")
_CONFERENCE = re.compile(
    r"\b(conference|congress|meeting|symposium|proceedings|proc|abstracts|workshop|"
    r"annual|colloquium|summit|forum|convention|poster)\b"
)


def _words(text: str) -> tuple[str, ...]:
    words = _NUMBERS.sub(" ", fold_words(text.replace("&", " and "))).split()
    return tuple(w for w in words if w not in _STOP)


def journal_words(journal: str) -> tuple[str, ...]:
    """Significant words of a venue name: folded, no meeting suffix, no stop words."""
    if not journal:
        return ()
    text = _CONFERENCE_SUFFIX.sub("", journal)
    return _words(_BRACKETED.sub(" ", text)) or _words(journal)


def journal_variants(journal: str) -> tuple[tuple[str, ...], ...]:
    """Other names a venue field holds: "CMAJ : Canadian Medical Association Journal",
    "Brain: a journal of neurology", "Xianggang yi xue za zhi [Hong Kong medical journal]"
    each name one journal two ways. The first variant is `journal_words`."""
    main = journal_words(journal)
    if not main:
        return ()
    out = [main]
    text = _CONFERENCE_SUFFIX.sub("", journal)
    for inner in _SQUARE.findall(text):  # translations; "(London)" is only a place
        out.append(_words(inner))
    head, sep, tail = _BRACKETED.sub(" ", text).partition(":")
    if sep:
        out += [_words(head), _words(tail)]
    head, sep, _ = _BRACKETED.sub(" ", text).partition(". ")
    if sep:
        out.append(_words(head))
    return tuple(dict.fromkeys(v for v in out if v))


def journal_key(words: tuple[str, ...]) -> str:
    """Initials of the significant words: equal for a name and its standard abbreviation."""
    return "".join(w[0] for w in words)


def looks_like_conference(journal: str) -> bool:
    """True when the venue reads as a meeting, proceedings or abstract book."""
    return bool(_CONFERENCE.search(fold_words(journal)))


# Words that say what kind of venue a name is. "Proceedings", "annual", "forum" and
# "abstracts" are left out: "Proceedings of the National Academy of Sciences", "Annual
# Review of Medicine" and "Forum" journals are journals.
_MEETING_WORD = re.compile(
    r"\b(conference|congress|meeting|symposium|workshop|colloquium|convention)\b"
)
_JOURNAL_WORD = re.compile(r"\b(journal|zeitschrift|revue|revista|rivista|tijdschrift)\b")
# Embase's journal-and-meeting form, also when the meeting's name was cut ("Stroke.
# Conference").
_JOURNAL_THEN_MEETING = re.compile(
    r"\w\s*[.;,]\s*(?:conference|meeting|congress|symposium)\b", re.IGNORECASE
)


def venue_kind(journal: str) -> str:
    """ "journal" or "meeting" when the name alone says which ("Journal of Digital
    Studies", "Workshop on Digital Studies"); "" when it does not say ("Diabetes"), or
    says both: "Journal of Physics: Conference Series", and Embase's "Diabetes.
    Conference: 70th Scientific Sessions" (or cut short, "Diabetes. Conference"), which
    is a journal's supplement holding a meeting's abstracts."""
    if not journal or _MEETING.search(journal) or _JOURNAL_THEN_MEETING.search(journal):
        return ""
    folded = fold_words(journal)
    meeting, named_journal = _MEETING_WORD.search(folded), _JOURNAL_WORD.search(folded)
    if meeting and not named_journal:
        return "meeting"
    if named_journal and not meeting:
        return "journal"
    return ""


def _abbreviates(short: str, full: str) -> bool:
    """ "cardiovasc" abbreviates "cardiovascular": same first letter, letters in order."""
    if short == full:
        return True
    if not short or not full or short[0] != full[0] or len(short) > len(full):
        return False
    if full.startswith(short):
        return True
    if len(short) < 3:
        return False
    pos = 0
    for ch in short:
        pos = full.find(ch, pos) + 1
        if pos == 0:
            return False
    return True


def _aligned(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Every word of ``a`` abbreviates the word of ``b`` at the same position.

    ``a`` may end with one-letter words ("Proc Natl Acad Sci U S A") that ``b`` lacks.
    """
    if len(a) < len(b):
        return False
    for i, word in enumerate(a):
        if i >= len(b):
            return all(len(w) == 1 for w in a[i:])
        if not _abbreviates(word, b[i]):
            return False
    return True


def _acronym(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """ "amcis" against "americas conference information systems": initials in order."""
    if len(a) != 1 or len(b) < 2 or not 2 <= len(a[0]) <= 10:
        return False
    initials = "".join(w[0] for w in b)
    return _abbreviates(initials, a[0]) or _abbreviates(a[0], initials)


def _subsequence(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """ "neuro endocrinol lett" in "neuroendocrinology letters": letters in order, spaces
    ignored, same first word letter (for abbreviations that split or join words)."""
    short, long_ = "".join(a), "".join(b)
    if len(short) > len(long_):
        short, long_ = long_, short
    return len(short) >= 8 and _abbreviates(short, long_)


def venue_relation(a: tuple[tuple[str, ...], ...], b: tuple[tuple[str, ...], ...]) -> str:
    """The best `journal_relation` between any variants of two venue fields."""
    if not a or not b:
        return "missing"
    best = "different"
    for x in a:
        for y in b:
            rel = journal_relation(x, y)
            if rel == "same":
                return "same"
            if rel == "compatible":
                best = rel
    return best


def journal_relation(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    """ "same", "compatible" (abbreviation, acronym, one name extends the other),
    "missing" (either absent) or "different"."""
    if not a or not b:
        return "missing"
    if a == b or "".join(a) == "".join(b):
        return "same"
    if _aligned(a, b) or _aligned(b, a) or _subsequence(a, b):
        return "compatible"
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    # "Atherosclerosis" and "Atherosclerosis Supplements"; "JAIDS" subtitles.
    if long_[: len(short)] == short and (len(short) >= 2 or len(short[0]) >= 6):
        return "compatible"
    # Conference names with a year or edition dropped: compare without proceedings words.
    core_a = tuple(w for w in a if not _CONFERENCE.fullmatch(w))
    core_b = tuple(w for w in b if not _CONFERENCE.fullmatch(w))
    if core_a and core_b and (core_a == core_b or _acronym(core_a, b) or _acronym(core_b, a)):
        return "compatible"
    if _acronym(a, b) or _acronym(b, a):
        return "compatible"
    return "different"


_MEETING = re.compile(r"(?:conference|meeting|congress|symposium)\s*:\s*(.+)$", re.IGNORECASE)


def _meeting_words(journal: str) -> tuple[str, ...]:
    """The meeting a venue field names after "Conference:" (Embase), else ()."""
    match = _MEETING.search(journal)
    return _words(match.group(1)) if match else ()


def meeting_relation(a: str, b: str) -> bool:
    """True when one venue is a meeting alone and the other a journal with that meeting
    ("ASC Annual Meeting 2021" against "Criminology. Conference: ASC Annual Meeting
    2021"): the same abstract, probably, but a person should confirm it."""
    for x, y in ((a, b), (b, a)):
        meeting = _meeting_words(x)
        if not meeting or _meeting_words(y) or not looks_like_conference(y):
            continue
        bare = journal_words(y)
        if journal_relation(meeting, bare) in ("same", "compatible"):
            return True
        shared = set(meeting) & set(bare)
        if len(shared) >= 2 and len(shared) >= 0.5 * min(len(set(meeting)), len(set(bare))):
            return True
    return False
