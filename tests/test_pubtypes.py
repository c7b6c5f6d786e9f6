"""Document types as databases name them map to one entry type, the most specific winning."""

from __future__ import annotations

import pytest

from lib.readers._pubtypes import entrytype_from_types


@pytest.mark.parametrize(
    ("types", "etype"),
    [
        (["Article; Early Access"], "article"),
        (["Editorial Material"], "editorial"),
        (["journalArticle"], "article"),  # Zotero's camelCase item types
        (["bookSection"], "chapter"),
        (["conferencePaper"], "conference"),
        (["Meeting Abstract"], "conference"),
        (["Journal Article", "Published Erratum"], "erratum"),
        (["Journal Article; Review"], "review"),
        (["Book Review"], "misc"),  # a review of a book is not a review article
        (["Research Support, Non-U.S. Gov't"], "article"),  # unknown names: the default
    ],
)
def test_most_specific_type_wins(types: list[str], etype: str) -> None:
    assert entrytype_from_types(types) == etype
