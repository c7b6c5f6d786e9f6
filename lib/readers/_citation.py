"""Journal, volume, issue, pages and year out of a one-line citation ("Source" strings).

Ovid, ProQuest and some Cochrane records give the container only as one string, in a
layout that differs by database:

- Ovid MEDLINE, BIOSIS: ``Journal of X. 26(2):225-38, 1999 Apr.``
- Ovid Embase: ``Journal of X. 26 (2) (pp 225-238), 1999. Date of Publication: Apr 1999.``
- Ovid PsycINFO: ``Journal of X. Vol.26(2), 1999, pp. 225-238.``
- ProQuest: ``Journal of X 26.2 (Apr 1999): 225-38.`` and ``Journal of X; London Vol. 26,
  Iss. 2, (Apr 1999): 225-38.``

No library parses these, so each layout is one regular expression; the first that matches
wins, and what precedes the match is the journal. Readers use this only when the record
has no separate journal/volume/issue/pages fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lib.fields import clean_pages, clean_text, parse_year

__all__ = ["Citation", "parse_source"]

_PAGE = r"[A-Za-z]{0,3}\d+[A-Za-z]?(?:\s*[-\u2010-\u2015]\s*[A-Za-z]{0,3}\d+[A-Za-z]?)?"
_PAGES_AFTER = re.compile(rf"(?:\bpp?\.?\s*|\):\s*|^\s*:\s*)(?P<pages>{_PAGE})")
_LAYOUTS: tuple[re.Pattern[str], ...] = (
    # PsycINFO "Vol.26(2)", ProQuest "Vol. 26, Iss. 2,"
    re.compile(
        r"\bVol(?:ume)?\.?\s*(?P<vol>[\w-]+?)\s*"
        r"(?:\((?P<iss>[^()]*(?:\([^()]*\))?[^()]*)\)|,\s*(?:Iss(?:ue)?|No)\.?\s*(?P<iss2>[\w-]+))?"
        r"(?=[\s,.;(]|$)"
    ),
    # Embase "26 (2) (pp 225-238)", "26 (2) (no pagination)"
    re.compile(
        r"(?<![\w.])(?P<vol>\d+[A-Za-z]?)\s*(?:\((?P<iss>[^()]+)\))?\s*"
        rf"\((?:pp\.?\s*(?P<pages>{_PAGE})|[Nn]o pagination)\)"
    ),
    # ProQuest "26.2 (Apr 1999): 225-38"
    re.compile(
        r"(?<![\w.])(?P<vol>\d+)\.(?P<iss>[\w-]+)\s*\((?P<date>[^()]*)\)"
        rf"(?:\s*:\s*(?P<pages>{_PAGE}))?"
    ),
    # MEDLINE "Journal. 26(2):225-38", "598:188-197", "(5):CD012345", "Journal, 2013(1): 3-28"
    re.compile(
        r"(?<=[.,]\s)(?P<vol>\d[\w-]*)?\s*(?:\((?P<iss>[^()]+)\))?\s*:\s*"
        rf"(?P<pages>{_PAGE})(?![\w-])"
    ),
)


@dataclass(frozen=True, slots=True)
class Citation:
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    year: int | None = None


def parse_source(value: str) -> Citation:
    """The parts of a citation string; parts it cannot find are empty (never raises)."""
    text = clean_text(value)
    if not text:
        return Citation()
    for layout in _LAYOUTS:
        for match in layout.finditer(text):
            groups = match.groupdict()
            vol = groups.get("vol") or ""
            iss = groups.get("iss") or groups.get("iss2") or ""
            if not (vol or iss):
                continue
            pages = groups.get("pages") or ""
            rest = text[match.end() :]
            if not pages:
                found = _PAGES_AFTER.search(rest)
                pages = found.group("pages") if found else ""
            journal = text[: match.start()].split(";")[0].strip(" .,:;")
            year = parse_year(groups.get("date") or "") or parse_year(rest)
            return Citation(
                journal=journal,
                volume=vol.strip(),
                issue=iss.strip(),
                pages=clean_pages(pages),
                year=year if year is not None else parse_year(text),
            )
    journal = re.split(r"\.\s|;|,?\s+(?=\d)", text, maxsplit=1)[0].strip(" .,:;")
    return Citation(journal=journal, year=parse_year(text))
