"""Titles as comparable text, and what a title says about the kind of record.

The same title arrives as "Efficacy of X. [Chinese]", "[Efficacy of X]." (MEDLINE's
brackets for a translated title), "EFFICACY OF X" or with "<sup>-/-</sup>" markup;
`title_words` reduces all of them to "efficacy of x", and drops what databases insert
that is no part of the wording: PubMed's "[corrected]" and "[see comments]" anywhere,
Embase's "[1]" and "(multiple letters)", subject-classification codes appended to the
title ("1602 Criminology"). A title also flags traps: generic titles ("Editorial",
"Reply") carry no identity, errata and retraction notices are other reports of a paper
(`notice_of` reads both the "Erratum: X (Journal (2009) 48 (542-544))" and the Web of
Science "X (vol 48, pg 542, 2009)" forms), and "Part I"/"Part II" or differing numbers
mark different papers behind near-identical text.
"""

from __future__ import annotations

import re

from lib.dedupe.text import fold_words

__all__ = [
    "NOTICE_KINDS",
    "is_generic",
    "names_another_paper",
    "notice_kind",
    "notice_of",
    "strip_notice",
    "title_numbers",
    "title_part",
    "title_words",
]

LANGUAGES = frozenset(
    """afrikaans albanian arabic armenian bosnian bulgarian catalan chinese croatian czech
    danish dutch english estonian finnish french georgian german greek hebrew hindi
    hungarian icelandic indonesian italian japanese korean latvian lithuanian macedonian
    malay norwegian persian polish portuguese romanian russian serbian slovak slovakian
    slovene slovenian spanish swedish thai turkish ukrainian urdu vietnamese multiple
    languages mandarin castilian farsi""".split()
)
# Words allowed in a language tag besides language names: "[Article in Chinese]",
# "(author's transl)", "[Chinese with English abstract]".
_TAG_FILLER = frozenset(
    """article in with and abstract summary text author authors s transl translation""".split()
)
_TRAILING_TAG = re.compile(r"\s*[\[(]([^\[\]()]{2,80})[\])]\s*[.;]?\s*$")
# MEDLINE and Ovid append notes to titles: "[Review] [75 refs]", "[Erratum appears in
# Exp Brain Res 2010;202(4):...]", "(Structured abstract)", "[see comments]".
_NOTE = re.compile(
    r"^(?:review|reviews|\d+\s*refs?|structured abstract|abstract|editorial|letter|news|"
    r"comment|see comments?|case reports?|meta-?analysis|clinical trial|english abstract|"
    r"summary|(?:published )?erratum\b.*|comment(?:ed)? (?:on|in)\b.*|"
    r"retract(?:ed|ion)\b.*|corrected\b.*|republished\b.*|update (?:in|of)\b.*|"
    r"summary for patients\b.*|originally published\b.*)$",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"^\s*\[(.+)\]\s*[.]?\s*$", re.S)
# A note that runs to the end, closed or cut off, and may hold brackets of its own:
# ".[Erratum appears in Brain Inj. 2013;27(3):377 Note: Small, Sarah K [added]]".
_END_NOTE = re.compile(
    r"\s*[.]?\s*\[(?:erratum|comment|retract|corrected|republished|update|see )",
    re.IGNORECASE,
)


def _strip_trailing_tags(text: str) -> str:
    """Drop trailing language tags ("[Chinese]") and database notes ("[Review]"), repeatedly."""
    if "[" in text:  # the regexes below scan the whole title: skip them when they can't match
        note = _END_NOTE.search(text)
        if note and note.start() > 0:
            text = text[: note.start()]
    for _ in range(4):
        if not text.rstrip(" .;").endswith(("]", ")")):
            break
        match = _TRAILING_TAG.search(text)
        if not match:
            break
        inner = match.group(1).strip()
        words = set(fold_words(inner).split())
        language = (
            words
            and words <= (LANGUAGES | _TAG_FILLER)
            and bool(words & LANGUAGES or {"transl", "translation"} & words)
        )
        if not (language or _NOTE.match(inner)):
            break
        text = text[: match.start()]
    return text


# Markers a database puts inside a title: PubMed's "[corrected]" and "[see comments]",
# Embase's "[1]" (one of several letters with one title) and "(multiple letters)".
_INNER_MARKER = re.compile(
    r"\[\s*(?:corrected|see (?:editorial )?comments?|comments?|letter|editorial|\d{1,2})\s*\]"
    r"|\(\s*(?:multiple letters|\d{1,2} letters?)\s*\)",
    re.IGNORECASE,
)
# A subject-classification code and its discipline appended to a title, once or more:
# "... 1602 Criminology", ". 1117 Public Health and Health Services; 1701 Psychology".
_CODE = r"\d{4}(?:\d{2})?\s+[A-Z][A-Za-z]+(?:(?:\s+|,\s*)(?:and|of|in|&|[A-Z][A-Za-z]+))*"
_CODE_TAIL = re.compile(rf"(?:[\s.;,:]+{_CODE})+\s*[.;]?\s*$")
_CODE_ONE = re.compile(_CODE)
_CODE_HINT = re.compile(r"\d{4} [A-Z]")  # cheap test before the tail's regex
_DISCIPLINES = frozenset(
    """science sciences studies health medicine medical psychology sociology criminology
    nursing law education services economics policy administration neurosciences
    pharmacology pharmacy rehabilitation philosophy history anthropology demography
    linguistics statistics mathematics engineering biology genetics immunology microbiology
    oncology cardiology paediatrics pediatrics psychiatry dentistry physiology biochemistry
    epidemiology geography politics political work justice therapy therapies""".split()
)


