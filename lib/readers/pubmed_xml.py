"""PubMed XML (``<PubmedArticleSet>``: "Save → PubMed XML", E-utilities ``efetch``).

Each ``<PubmedArticle>`` (journal articles) or ``<PubmedBookArticle>`` (Bookshelf books and
chapters) is one record; parsing is safe and streaming (see `lib.readers._xml`). Mapping
follows the NLM DTD: structured abstracts are joined as "LABEL: text", the year comes from
PubDate (or its free-text MedlineDate, or the electronic ArticleDate), the DOI from
ELocationID or the PubmedData ArticleId list.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from lib.fields import clean_doi, clean_pages, clean_text, parse_year
from lib.model import Record
from lib.readers._pubtypes import entrytype_from_types
from lib.readers._xml import local, read_records, text_of
from lib.readers.base import Format, ReadResult

__all__ = ["FORMAT", "read", "sniff"]

_RECORDS = frozenset({"PubmedArticle", "PubmedBookArticle"})
_INLINE = frozenset({"i", "b", "u", "sup", "sub", "mml:math", "math", "DispFormula"})
# Paths (relative to the record element) the mapping uses, and paths it recognises as
# holding nothing the record model has a place for; any other path is counted unknown.
_KNOWN = (
    "MedlineCitation/PMID",
    "MedlineCitation/Article/Journal",
    "MedlineCitation/Article/ArticleTitle",
    "MedlineCitation/Article/VernacularTitle",
    "MedlineCitation/Article/Pagination",
    "MedlineCitation/Article/ELocationID",
    "MedlineCitation/Article/Abstract",
    "MedlineCitation/Article/AuthorList",
    "MedlineCitation/Article/Language",
    "MedlineCitation/Article/PublicationTypeList",
    "MedlineCitation/Article/ArticleDate",
    "MedlineCitation/MedlineJournalInfo/MedlineTA",
    "MedlineCitation/MeshHeadingList",
    "MedlineCitation/KeywordList",
    "MedlineCitation/OtherAbstract",
    "PubmedData/ArticleIdList",
    "BookDocument/PMID",
    "BookDocument/ArticleTitle",
    "BookDocument/VernacularTitle",
    "BookDocument/Book",
    "BookDocument/AuthorList",
    "BookDocument/Abstract",
    "BookDocument/Language",
    "BookDocument/ArticleIdList",
    "BookDocument/PublicationType",
    "BookDocument/KeywordList",
    "BookDocument/Pagination",
    "BookDocument/ELocationID",
    "PubmedBookData/ArticleIdList",
)
_IGNORED = (
    "MedlineCitation/DateCompleted",
    "MedlineCitation/DateRevised",
    "MedlineCitation/DateCreated",
    "MedlineCitation/MedlineJournalInfo",
    "MedlineCitation/ChemicalList",
    "MedlineCitation/CitationSubset",
    "MedlineCitation/CommentsCorrectionsList",
    "MedlineCitation/CoiStatement",
    "MedlineCitation/SupplMeshList",
    "MedlineCitation/GeneSymbolList",
    "MedlineCitation/GeneralNote",
    "MedlineCitation/InvestigatorList",
    "MedlineCitation/NumberOfReferences",
    "MedlineCitation/PersonalNameSubjectList",
    "MedlineCitation/OtherID",
    "MedlineCitation/SpaceFlightMission",
    "MedlineCitation/Article/GrantList",
    "MedlineCitation/Article/DataBankList",
    "PubmedData/History",
    "PubmedData/PublicationStatus",
    "PubmedData/ReferenceList",
    "PubmedData/ObjectList",
    "PubmedBookData/History",
    "PubmedBookData/PublicationStatus",
    "BookDocument/ArticleDate",
    "BookDocument/ContributionDate",
    "BookDocument/DateRevised",
    "BookDocument/Sections",
    "BookDocument/LocationLabel",
    "BookDocument/GrantList",
    "BookDocument/ItemList",
    "BookDocument/ReferenceList",
    "BookDocument/CoiStatement",
)


def _text(elem: Element | None) -> str:
    return clean_text(text_of(elem))


def _abstract(elem: Element | None) -> str:
    if elem is None:
        return ""
    parts = []
    for section in elem.iter("AbstractText"):
        text = _text(section)
        label = clean_text(section.get("Label", ""))
        if text:
            parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _authors(lists: list[Element]) -> list[str]:
    names: list[str] = []
    for author_list in lists:
        for author in author_list.iter("Author"):
            group = _text(author.find("CollectiveName"))
            if group:
                names.append(group)
                continue
            family = _text(author.find("LastName"))
            given = _text(author.find("ForeName")) or _text(author.find("Initials"))
            suffix = _text(author.find("Suffix"))
            given = f"{given} {suffix}".strip()
            if family:
                names.append(f"{family}, {given}" if given else family)
    return names


def _year(*dates: Element | None) -> int | None:
    for date in dates:
        if date is None:
            continue
        year = parse_year(_text(date.find("Year"))) or parse_year(_text(date.find("MedlineDate")))
        if year is not None:
            return year
    return None


def _doi(record: Element) -> str:
    for loc in record.iter("ELocationID"):
        if loc.get("EIdType", "").lower() == "doi":
            doi = clean_doi(_text(loc))
            if doi:
                return doi
    for aid in record.iter("ArticleId"):
        if aid.get("IdType", "").lower() == "doi":
            doi = clean_doi(_text(aid))
            if doi:
                return doi
    return ""


def _pages(pagination: Element | None) -> str:
    if pagination is None:
        return ""
    pages = _text(pagination.find("MedlinePgn"))
    if pages:
        return clean_pages(pages)
    start, end = _text(pagination.find("StartPage")), _text(pagination.find("EndPage"))
    return clean_pages(f"{start}-{end}" if start and end else start or end)


def _issn(journal: Element | None) -> str:
    if journal is None:
        return ""
    found = {clean_text(i.get("IssnType", "")).lower(): _text(i) for i in journal.iter("ISSN")}
    return found.get("print") or found.get("electronic") or next(iter(found.values()), "")


def _keywords(*containers: Element | None) -> list[str]:
    words: list[str] = []
    for container in containers:
        if container is None:
            continue
        for tag in ("DescriptorName", "Keyword"):
            words += [w for w in (_text(e) for e in container.iter(tag)) if w]
    return words


def _article(elem: Element) -> Record:
    citation = elem.find("MedlineCitation")
    if citation is None:
        citation = Element("MedlineCitation")
    article = citation.find("Article")
    if article is None:
        article = Element("Article")
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    journal_name = ""
    if journal is not None:
        journal_name = _text(journal.find("Title")) or _text(journal.find("ISOAbbreviation"))
    if not journal_name:
        journal_name = _text(citation.find("MedlineJournalInfo/MedlineTA"))
    types = [_text(t) for t in article.iter("PublicationType")]
    return Record(
        record_id=_text(citation.find("PMID")),
        entrytype=entrytype_from_types(types),
        title=_text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle")),
        authors=_authors(article.findall("AuthorList")),
        year=_year(
            issue.find("PubDate") if issue is not None else None, article.find("ArticleDate")
        ),
        journal=journal_name,
        volume=_text(issue.find("Volume")) if issue is not None else "",
        issue=_text(issue.find("Issue")) if issue is not None else "",
        pages=_pages(article.find("Pagination")),
        doi=_doi(elem),
        abstract=_abstract(article.find("Abstract")) or _abstract(citation.find("OtherAbstract")),
        keywords=_keywords(citation.find("MeshHeadingList"), *citation.findall("KeywordList")),
        language="; ".join(t for t in (_text(x) for x in article.findall("Language")) if t),
        issn=_issn(journal),
    )


def _book_article(elem: Element) -> Record:
    doc = elem.find("BookDocument")
    if doc is None:
        doc = Element("BookDocument")
    book = doc.find("Book")
    book_title = _text(book.find("BookTitle")) if book is not None else ""
    section_title = _text(doc.find("ArticleTitle")) or _text(doc.find("VernacularTitle"))
    types = [_text(t) for t in doc.iter("PublicationType")]
    default = "chapter" if section_title else "book"
    authors = _authors([a for a in doc.findall("AuthorList") if a.get("Type") != "editors"])
    if not authors and book is not None:
        authors = _authors(book.findall("AuthorList"))
    return Record(
        record_id=_text(doc.find("PMID")),
        entrytype=entrytype_from_types(types, default),
        title=section_title or book_title,
        authors=authors,
        year=_year(book.find("PublicationDate") if book is not None else None),
        journal=book_title if section_title else "",
        volume=_text(book.find("Volume")) if book is not None else "",
        pages=_pages(doc.find("Pagination")),
        doi=_doi(elem),
        abstract=_abstract(doc.find("Abstract")),
        keywords=_keywords(*doc.findall("KeywordList")),
        language="; ".join(t for t in (_text(x) for x in doc.findall("Language")) if t),
        isbn=_text(book.find("Isbn")) if book is not None else "",
    )


def _to_record(elem: Element) -> Record:
    return _book_article(elem) if local(elem.tag) == "PubmedBookArticle" else _article(elem)


def _unknown(original: dict[str, list[str]]) -> set[str]:
    """The record's fields (first three path steps) neither mapped nor recognised."""
    fields = {"/".join(p.split("/")[:3]) for p in original if "@" not in p}
    return {f for f in fields if not f.startswith(_KNOWN + _IGNORED)}


def read(text: str, file_name: str = "") -> ReadResult:
    return read_records(
        text,
        label="PubMed",
        roots=("PubmedArticleSet", "PubmedBookArticleSet", *_RECORDS),
        record_tags=_RECORDS,
        to_record=_to_record,
        inline=_INLINE,
        unknown=_unknown,
        no_records="no <PubmedArticle> records in this PubMed XML file",
    )


_MARKERS = re.compile(r"<(?:!DOCTYPE\s+)?(PubmedArticleSet|PubmedArticle|PubmedBookArticle)\b")


def sniff(head: str) -> float:
    """PubMed XML by its root or record element (or its DOCTYPE) near the top."""
    found = {m.group(1) for m in _MARKERS.finditer(head[:20000])}
    if "PubmedArticleSet" in found:
        return 1.0
    return 0.9 if found else 0.0


FORMAT = Format(
    name="pubmed-xml",
    label="PubMed XML",
    suffixes=(".xml",),
    sniff=sniff,
    read=read,
)
