"""Friendly labels for facets and codes, in one order everywhere, and text made safe for charts.

The slugs are the data (``quasi-experimental``); people read labels ("Quasi-experimental").
The labels below agree with ``data/codebook.yaml``; a code the table holds that is not
listed here (a code added to a project's codebook, a country, a database label) is shown
as written, slugs with their hyphens turned into spaces.

Plotly reads a subset of HTML in every text it draws (``<b>``, ``<br>``, ``<a href>``), so
any text that comes from the data goes through `plot_text` before it reaches a figure.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable

__all__ = [
    "CODE_LABELS",
    "FACET_LABELS",
    "NOT_CODED",
    "code_label",
    "count_text",
    "facet_label",
    "order_values",
    "plot_text",
    "wrap_label",
]

FACET_LABELS: dict[str, str] = {
    "method": "Method",
    "population": "Population",
    "perspective": "Perspective",
    "direction": "Direction of findings",
    "themes": "Themes",
    "setting": "Setting",
    "country": "Country",
    "peer_role": "Peer role",
    "databases": "Database",
    "year": "Year",
}

# Per facet, every known code in the order it is shown (not alphabetical: the codebook's).
CODE_LABELS: dict[str, dict[str, str]] = {
    "method": {
        "systematic-review": "Systematic review",
        "narrative-review": "Narrative review",
        "rct": "Randomised controlled trial",
        "quasi-experimental": "Quasi-experimental",
        "pre-post": "Pre-post",
        "survey": "Survey",
        "qualitative": "Qualitative",
        "mixed-methods": "Mixed methods",
        "case-study": "Case study",
        "commentary": "Commentary",
        "unclear": "Unclear",
    },
    "population": {
        "sexual-offences": "Sexual offences",
        "violent-offences": "Violent offences",
        "women": "Women",
        "young-people": "Young people",
        "older-people": "Older people",
        "mental-health": "Mental health",
        "substance-use": "Substance use",
        "long-sentence": "Long sentence",
        "general-prison": "General prison",
        "reentry": "Reentry",
        "staff": "Staff",
    },
    "perspective": {
        "peer-supporters": "Peer supporters",
        "recipients": "Recipients",
        "staff": "Staff",
    },
    "direction": {
        "benefit": "Benefit",
        "mixed": "Mixed",
        "challenge": "Challenge",
        "null": "No effect",
        "unclear": "Unclear",
    },
    "themes": {
        "identity-desistance": "Identity and desistance",
        "wellbeing": "Wellbeing",
        "suicide-self-harm": "Suicide and self-harm",
        "physical-health": "Physical health",
        "substance-use": "Substance use",
        "reoffending": "Reoffending",
        "treatment-engagement": "Treatment engagement",
        "prison-climate": "Prison climate",
        "education-employment": "Education and employment",
        "institutional-barriers": "Institutional barriers",
        "relationships": "Relationships",
    },
    "setting": {
        "prison": "Prison",
        "jail": "Jail",
        "youth-custody": "Youth custody",
        "secure-hospital": "Secure hospital",
        "community": "Community",
    },
    "peer_role": {
        "listener": "Listener",
        "mentor": "Mentor",
        "educator": "Educator",
        "buddy-carer": "Buddy or carer",
        "peer-worker": "Peer worker",
        "reading-mentor": "Reading mentor",
        "therapeutic-community": "Therapeutic community",
        "recovery": "Recovery",
    },
}
# The value charts show for studies with no code in a facet (never a code: codes are slugs
# or names, and no name is written in brackets like this).
NOT_CODED = "(not coded)"
NOT_CODED_LABEL = "Not coded"

# Facets whose values are names, shown exactly as written (no slug prettifying).
_NAME_FACETS = frozenset({"country", "databases"})
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def facet_label(facet: str) -> str:
    """ "Peer role" for ``peer_role``; an unknown facet name prettified."""
    return FACET_LABELS.get(facet) or facet.replace("_", " ").replace("-", " ").capitalize()


def code_label(facet: str, value: object) -> str:
    """The label people read for one value of a facet (plain text, not yet plot-safe)."""
    text = "" if value is None else str(value)
    if text == NOT_CODED:
        return NOT_CODED_LABEL
    known = CODE_LABELS.get(facet, {}).get(text)
    if known:
        return known
    if facet not in _NAME_FACETS and _SLUG.match(text):
        return text.replace("-", " ").capitalize()
    return text


def order_values(facet: str, values: Iterable[object]) -> list[str]:
    """The values in the order they are shown: known codes in codebook order, then the
    rest alphabetically (case-insensitively), each once, `NOT_CODED` last. Years sort as
    numbers."""
    unique = list(dict.fromkeys(str(v) for v in values))
    if facet == "year":
        return sorted(unique, key=lambda v: (not v.isdigit(), int(v) if v.isdigit() else 0, v))
    known = CODE_LABELS.get(facet, {})
    rank = {code: i for i, code in enumerate(known)}
    return sorted(
        unique, key=lambda v: (v == NOT_CODED, v not in rank, rank.get(v, 0), v.casefold(), v)
    )


def plot_text(text: object) -> str:
    """Text that Plotly draws literally: its pseudo-HTML (``<a href>``, ``<b>``) escaped."""
    return html.escape("" if text is None else str(text), quote=False)


def wrap_label(text: object, width: int = 18, *, max_lines: int = 3) -> str:
    """Plot-safe text broken into lines of about ``width`` characters with ``<br>``.

    Long axis labels otherwise eat the plot area or get cut. Words longer than ``width``
    are not split; more than ``max_lines`` lines end with an ellipsis.
    """
    raw = "" if text is None else str(text)
    lines = textwrap.wrap(raw, width=width, break_long_words=False, break_on_hyphens=False)
    if not lines:
        return ""
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + " …"]
    return "<br>".join(plot_text(line) for line in lines)


def count_text(n: int, one: str = "study", many: str = "studies") -> str:
    """ "1 study", "2,345 studies"."""
    return f"{n:,} {one if n == 1 else many}"