def _strip_markers(text: str) -> str:
    """Drop database markers from anywhere in a title, and trailing subject codes."""
    if "[" in text or "(" in text:
        text = _INNER_MARKER.sub(" ", text)
    end = text.rstrip(" .;")
    last = end[end.rfind(" ") + 1 :].lower()
    if last in _DISCIPLINES and _CODE_HINT.search(text):
        tail = _CODE_TAIL.search(text)
        if tail and tail.start() > 0:
            codes = _CODE_ONE.findall(tail.group(0))
            if all(set(c.lower().split()) & _DISCIPLINES for c in codes):
                text = text[: tail.start()]
    return text


def title_words(title: str) -> str:
    """The title as lower-case words: tags, language tags, translation brackets and
    database markers removed."""
    if not title:
        return ""
    text = _strip_trailing_tags(_strip_markers(title))
    if text.lstrip().startswith("["):
        match = _BRACKETED.match(text)
        if match and "[" not in match.group(1):
            text = match.group(1)
    words = fold_words(text)
    return "" if words in PLACEHOLDERS else words


PLACEHOLDERS = frozenset(
    {"unknown", "untitled", "no title", "not available", "na", "n a", "none", "title"}
)

_GENERIC = frozenset(
    """editorial|editorials|reply|response|letter|letters|letter to the editor|
    letters to the editor|comment|comments|commentary|correspondence|erratum|errata|
    corrigendum|correction|corrections|retraction|introduction|preface|foreword|
    book review|book reviews|review|reviews|abstracts|conference abstracts|index|
    contents|table of contents|in this issue|news|obituary|announcement|announcements|
    editors note|editor s note|guest editorial|author reply|authors reply|author s reply|
    reply to the letter|response to letter|response to the letter|reply to letter|
    reply to comment|discussion|summary|conclusion|conclusions|overview|highlights|
    acknowledgements|acknowledgments|reviewers|meeting abstracts|poster session|
    oral presentations|poster presentations|invited commentary|case report|case reports|
    in brief|notes|note|errata and corrections|retraction notice|expression of concern|
    front matter|back matter|masthead|calendar|books received|new products|
    president s message|message from the editor|from the editor|editor s choice""".replace(
        "\n", ""
    ).split("|")
)
_GENERIC = frozenset(g.strip() for g in _GENERIC)
_GENERIC_START = re.compile(
    r"^(?:reply|response|comment|comments|re|in reply|letter|erratum|correction|"
    r"book review|review of)\b"
)


def is_generic(words: str, journal_words: str = "") -> bool:
    """True for a title that names no particular paper ("Editorial", "Reply to Smith").

    Also true for titles of one or two words and for titles that are only the journal's
    name (landing pages exported as records).
    """
    if not words:
        return True
    if words in _GENERIC:
        return True
    tokens = words.split()
    if len(tokens) <= 2:
        return True
    if _GENERIC_START.match(words) and len(tokens) <= 6:
        return True
    return bool(journal_words) and len(journal_words) > 8 and words.startswith(journal_words)


def names_another_paper(heading: str) -> bool:
    """True for words in front of a title that make it a reply, comment or notice about
    that title ("reply to", "comment on", "erratum"), not a section heading."""
    return bool(_GENERIC_START.match(heading) or _NOTICE.match(heading))


NOTICE_KINDS = ("erratum", "retraction")
_NOTICE = re.compile(
    r"^(?:(?P<erratum>erratum|errata|corrigendum|corrigenda|correction|corrections|"
    r"publisher s note|author correction|publisher correction)"
    r"|(?P<retraction>retraction|retracted|notice of retraction|retraction notice|"
    r"expression of concern|withdrawn|withdrawal))\b(?:\s+(?:to|for|of|on|note|notice|"
    r"in|regarding))*\s*"
)


def notice_kind(words: str) -> str:
    """ "erratum" or "retraction" when the title announces one, else ""."""
    match = _NOTICE.match(words)
    if not match:
        return ""
    return "erratum" if match.group("erratum") else "retraction"


def strip_notice(words: str) -> str:
    """The title of the paper an erratum or retraction notice is about ("" if none)."""
    match = _NOTICE.match(words)
    return words[match.end() :] if match else words


