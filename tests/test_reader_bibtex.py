"""BibTeX: exports of Zotero, JabRef, Google Scholar, Scopus and Web of Science, field by field."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest import read_bytes, read_path
from lib.readers import bibtex
from lib.readers._latex import latex_to_unicode
from lib.readers.base import CUT_SHORT, ReadError
from lib.readers.registry import detect
from tests.conftest import DATA, SHARED
from tests.reader_checks import assert_sane, each_sample, read_sample

BIB = DATA / "readers" / "bibtex"


def _by_id(path):
    read = read_path(path)
    return read, {r.record_id: r for r in read.records}


def test_zotero_accents_macros_and_entry_types() -> None:
    read, recs = _by_id(BIB / "zotero.bib")
    assert list(recs) == [
        "perrin_unlocking_2018",
        "de_la_fontaine_listeners_2019",
        "prison_reform_trust_2020",
        "garcia_wounded_2021",
        "blog_2022",
    ]  # @preamble, @string and @comment are not records
    art = recs["perrin_unlocking_2018"]
    assert art.entrytype == "article"
    assert art.title == "Unlocking the potential: a prison peer support scheme in England"
    assert art.authors == [
        "Perrin, Christopher",
        "Blagden, Nicholas",
        "Müller, Jürgen",
        "World Health Organization",  # braced: one group name, not "Organization, World Health"
    ]
    assert art.journal == "Journal of Offender Rehabilitation"  # @string macro
    assert (art.year, art.volume, art.issue, art.pages) == (2018, "57", "3", "1-21")
    assert art.doi == "10.1080/example.2018.1"
    assert art.abstract == "Peer mentors über alles: a sense of purpose & worth, 50% of them."
    assert art.keywords == ["peer support", "prison", "Listener scheme"]
    assert (art.language, art.issn) == ("en", "1050-9674")
    assert art.url == "https://doi.org/10.1080/example.2018.1"
    assert art.line == 7
    assert art.original["month"] == ["March"]  # month macro expanded
    assert art.original["ENTRYTYPE"] == ["article"]

    chapter = recs["de_la_fontaine_listeners_2019"]
    assert chapter.entrytype == "chapter"
    assert chapter.journal == "Handbook of Prison Health"  # booktitle of a chapter
    assert chapter.authors == [
        "de la Fontaine, Jean",  # "First von Last"
        "Smith, John, Jr",  # "Last, Jr, First"
        "Sørensen, François",
    ]
    assert (chapter.pages, chapter.isbn, chapter.line) == ("113-130", "978-0-19-000000-2", 24)

    report = recs["prison_reform_trust_2020"]
    assert report.entrytype == "report"
    assert report.authors == ["Prison Reform Trust"]
    assert report.year == 2020  # from biblatex "date"
    assert report.issue == ""  # a report's "number" is not a journal issue
    assert report.journal == "The Prison Journal"  # macro concatenated with '#'
    assert report.url == "https://example.org/peer_support_2020.pdf"

    thesis = recs["garcia_wounded_2021"]
    assert thesis.entrytype == "thesis"
    assert thesis.title == "Wounded healers: Étude of peer mentors"
    assert thesis.authors == ["García, María"]
    assert thesis.doi == "10.5555/thesis_2021"  # resolver prefix and \_ escape removed

    blog = recs["blog_2022"]
    assert blog.entrytype == "misc"
    assert blog.title == "Peer educators — a blog post"
    assert blog.url == "https://example.org/~jane/peer"  # a URL's ~ is not a LaTeX tie
    assert read.report.records_skipped == 0
    assert read.report.unknown_fields["urldate"] == 1


def test_scopus_blank_first_line_nbsp_field_name_and_repeated_fields() -> None:
    read, recs = _by_id(BIB / "scopus.bib")
    assert list(recs) == ["Li2020", "Cao2021", "Tang2020"]  # all three, not 1 of 3
    assert read.report.database == "Scopus"  # said by source={Scopus}
    li = recs["Li2020"]
    assert li.line == 2
    assert li.entrytype == "review"  # document_type={Review}
    assert li.title == "Peer support among people convicted of sexual offences"
    assert li.authors == ["Li, W.", "Dou, Z.", "Cui, L."]
    assert (li.journal, li.volume, li.issue) == ("Journal of Sexual Aggression", "26", "1")
    assert li.pages == "1722034"  # art_number when there are no pages
    assert li.doi == "10.1080/13552600.2020.1722034"
    assert (
        li.abstract == "Introduction: circles of support and accountability. © 2020 The Author(s)."
    )
    assert li.keywords == ["Peer support", "Sexual offending", "prison", "Human", "Prisons"]
    assert li.original["funding_details"] == [
        "University of Twente",
        "Special Fund,\u00a0201404305",
    ]
    assert li.original["funding_text 1"] == ["The Special Fund funded this research."]
    assert recs["Cao2021"].entrytype == "conference"
    assert recs["Tang2020"].entrytype == "erratum"
    assert any("repeat a field (funding_details)" in n for n in read.report.notes)


def test_wos_spaced_keys_title_case_fields_double_braces() -> None:
    read, recs = _by_id(BIB / "wos.bib")
    assert read.report.encoding == "utf-8-sig"
    assert read.report.database == "Web of Science"  # keys like WOS:000...
    assert list(recs) == ["WOS:000278542800018", "WOS:000241142000007", "WOS:000343341500005"]
    first = recs["WOS:000278542800018"]
    assert first.line == 2
    assert first.entrytype == "review"  # Type = {Review}
    assert first.title == (
        "Prison Listeners and the Samaritans: a neural network-based model of peer support"
    )
    assert first.authors == ["Antonio Gomez-Ruiz, Jose", "Perrin, Christopher"]
    assert first.journal == "JOURNAL OF OFFENDER REHABILITATION"
    assert (first.year, first.volume, first.issue, first.pages) == (2010, "49", "10", "295-315")
    assert first.abstract == (
        "Selecting relevant features is not a simple task & the decision maker must "
        "precisely define the alternatives. (C) 2010 Elsevier Inc. All rights reserved."
    )
    assert first.keywords == ["peer support", "prison", "Listener scheme"]  # not Keywords-Plus
    assert first.issn == "1540-8558"  # EISSN when there is no ISSN
    assert first.language == "English"
    conference = recs["WOS:000241142000007"]
    assert conference.entrytype == "conference"
    assert conference.title == "Peer mentors in custody"
    assert conference.journal == "PROCEEDINGS OF THE CONFERENCE ON PRISON HEALTH"
    editorial = recs["WOS:000343341500005"]
    assert editorial.entrytype == "editorial"  # Type = {Editorial Material}
    assert editorial.pages == "e123"  # Article-Number


def test_jabref_header_comments_and_latex_math() -> None:
    read, recs = _by_id(BIB / "jabref.bib")
    assert list(recs) == ["Aziz2009", "Guzman2011", "Xu2020"]  # @Comment blocks are not records
    assert read.report.database == "jabref"  # JabRef names no database: the file name
    aziz = recs["Aziz2009"]
    assert aziz.line == 4
    assert aziz.title == "Peer support schemes in UK prisons: a review of the evidence"
    assert aziz.authors == ["Aziz, Joseph N. Y.", "Rocklöv, Joacim", "Genov, Roman"]
    assert aziz.abstract == (
        "A 3D microsystem for 16 x 16 channels, 15 μW of power, β-σ unfavourable, at 70% survival."
    )
    assert aziz.keywords == ["Multi-channel recording", "microelectrodes", "peer support"]
    assert aziz.doi == "10.1109/jssc.2008.2010997"
    assert recs["Guzman2011"].authors == ["Guzmán Cervantes, Felipe"]
    assert recs["Guzman2011"].entrytype == "thesis"
    assert recs["Xu2020"].entrytype == "preprint"  # @misc with archiveprefix = arXiv


def test_google_scholar_no_spaces_accents_and_preprint_venue() -> None:
    read, recs = _by_id(BIB / "googlescholar.bib")
    assert read.report.database == "googlescholar"
    assert recs["faggion2018search"].authors == ["Faggion Jr, Clovis Mariano", "Huivin, Raquel"]
    assert recs["faggion2018search"].pages == "53-61"
    spanish = recs["salvador2018revisiones"]
    assert spanish.title == (
        "Las revisiones sistemáticas en Biblioteconomía y Documentación: "
        "análisis del proceso de búsqueda"
    )
    assert spanish.authors == ["Salvador-Oliván, José Antonio", "Marco-Cuenca, Gonzalo"]
    assert spanish.journal == "Reference & User Services Quarterly"
    xu = recs["xu2020agns"]
    assert xu.authors == ["Xu, Jun"]  # "and others" is et al., not an author
    assert xu.entrytype == "preprint"  # "arXiv preprint arXiv:..." as journal
    assert [r.line for r in read.records] == [1, 12, 22, 29]


def test_mendeley_escapes_comma_keywords_and_several_urls() -> None:
    read = read_path(BIB / "mendeley.bib")
    (rec,) = read.records  # the banner lines before the entry are not a record
    assert rec.line == 6
    assert rec.title == "Unlocking the potential: a prison peer support scheme"  # {{...}}
    assert rec.authors == ["Perrin, Christopher", "Émile, Zola", "Blagden, Nicholas"]
    assert rec.abstract == "Peer mentors reported {purpose} and 50% felt valued & trusted."
    assert rec.keywords == ["peer support", "prison", "Listener scheme"]
    assert rec.url == "http://www.ncbi.nlm.nih.gov/pubmed/29000001"  # the first of two
    assert rec.entrytype == "article"  # an arXiv id beside a journal: still an article
    assert rec.original["mendeley-groups"] == ["Prison peer support"]


def test_endnote_type_field_line_keywords_and_isi_links() -> None:
    article, chapter = read_path(BIB / "endnote.bib").records
    assert article.record_id == "RN12"
    assert article.keywords == ["peer education", "prisons", "women"]  # one per line
    assert article.url == ""  # "<Go to ISI>://WOS:..." is no URL
    assert article.original["url"] == ["<Go to ISI>://WOS:000500000000001"]
    assert (article.issn, article.doi) == ("2059-1098", "10.1111/hojo.12345")
    assert chapter.entrytype == "chapter"
    assert chapter.journal == "Handbook of Prison Health"
    assert chapter.authors == ["Smith, John"]  # the editor is not an author


def test_malformed_entries_are_kept_or_skipped_with_line_and_reason() -> None:
    read = read_path(BIB / "malformed.bib")
    assert [(r.record_id, r.title, r.line, r.incomplete) for r in read.records] == [
        ("good_one", "A good entry", 1, ""),
        # its closing brace is missing: read as far as the next entry, and flagged
        (
            "unclosed",
            "This entry is never closed",
            12,
            "the entry is not closed (a '}' is missing), so it may be cut short",
        ),
        ("after_unclosed", "Read although the entry before it is broken", 16, ""),
        ("nothing_here", "", 22, "has no title, author or DOI"),  # kept: counts reconcile
        ("good_one~2", "Same key again", 27, ""),
        ("macro_unknown", "Uses an undefined macro", 32, ""),
        ("truncated_at_end", "The file ends inside this entry", 37, CUT_SHORT),
    ]
    skipped = [(s.line, s.record, s.reason) for s in read.report.skipped]
    assert skipped == [
        (7, "entry no_comma_after_key", "malformed BibTeX entry: no comma after the entry key"),
    ]
    assert [(i.line, i.record) for i in read.report.incomplete] == [
        (12, "record unclosed"),
        (22, "record nothing_here"),
        (37, "record truncated_at_end"),
    ]
    # a repeated key is read, and made unique by ingest (which reports it)
    assert read.report.renamed_ids == [("good_one", "good_one~2")]
    assert read.records[5].journal == "undefinedjournal"
    assert any("undefined @string macro 'undefinedjournal'" in n for n in read.report.notes)


@pytest.mark.parametrize("name", ["cp1252.bib", "utf16.bib"])
def test_legacy_encodings_through_ingest(name: str) -> None:
    read = read_bytes((BIB / name).read_bytes(), name)
    assert read.report.encoding == {"cp1252.bib": "cp1252", "utf16.bib": "utf-16"}[name]
    (rec,) = read.records
    assert rec.title == "Étude naïve des « pairs aidants » en prison"
    assert rec.authors == ["Müller, Jürgen", "François, Renée"]
    assert rec.journal == "Déviance et Société"
    assert rec.pages == "12-34"
    assert rec.line == 1


def test_detected_by_content_whatever_the_name() -> None:
    data = (BIB / "googlescholar.bib").read_bytes()
    assert read_bytes(data, "scholar.txt").report.format == "bibtex"
    assert read_bytes(data, "scholar.ris").report.format == "bibtex"


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\nTI  - A title\nER  - \n",
        "Title,Authors,Year\nA title,Doe J,2020\n",
        "%0 Journal Article\n%T A title\n%A Doe, J\n",
        "Contact us at someone@example.org {any time}\n",
        '[{"id": "a", "type": "article-journal", "title": "x"}]',
    ],
)
def test_sniff_does_not_claim_other_formats(text: str) -> None:
    assert bibtex.sniff(text) < 0.3


def test_only_comments_is_a_clear_error() -> None:
    with pytest.raises(ReadError, match="no BibTeX entries"):
        bibtex.read("% just a comment\n@comment{nothing}\n", "x.bib")


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\"u}ber \"{o}", "über ö"),
        (r"\'{e}t\'e \`a \^o \~n \c{c} \v{s} {\o} {\aa} \ss", "été à ô ñ ç š ø å ß"),
        (r"{\'\i} Fran{\c c}ois", "í François"),
        (r"Bio \& Socio \% \_ \#", "Bio & Socio % _ #"),
        (r"{DNA} of {T}he", "DNA of The"),
        (r"pages 12--15 and ---", "pages 12–15 and —"),
        (r"``quoted''", "“quoted”"),
        (r"\textit{Italic {DNA}} \emph{x} \mbox{M}ixed", "Italic DNA x Mixed"),
        (r"$\beta$-blockers and $n$ cases", "β-blockers and n cases"),
        (r"costs $5 and $10", "costs $5 and $10"),
        (r"50% of \url{http://a.org/~b}", "50% of http://a.org/~b"),
    ],
)
def test_latex_to_unicode(latex: str, text: str) -> None:
    assert latex_to_unicode(latex) == text


_LATEXISH = st.lists(
    st.sampled_from(
        ["a", "é", " ", "{", "}", "\\", "'", '"', "`", "~", "-", "$", "%", "^", "_", "o", "c"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), _LATEXISH))
def test_latex_decoding_is_total_and_leaves_plain_text_alone(text: str) -> None:
    decoded = latex_to_unicode(text)  # never raises, whatever the input
    assert isinstance(decoded, str)
    if not any(c in text for c in "\\{}~$`") and "--" not in text and "''" not in text:
        assert decoded == text
    if "\\" not in text:
        assert "{" not in decoded and "}" not in decoded  # protective braces always go


_PIECES = st.sampled_from(
    [
        "@article{key,\n",
        "@ARTICLE{ WOS:0001,\n",
        "@string{j = {J}}\n",
        "@comment{x}\n",
        "@preamble{x}\n",
        "  title = {A {DNA} title},\n",
        'author = "Doe, Jane and {WHO}",\n',
        "journal = j # { Suppl},\n",
        "year = 2020,\n",
        "month = jan,\n",
        "abstract = {{double}},\n",
        "pages = {1--2}\n",
        "}\n",
        "{",
        "}",
        '"',
        "#",
        "\\",
        "\\'",
        "=",
        ",",
        "$",
        "%",
        "\n",
        "@",
        "funding_text\u00a01={x},\n",
        "author = {and and , , {}},\n",
        "author = {Jr, , ,},\n",
    ]
)


def _check(text: str) -> None:
    assert_sane(bibtex.read, text, "fuzz.bib")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_spliced_pieces_never_raise_anything_but_read_error(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises_anything_but_read_error(text: str) -> None:
    _check(text)


# UTF-8 fixtures (cp1252.bib and utf16.bib are read through ingest, which decodes them)
_UTF8 = sorted(p for p in BIB.glob("*.bib") if p.name not in ("cp1252.bib", "utf16.bib"))
_FIXTURES = [p.read_text(encoding="utf-8-sig") for p in _UTF8]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(_FIXTURES),
    st.integers(0, 4000),
    st.sampled_from(_FIXTURES),
    st.integers(0, 4000),
)
def test_truncated_and_spliced_exports(first: str, cut: int, second: str, start: int) -> None:
    _check(first[: cut % (len(first) + 1)])
    _check(first[: cut % (len(first) + 1)] + second[start % (len(second) + 1) :])


def _outcome(text: str) -> object:
    try:
        result = bibtex.read(text, "x.bib")
    except ReadError as exc:
        return str(exc)
    return (
        [(r.record_id, r.line, r.title, r.authors, r.journal, r.original) for r in result.records],
        [(s.line, s.record, s.reason) for s in result.skipped],
        result.notes,
        result.unknown_fields,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.lists(_PIECES, max_size=40).map("".join),
        st.lists(st.sampled_from(_FIXTURES), min_size=1, max_size=3).map("\n".join),
    ),
    st.integers(1, 300),
)
def test_reading_in_chunks_changes_nothing(text: str, chunk: int) -> None:
    # Large files are split in pieces of CHUNK_CHARS; small ones here, cut everywhere.
    whole = _outcome(text)
    saved = bibtex.CHUNK_CHARS
    try:
        bibtex.CHUNK_CHARS = chunk
        assert _outcome(text) == whole
    finally:
        bibtex.CHUNK_CHARS = saved


def test_detect_picks_bibtex_for_every_fixture() -> None:
    for path in _UTF8:
        assert detect(path.read_text(encoding="utf-8-sig"), "export.txt").name == "bibtex"


# --- the real exports in ../shared/samples -------------------------------------------------


@each_sample("bibtex")
def test_real_bibtex_exports_read_with_manifest_count(row: dict[str, str]) -> None:
    read = read_sample(row, "bibtex")
    text = "\n".join(f"{r.title} {' '.join(r.authors)} {r.abstract}" for r in read.records)
    assert "\\" not in text and "{" not in text and "}" not in text  # LaTeX decoded
    n_lines = (SHARED / "samples" / row["file"]).read_bytes().count(b"\n") + 1
    assert all(1 <= (r.line or 0) <= n_lines for r in read.records)


def _sample(name: str):
    path = SHARED / "samples" / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return read_path(path)


def test_real_scopus_bibtex_quirks() -> None:
    read = _sample("scopus-bibtex-synthesisr-soilfauna.bib")
    assert [r.record_id for r in read.records] == ["Li2020", "Cao2020", "Tang2020"]
    assert read.report.database == "Scopus"
    li = read.records[0]
    assert li.line == 2  # the file starts with a blank line
    assert len(li.original["funding_details"]) == 2
    assert "funding_text 1" in li.original  # U+00A0 in the field name
    assert all(r.abstract for r in read.records)


def test_real_wos_bibtex_quirks() -> None:
    read = _sample("wos-bibtex-pybibx-mcda.bib")
    assert read.report.database == "Web of Science"
    assert all(r.record_id.startswith("WOS:") for r in read.records)
    first = read.records[0]
    assert first.title == (
        "Estimation of missing judgments in AHP pairwise matrices using a neural "
        "network-based model"
    )
    assert first.authors[0] == "Antonio Gomez-Ruiz, Jose"
    assert all(r.abstract and not r.abstract.startswith("{") for r in read.records)


def test_real_jabref_and_scholar_accents_decoded() -> None:
    jabref = {r.record_id: r for r in _sample("jabref-bibtex-testjabref.bib").records}
    assert "Rocklöv, Joacim" in jabref["Liu2020a"].authors
    scholar = _sample("googlescholar-bibtex-sr-search-methods.bib").records
    spanish = next(r for r in scholar if r.title.startswith("Las revisiones"))
    assert spanish.authors[0] == "Salvador-Oliván, José Antonio"
    assert "Biblioteconomía y Documentación" in spanish.title


def test_issuer_of_thesis_report_and_book_stands_in_for_the_journal() -> None:
    text = (
        "@phdthesis{t, author={Doe, Jane}, title={Peer support in custody},"
        " school={University of Kent}, year={2015}}\n"
        "@techreport{r, author={Roe, R}, title={Listener scheme evaluation},"
        " institution={Ministry of Justice}, year={2010}}\n"
        "@book{b, author={Poe, E}, title={Prison voices}, publisher={Waterside}, year={2001}}\n"
    )
    records = bibtex.read(text, "issuers.bib").records
    assert [(r.entrytype, r.journal) for r in records] == [
        ("thesis", "University of Kent"),
        ("report", "Ministry of Justice"),
        ("book", "Waterside"),
    ]


def test_line_numbers_after_a_line_ending_in_a_backslash() -> None:
    # bibtexparser reads the line break after a backslash as escaped and miscounts lines
    text = "\\\n@article{key, title={T}}\n@article{b, title={U}}\n"
    assert [r.line for r in bibtex.read(text, "x.bib").records] == [2, 3]
