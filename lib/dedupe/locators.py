"""Volume, issue, pages and DOI reduced to values that can contradict each other.

A locator only vetoes a merge when it is read with certainty, so every parser here
returns "" for what it cannot read cleanly: "1)" (a volume cut out of "56 (Suppl 1)"),
"No Pagination Specified", "94 p" (a page count, not a page). Pages accept "1049-58"
(= 1049-1058), "S123" (= 123), "ix45" (page 45 of supplement 9), "e214", article numbers
("CD002273"), and the ranges a spreadsheet turned into dates ("21-Aug" was 21-28,
"01-Oct" was 1-10). Such a date is read, but `pages_garbled` says it was one, and
`page_typo` spots a first page one digit off: both make a disagreement a doubt, not a
contradiction.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from lib.fields import clean_doi

__all__ = [
    "doi_key",
    "doi_version_base",
    "issue_in_volume",
    "issue_key",
    "page_range",
    "page_typo",
    "pages_garbled",
    "pages_relation",
    "supplement_numbers",
    "volume_key",
]

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_PAGE_COUNT = re.compile(r"^\d+\s*(?:p|pp|pages?)\.?$", re.IGNORECASE)
_DATE_RANGE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})$|^([A-Za-z]{3})-(\d{1,2})$")
_PAGE = re.compile(r"^([A-Za-z]{0,3})0*(\d+)[A-Za-z]?$")


def _expand_end(start: str, end: str) -> str:
    """ "1049", "58" → "1058": an end page written with only its last digits."""
    if len(end) < len(start):
        candidate = start[: len(start) - len(end)] + end
        return candidate if int(candidate) >= int(start) else end
    return end


def page_range(pages: str) -> tuple[str, str, str]:
    """(first page, last page, letter prefix) with pages as digit strings.

    The prefix ("S" for supplements, "e" or "c" for article numbers) is kept apart: "S123"
    equals "123", but "c1804" (an article number) is not comparable with page "1014".
    Empty strings where the field cannot be read with certainty.
    """
    text = pages.strip().replace("--", "-").replace("–", "-").replace("—", "-")
    first, sep, last = text.partition("-")
    if first.isdigit() and (not sep or last.isdigit()):  # the usual "123-130", fast
        start = first.lstrip("0") or "0"
        return start, (_expand_end(start, last.lstrip("0") or "0") if sep else ""), ""
    if not text or _PAGE_COUNT.match(text):
        return "", "", ""
    date = _DATE_RANGE.match(text)
    if date:
        if date.group(1):
            day, month = date.group(1), _MONTHS.get(date.group(2).lower())
            if month:
                start = str(int(day))
                return start, _expand_end(start, str(month)), ""
        else:
            month = _MONTHS.get(date.group(3).lower())
            if month:
                return str(month), _expand_end(str(month), str(int(date.group(4)))), ""
        return "", "", ""
    first, sep, last = text.partition("-")
    start_match = _PAGE.match(first.strip())
    if not start_match:
        return "", "", ""
    prefix, start = start_match.group(1).lower(), start_match.group(2)
    if not sep:
        return start, "", prefix
    end_match = _PAGE.match(last.strip())
    if not end_match:
        return start, "", prefix
    return start, _expand_end(start, end_match.group(2)), prefix


def pages_garbled(pages: str) -> bool:
    """True for a page range a spreadsheet turned into a date ("01-Jun", "Sep-15")."""
    return "-" in pages and bool(_DATE_RANGE.match(pages.strip()))


_ROMAN_PREFIX = re.compile(r"^[ivx]{1,4}$")


def _plain_or_supplement(a: str, b: str) -> bool:
    """Prefixes that number pages alike: none, "S" (supplement) or a roman supplement
    number ("ix45" is page 45 of supplement 9, written "45" or "S45" elsewhere)."""
    return all(not p or p == "s" or _ROMAN_PREFIX.match(p) for p in (a, b))


def pages_relation(a: tuple[str, str, str], b: tuple[str, str, str]) -> str:
    """ "same" first page, "different", or "missing" when not comparable.

    Not comparable: either absent; an article number against a page ("e12724" and
    "1-6", "c1804" and "1014"); a single page that lies inside the other's range
    ("569" and "567-569", some databases give only the last page); an article number
    against a page count ("104523" and "1-19").
    """
    (sa, ea, pa), (sb, eb, pb) = a, b
    if not sa or not sb:
        return "missing"
    if sa == sb:
        if pa != pb and pa and pb and _ROMAN_PREFIX.match(pa) and _ROMAN_PREFIX.match(pb):
            return "different"  # page 45 of two supplements
        return "same"
    if ea and ea == eb:  # "S78-S89" and "S3-89": a mangled first page, the same last one
        return "missing"
    if pa != pb and not _plain_or_supplement(pa, pb):
        return "missing"
    if (sa == "1" and ea and not eb) or (sb == "1" and eb and not ea):
        return "missing"  # a page count against an article number
    if not ea and eb and int(sb) <= int(sa) <= int(eb):
        return "missing"
    if not eb and ea and int(sa) <= int(sb) <= int(ea):
        return "missing"
    return "different"


def page_typo(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    """First pages one keystroke apart ("676"/"678", "1234"/"1243") where at most one
    record gives a last page: an export's typo rather than another paper. Two full
    ranges that differ ("2189-2193", "2194-2198") are two papers, and so are neighbouring
    pages ("51", "52"), where letters and abstracts follow each other page by page."""
    x, y = a[0], b[0]
    if not x or not y or len(x) != len(y) or len(x) < 2 or abs(int(x) - int(y)) <= 1:
        return False
    if (a[1] and b[1]) or a[2] or b[2]:
        return False
    diff = [k for k in range(len(x)) if x[k] != y[k]]
    one = len(diff) == 1
    swapped = (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and x[diff[0]] == y[diff[1]]
        and x[diff[1]] == y[diff[0]]
    )
    return one or swapped


def ranges_meet(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    """Two full page ranges, numbered alike, that share a page ("945-948" and "948-961"):
    one article whose range an export got wrong, or two short pieces of one issue."""
    (sa, ea, pa), (sb, eb, pb) = a, b
    if not (sa and ea and sb and eb) or pa != pb:
        return False
    return max(int(sa), int(sb)) <= min(int(ea), int(eb))


_SUPPLEMENT = re.compile(r"(?:suppl(?:ement)?\.?|\bs)\s*(\d+)", re.IGNORECASE)
_ISSUE_IN_VOLUME = re.compile(r"^\s*\d+\s*\((\d+)\)")


def supplement_numbers(*fields: str) -> frozenset[str]:
    """Supplement numbers named in volume or issue ("SUPPL. 1", "56 (Suppl 3)", "S2")."""
    if not any("s" in f or "S" in f for f in fields if f):
        return frozenset()
    return frozenset(
        m.lstrip("0") or "0" for text in fields for m in _SUPPLEMENT.findall(text or "")
    )


def issue_in_volume(volume: str) -> str:
    """The issue a volume field carries in parentheses: "10 (9) (no pagination)" → "9"."""
    if not volume or "(" not in volume:
        return ""
    match = _ISSUE_IN_VOLUME.match(volume)
    return match.group(1).lstrip("0") or "0" if match else ""


_VOLUME = re.compile(r"^\s*(?:vol(?:ume)?\.?\s*)?(\d+)\s*(?:\(.*\))?\s*[A-Za-z .]*$")


# A journal's subtitle pushed into the volume field: "Japanese journal of clinical
# medicine. 69" (the title was split at its first full stop).
_NAME_THEN_VOLUME = re.compile(r"^[A-Za-z][A-Za-z ,:&'-]{8,}[.,;:]\s*(\d{1,5})\s*$")
_NOT_A_VOLUME = re.compile(r"suppl|part|pt\b|no\b|issue|number|abstract", re.IGNORECASE)


def volume_key(volume: str) -> str:
    """The volume number, or "" when the field is not clearly one ("1)", "Suppl")."""
    text = volume.strip()
    if not text or text.count("(") != text.count(")"):
        return ""
    if text[:1].isalpha() and text[-1:].isdigit():
        shifted = _NAME_THEN_VOLUME.match(text)
        if shifted and not _NOT_A_VOLUME.search(text):
            return shifted.group(1).lstrip("0") or "0"
    match = _VOLUME.match(text)
    if not match or re.search(r"suppl|part|pt\b", text[match.end(1) :], re.IGNORECASE):
        # "35 (Supplement 1)" keeps 35; "Suppl 2" alone is not a volume.
        if match and "(" in text:
            return match.group(1).lstrip("0") or "0"
        return ""
    return match.group(1).lstrip("0") or "0"


_ISSUE = re.compile(r"^\s*(?:no\.?\s*|issue\s*)?(\d+)(?:\s*[-/]\s*(\d+))?\s*$", re.IGNORECASE)


def issue_key(issue: str) -> str:
    """A plain issue number ("3", "4-5"); "" for supplements and anything unclear."""
    if issue.isdigit():
        return issue.lstrip("0") or "0"
    match = _ISSUE.match(issue or "")
    if not match:
        return ""
    first = match.group(1).lstrip("0") or "0"
    return f"{first}-{match.group(2).lstrip('0') or '0'}" if match.group(2) else first


def doi_key(doi: str) -> str:
    """The DOI in one comparable form: cleaned, URL escapes decoded, lower case."""
    if not doi:
        return ""
    text = unquote(doi) if "%" in doi else doi
    return clean_doi(text)


_VERSION = re.compile(r"(?:\.pub\d+|(?<=\d)v\d+)$")


def doi_version_base(doi: str) -> str:
    """The DOI without a version suffix (Cochrane ".pub3", preprint "v2")."""
    return _VERSION.sub("", doi)