# The article a correction is about, cited after its title:
# Web of Science: "Title (vol 48, pg 542, 2009)" (the only sign that it is a correction);
# Embase: "Erratum: Title (Journal of X (2009) 48:6 (542-544))";
# Elsevier: "Corrigendum to 'Title' [J. X 48 (2009) 542-544]".
_WOS_CITED = re.compile(
    r"\s*\((?:[^()]*,\s*)?vol\.?\s*([\w.-]+)\s*,\s*(?:(?:pg|pp?|page)\.?\s*)?([\w-]+)\s*,"
    r"\s*((?:19|20)\d\d)\s*\)\s*[.]?\s*$",
    re.IGNORECASE,
)
_EMBASE_CITED = re.compile(
    r"\s*\(\s*[^()]*?\(((?:19|20)\d\d)\)\s*([\w.]+)(?:\s*:\s*[\w.-]+)?\s*\(\s*([\w]+)[^()]*\)"
    r"[^()]*\)\s*[.]?\s*$"  # "... (542-544) DOI: 10.1/x)"
)
_ELSEVIER_CITED = re.compile(
    r"\s*\[[^\[\]]*?\b(\d+)\s*\(((?:19|20)\d\d)\)\s*([\w]+)[^\[\]]*\]\s*[.]?\s*$"
)


_NO_NOTICE = ("", "", ("", "", ""))
_NOTICE_STARTS = frozenset("acenprw")


def notice_of(title: str, words: str) -> tuple[str, str, tuple[str, str, str]]:
    """(kind, about, cited): "erratum", "retraction" or ""; the title of the paper the
    notice is about; that paper's (volume, first page, year) where the title cites it.
    ``words`` is ``title_words(title)``.

    ("", "", ("", "", "")) for an ordinary title. Cheap for those: the regexes run only on
    titles that start like a notice or end with a bracket.
    """
    stripped = title.rstrip(" .")
    ends_cited = stripped.endswith((")", "]"))
    kind = notice_kind(words) if words[:1] in _NOTICE_STARTS else ""
    if not kind and not ends_cited:
        return _NO_NOTICE
    cited = ("", "", "")
    about_title = title
    if ends_cited and ("vol" in stripped or "Vol" in stripped or "VOL" in stripped):
        wos = _WOS_CITED.search(stripped)
        if wos and wos.start() > 0:
            cited = (wos.group(1).lstrip("0"), wos.group(2).lstrip("0"), wos.group(3))
            about_title = stripped[: wos.start()]
            kind = kind or "erratum"  # Web of Science writes corrections no other way
    if kind and ends_cited and not cited[0]:
        embase = _EMBASE_CITED.search(stripped)
        elsevier = None if embase else _ELSEVIER_CITED.search(stripped)
        if embase and embase.start() > 0:
            year, volume, page = embase.groups()
            cited, about_title = (volume, page, year), stripped[: embase.start()]
        elif elsevier and elsevier.start() > 0:
            volume, year, page = elsevier.groups()
            cited, about_title = (volume, page, year), stripped[: elsevier.start()]
    if not kind:
        return _NO_NOTICE
    about = strip_notice(title_words(about_title))
    cited = tuple(c.lower().lstrip("0") for c in cited)  # type: ignore[assignment]
    return kind, about, cited  # type: ignore[return-value]


_PART_WORDS = frozenset(
    "part pt paper study phase section chapter volume vol series report".split()
)
_PART_LABEL = re.compile(r"^(?:\d+|[ivx]{1,5}|one|two|three|four|five|six|a|b|c)$")
_ROMAN = re.compile(r"^[ivx]{1,4}$")
_NUMBER = re.compile(r"\d+")
_WORDED = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}


def title_part(words: str) -> str:
    """The part label of a multi-part paper ("part ii" → "ii"), else ""."""
    tokens = words.split()
    for i, token in enumerate(tokens[:-1]):
        if token in _PART_WORDS and _PART_LABEL.match(tokens[i + 1]):
            return _WORDED.get(tokens[i + 1], tokens[i + 1])
    return tokens[-1] if len(tokens) > 1 and _ROMAN.match(tokens[-1]) else ""


_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")


# Roman numerals that number a kind ("type II diabetes", "stage IV", "class III"): the
# same number as "type 2", and a different one from "type I".
_ROMAN_NUMBERED = re.compile(r"\b(?:type|stage|grade|class|level|phase|group)\s+([ivx]{1,4})\b")
_ROMAN_VALUE = {"i": 1, "v": 5, "x": 10}


def _roman(text: str) -> int:
    total = 0
    for ch, nxt in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN_VALUE[ch]
        total += -value if nxt and _ROMAN_VALUE[nxt] > value else value
    return total


def title_numbers(words: str) -> frozenset[str]:
    """The numbers written in the title ("40 years", "phase 3", "type II" = 2), leading
    zeros dropped; "10 000" and "10,000" are one number."""
    numbers = _NUMBER.findall(words)
    if len(numbers) > 1 and _THOUSANDS.search(words):
        numbers = _NUMBER.findall(_THOUSANDS.sub("", words))
    if (
        "type " in words
        or "stage " in words
        or "grade " in words
        or "class " in words
        or "level " in words
        or "phase " in words
        or "group " in words
    ):
        numbers += [str(_roman(m)) for m in _ROMAN_NUMBERED.findall(words)]
    if not numbers:
        return _NO_NUMBERS
    return frozenset(n.lstrip("0") or "0" for n in numbers)


_NO_NUMBERS: frozenset[str] = frozenset()
