"""Titles as comparable text, and what a title says about the kind of record.

The same title arrives as "Efficacy of X. [Chinese]", "[Efficacy of X]." (MEDLINE's
brackets for a translated title), "EFFICACY OF X" or with "<sup>-/-</sup>" markup;
`title_words` reduces all of them to "efficacy of x". A title also flags traps: generic
titles ("Editorial", "Reply") carry no identity, errata and retraction notices are other
reports of a paper, and "Part I"/"Part II" or differing numbers mark different papers
behind near-identical text.
"""

from __future__ import annotations

import re

from lib.dedupe.text import fold_words

__all__ = [
    "NOTICE_KINDS",
    "is_generic",
    "notice_kind",
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


def title_words(title: str) -> str:
    """The title as lower-case words: tags, language tags and translation brackets removed."""
    if not title:
        return ""
    text = _strip_trailing_tags(title)
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


def title_numbers(words: str) -> frozenset[str]:
    """The numbers written in the title ("40 years", "phase 3"), leading zeros dropped;
    "10 000" and "10,000" are one number."""
    numbers = _NUMBER.findall(words)
    if not numbers:
        return _NO_NUMBERS
    if len(numbers) > 1:
        numbers = _NUMBER.findall(_THOUSANDS.sub("", words))
    return frozenset(n.lstrip("0") or "0" for n in numbers)


_NO_NUMBERS: frozenset[str] = frozenset()
