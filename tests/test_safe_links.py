"""Only https URLs and DOIs become links; everything else stays text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.safe_links import doi_url, safe_url, study_link


@pytest.mark.parametrize(
    ("value", "link"),
    [
        ("https://example.org/paper?id=1#x", "https://example.org/paper?id=1#x"),
        ("HTTPS://Example.org/a", "HTTPS://Example.org/a"),
        ("10.1177/0032885512448604", "https://doi.org/10.1177/0032885512448604"),
        ("doi:10.1000/ABC", "https://doi.org/10.1000/abc"),
        ("http://dx.doi.org/10.1000/x", "https://doi.org/10.1000/x"),
        ("doi.org/10.1000/x", "https://doi.org/10.1000/x"),
        ("https://doi.org/10.1002/(SICI)1099-1611", "https://doi.org/10.1002/(sici)1099-1611"),
    ],
)
def test_https_urls_and_dois_become_links(value: str, link: str) -> None:
    assert safe_url(value) == link


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "http://example.org/plain-http",
        "ftp://example.org/x",
        "https://user:pass@example.org/",
        "https://example.org/a b",
        'https://example.org/"onmouseover="x',
        "https://example.org/<script>",
        "https:///nohost",
        "https://[::1]/",
        "//example.org/protocol-relative",
        "example.org",
        "",
        None,
        "doi: not a doi",
    ],
)
def test_anything_else_stays_text(value: object) -> None:
    assert safe_url(value) is None


@given(st.text(max_size=60))
def test_a_link_is_always_https(value: str) -> None:
    link = safe_url(value)
    assert link is None or (link.lower().startswith("https://") and " " not in link)


def test_a_study_links_to_its_doi_before_its_url() -> None:
    assert study_link("10.1000/x", "https://example.org") == "https://doi.org/10.1000/x"
    assert study_link("", "https://example.org") == "https://example.org"
    assert study_link("", "javascript:alert(1)") is None
    assert doi_url("no doi here") is None
