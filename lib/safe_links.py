"""Which record values may become clickable links: only ``https://`` URLs and DOIs.

Record fields come from exports we do not control; a ``javascript:`` or ``data:`` URL in
a URL field, shown as a link, would run in the reviewer's browser. So the app links only
what these functions return, and shows everything else as text.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from lib.fields import clean_doi

__all__ = ["doi_url", "safe_url", "study_link"]

# Control characters, white space, quotes and angle brackets never belong in a link.
_BAD = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>\\`\u2028\u2029]")
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})


def doi_url(doi: object) -> str | None:
    """``https://doi.org/<doi>`` for a value holding a DOI (any of its written forms)."""
    cleaned = clean_doi(doi)
    if not cleaned:
        return None
    return "https://doi.org/" + quote(cleaned, safe="/:;()._-")


def safe_url(value: object) -> str | None:
    """The value as a link target if it is an ``https://`` URL or a DOI, else ``None``.

    ``http://`` (and bare ``doi.org/…``) DOI links are rewritten to ``https://doi.org/``;
    other ``http://`` URLs, other schemes, credentials in the URL, and anything with
    spaces, quotes or control characters give ``None``.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    lowered = text.lower()
    if lowered.startswith("10.") or lowered.startswith("doi:"):
        return doi_url(text)
    if _BAD.search(text):
        return None
    if "://" not in text and lowered.split("/", 1)[0] in _DOI_HOSTS:
        return doi_url(text)
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme in ("http", "https") and host in _DOI_HOSTS:
        return doi_url(text)
    if scheme != "https" or not host or parts.username or parts.password:
        return None
    if not re.fullmatch(r"[a-z0-9.-]+(?::\d{1,5})?", parts.netloc.lower()):
        return None  # IP literals in brackets, odd hosts: shown as text
    return text


def study_link(doi: object, url: object = None) -> str | None:
    """The one link shown for a study: its DOI if it has one, else its https URL."""
    return doi_url(doi) or safe_url(url)
