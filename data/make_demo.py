"""Build the demo corpus's database exports from its master table.

    python data/make_demo.py            # writes data/demo/exports/* and data/demo/truth.csv
    python data/make_demo.py OUT_DIR    # the same files under OUT_DIR (exports/, truth.csv)

The master table (`data/demo/studies.csv`) holds every study once. This script writes the
same studies as five overlapping exports, each formatted by hand the way its database
really writes records (tag layout, author initials, journal abbreviations, title case,
page styles, where the DOI goes), so that importing and deduplicating the demo has real
work to do. It also writes `truth.csv`: which publication each exported record is.

Written by hand, not with rispy/bibtexparser writers, because the point is each
database's own quirks, which general writers normalise away. No randomness, no dates:
re-running gives byte-identical files. See `data/demo/README.md` for the conventions.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "demo"
MASTER = DEMO_DIR / "studies.csv"

DEMO_LABEL = "[Demo summary] "
CONSTRUCTED = "[Constructed for the demo: not a real publication.] "
CONSTRUCTED_NOTE = "Constructed for the demo: not a real publication."

# Which export carries which publication: S Scopus RIS, W Web of Science plain text,
# P PubMed MEDLINE, E EBSCOhost RIS, Z Zotero BibTeX (grey literature collected by hand).
COVERAGE: dict[str, str] = {
    "in04": "SWP", "in05": "WE", "in07": "Z", "in09": "SPE", "in11": "SWPE", "in14": "SWP",
    "in16": "SZ", "in17": "SWP", "in20": "SPE", "in22": "PE", "in23": "Z", "in25": "SPE",
    "in29": "WE", "in31": "SWP", "in32": "SW", "in33": "SP", "in34": "SWP", "in36": "SWE",
    "in38": "SE", "in39": "P", "in42": "SWP", "uk00": "SWE", "uk01": "SWPE", "uk02": "SWP",
    "uk03": "SWPE", "uk04": "Z", "uk05": "SZ", "uk06": "Z", "uk07": "SW", "uk08": "WE",
    "uk15": "SWE", "uk17": "SE", "uk19": "WE", "uk20": "Z", "uk21": "Z", "uk22": "SZ",
    "uk23": "SP", "uk24": "PE", "uk29": "SWP", "uk32": "Z", "uk38": "Z",
    "in42-erratum": "SP", "uk29-conference": "W",
}  # fmt: skip

# The EBSCOhost database(s) each EBSCO record comes from. A multi-database search returns
# the Bagnall review twice (CINAHL and MEDLINE): the in-file duplicate the demo needs.
EBSCO_DBS: dict[str, tuple[str, ...]] = {
    "in05": ("Criminal Justice Abstracts",), "in09": ("CINAHL Complete",),
    "in11": ("APA PsycInfo",), "in20": ("CINAHL Complete",), "in22": ("CINAHL Complete",),
    "in25": ("APA PsycInfo",), "in29": ("Criminal Justice Abstracts",),
    "in36": ("Criminal Justice Abstracts",), "in38": ("Criminal Justice Abstracts",),
    "uk00": ("APA PsycInfo",), "uk01": ("CINAHL Complete", "MEDLINE"),
    "uk03": ("Criminal Justice Abstracts",), "uk08": ("Criminal Justice Abstracts",),
    "uk15": ("Criminal Justice Abstracts",), "uk17": ("Criminal Justice Abstracts",),
    "uk19": ("Criminal Justice Abstracts",), "uk24": ("CINAHL Complete",),
}  # fmt: skip
# Criminal Justice Abstracts records come title-cased and without a DOI.
EBSCO_BARE_DB = "Criminal Justice Abstracts"


@dataclass(frozen=True, slots=True)
class Journal:
    """One journal's names as the databases write them."""

    full: str
    iso: str  # Scopus J2 / WoS JI
    nlm: str = ""  # MEDLINE TA
    nlm_title: str = ""  # MEDLINE JT
    j9: str = ""  # WoS J9 (at most 20 characters)
    wos: str = ""  # WoS SO when it is not simply the full name in capitals


_J = Journal
JOURNALS: tuple[Journal, ...] = (
    _J("Health Education & Behavior", "Health Educ. Behav.", "Health Educ Behav",
       "Health education & behavior : the official publication of the Society for Public "
       "Health Education", "HEALTH EDUC BEHAV"),
    _J("Criminal Justice and Behavior", "Crim. Justice Behav.", j9="CRIM JUSTICE BEHAV"),
    _J("Journal of Correctional Health Care", "J. Correct. Health Care", "J Correct Health Care",
       "Journal of correctional health care : the official journal of the National "
       "Commission on Correctional Health Care", "J CORRECT HEALTH CAR"),
    _J("Psychological Services", "Psychol. Serv.", "Psychol Serv", "Psychological services",
       "PSYCHOL SERV"),
    _J("American Journal of Hospice and Palliative Medicine", "Am. J. Hosp. Palliat. Med.",
       "Am J Hosp Palliat Care", "The American journal of hospice & palliative care",
       "AM J HOSP PALLIAT ME", "AMERICAN JOURNAL OF HOSPICE & PALLIATIVE MEDICINE"),
    _J("Psychiatric Rehabilitation Journal", "Psychiatr. Rehabil. J.", "Psychiatr Rehabil J",
       "Psychiatric rehabilitation journal", "PSYCHIATR REHABIL J"),
    _J("Criminal Justice Policy Review", "Crim. Justice Policy Rev.", j9="CRIM JUSTICE POLICY"),
    _J("Psychiatric Services", "Psychiatr. Serv.", "Psychiatr Serv",
       "Psychiatric services (Washington, D.C.)", "PSYCHIAT SERV"),
    _J("Journal of Crime and Justice", "J. Crime Justice", j9="J CRIME JUST"),
    _J("International Journal of Prisoner Health", "Int. J. Prison. Health",
       "Int J Prison Health", "International journal of prisoner health"),
    _J("Journal of Substance Abuse Treatment", "J. Subst. Abuse Treat.", "J Subst Abuse Treat",
       "Journal of substance abuse treatment", "J SUBST ABUSE TREAT"),
    _J("Criminology & Criminal Justice", "Criminol. Crim. Justice", j9="CRIMINOL CRIM JUSTIC"),
    _J("BMC Public Health", "BMC Public Health", "BMC Public Health", "BMC public health",
       "BMC PUBLIC HEALTH"),
    _J("Psychology, Crime & Law", "Psychol. Crime Law", j9="PSYCHOL CRIME LAW",
       wos="PSYCHOLOGY CRIME & LAW"),
    _J("BMC Health Services Research", "BMC Health Serv. Res.", "BMC Health Serv Res",
       "BMC health services research", "BMC HEALTH SERV RES"),
    _J("Sexual Abuse", "Sex. Abuse", "Sex Abuse",
       "Sexual abuse : a journal of research and treatment", "SEX ABUSE-J RES TR",
       "SEXUAL ABUSE-A JOURNAL OF RESEARCH AND TREATMENT"),
    _J("European Journal of Criminology", "Eur. J. Criminol.", j9="EUR J CRIMINOL"),
    _J("Howard Journal of Criminal Justice", "Howard J. Crim. Justice", j9="HOWARD J CRIM JUST"),
    _J("Probation Journal", "Probat. J.", j9="PROBAT J"),
    _J("Health and Social Care Delivery Research", "Health Soc. Care Deliv. Res.",
       "Health Soc Care Deliv Res", "Health and social care delivery research"),
    _J("Journal of Forensic Nursing", "J. Forensic Nurs.", "J Forensic Nurs",
       "Journal of forensic nursing", "J FORENSIC NURS"),
    _J("Harm Reduction Journal", "Harm Reduct. J.", "Harm Reduct J", "Harm reduction journal",
       "HARM REDUCT J"),
)  # fmt: skip
# The master table gives a few journals under another name; the databases use the above.
JOURNAL_ALIASES: dict[str, str] = {
    "Health Education and Behavior": "Health Education & Behavior",
    "Am J Hosp Palliat Care": "American Journal of Hospice and Palliative Medicine",
    "Psychiatr Serv": "Psychiatric Services",
    "The Howard Journal": "Howard Journal of Criminal Justice",
}
CONFERENCE_NAME = "Demo Conference on Prison Health"


@dataclass(frozen=True, slots=True)
class Pub:
    """One publication to export: a study of the master table, or a constructed record."""

    pub_id: str
    kind: str  # article, review, chapter, report, thesis, erratum, conference
    authors: tuple[str, ...]  # "Family, Given" as the master table gives them
    year: str
    title: str
    container: str  # journal, book, publisher or university, as the master table gives it
    volume: str
    issue: str
    pages: str
    doi: str
    abstract: str
    url: str
    constructed: bool = False

    @property
    def journal(self) -> Journal:
        name = JOURNAL_ALIASES.get(self.container, self.container)
        for journal in JOURNALS:
            if journal.full == name:
                return journal
        return Journal(name, name)


def load_pubs(master: Path = MASTER) -> list[Pub]:
    """The master table's studies plus the constructed erratum and conference abstract."""
    with master.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    pubs = [
        Pub(
            pub_id=r["study_id"],
            kind="review" if r["method"].endswith("review") else r["entrytype"],
            authors=tuple(a for a in r["authors"].split("; ") if a),
            year=r["year"],
            title=r["title"],
            container=r["journal"],
            volume=r["volume"],
            issue=r["issue"],
            pages=r["pages"],
            doi=r["doi"],
            abstract=DEMO_LABEL + r["summary"],
            url=r["source_url"],
        )
        for r in rows
    ]
    by_id = {p.pub_id: p for p in pubs}
    erratum_of, conference_of = by_id["in42"], by_id["uk29"]
    blank = {"volume": "", "issue": "", "pages": "", "doi": "", "url": "", "constructed": True}
    pubs.append(
        replace(
            erratum_of,
            pub_id="in42-erratum",
            kind="erratum",
            title=f"Correction: {erratum_of.title}",
            abstract=DEMO_LABEL + CONSTRUCTED + "This record stands for a correction notice "
            f"to the article of the same title ({erratum_of.container}, {erratum_of.year}), "
            "so that the demo holds an erratum beside the article it corrects.",
            **blank,
        )
    )
    pubs.append(
        replace(
            conference_of,
            pub_id="uk29-conference",
            kind="conference",
            year=str(int(conference_of.year) - 1),
            container=f"Abstracts of the {CONFERENCE_NAME}",
            abstract=DEMO_LABEL + CONSTRUCTED + "This record stands for a conference abstract "
            "given a year before the journal article of the same title, so that the demo holds "
            "both. " + " ".join(_sentences(conference_of.abstract.removeprefix(DEMO_LABEL))[:2]),
            **blank,
        )
    )
    return pubs


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


# ---- name, title and page styles ----------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    family, _, given = name.partition(", ")
    return family.strip(), given.strip()


def _initial_groups(given: str) -> list[str]:
    """Initials of the given names; a hyphenated name gives one "A-M" group."""
    groups: list[str] = []
    for token in given.replace(".", ". ").split():  # "S.R." -> "S." "R."; "L.-L." -> "L." "-L."
        parts = [p.strip(". ") for p in token.split("-") if p.strip(". ")]
        if not parts:
            continue
        if token[0] != "-" and re.fullmatch(r"[A-Z]{2,3}", token):  # "OA": initials together
            groups += list(token)
            continue
        group = "-".join(p[0].upper() for p in parts)
        if token[0] == "-" and groups:
            groups[-1] += f"-{group}"
        else:
            groups.append(group)
    return groups


def name_dotted(name: str) -> str:
    """Scopus: "Bagnall, A.-M.", "Wright, N.M.J."."""
    family, given = _split_name(name)
    groups = _initial_groups(given)
    return f"{family}, {''.join(g.replace('-', '.-') + '.' for g in groups)}" if groups else family


def name_compact(name: str, sep: str = ", ") -> str:
    """Web of Science "Bagnall, AM"; MEDLINE "Bagnall AM" (``sep=" "``)."""
    family, given = _split_name(name)
    initials = "".join(g.replace("-", "") for g in _initial_groups(given))
    return f"{family}{sep}{initials}" if initials else family


SMALL_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "the", "to", "via", "vs", "with",
})  # fmt: skip


def title_case(title: str) -> str:
    """Capitalise each word but small ones (kept as written when already capitalised)."""
    out: list[str] = []
    words = title.split(" ")
    for i, word in enumerate(words):
        starts = i == 0 or words[i - 1].endswith((":", "?", "."))
        core = re.sub(r"^\W+", "", word).lower()
        if core in SMALL_WORDS and not starts:
            out.append(word)
            continue
        parts = word.split("-")
        out.append("-".join(re.sub(r"^(\W*)([a-z])", _upper, p, count=1) for p in parts))
    return " ".join(out)


def _upper(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


def end_with_period(title: str) -> str:
    return title if title.endswith((".", "?", "!")) else f"{title}."


def page_range(pages: str) -> tuple[str, str]:
    """First and last page, the last written in full ("225-38" → 225, 238)."""
    if "-" not in pages:
        return pages, ""
    first, last = (p.strip() for p in pages.split("-", 1))
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def medline_pages(pages: str, year: str) -> str:
    """MEDLINE wrote older page ranges short ("225-38"); newer ones are written in full."""
    first, last = page_range(pages)
    if not last:
        return first
    if year and int(year) < 2010 and len(first) == len(last):
        k = 0
        while k < len(first) - 1 and first[k] == last[k]:
            k += 1
        last = last[k:]
    return f"{first}-{last}"


def split_book(container: str) -> tuple[str, str, str]:
    """A chapter's "Book (Series), Publisher" → book, series, publisher."""
    m = re.fullmatch(r"(.+?)(?: \(([^()]*)\))?(?:, ([^,()]+))?", container)
    return (m.group(1), m.group(2) or "", m.group(3) or "") if m else (container, "", "")


def _wrap(tag: str, value: str, width: int, indent: str) -> list[str]:
    return textwrap.wrap(
        value,
        width=width,
        initial_indent=tag,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [tag.rstrip()]


# ---- one function per export -----------------------------------------------------------

Rows = list[tuple[str, str]]  # (record id, publication id)


def scopus_ris(pubs: Iterable[Pub]) -> tuple[str, Rows]:
    """Scopus RIS: initials with full stops, ISO abbreviations in J2, DOI always, article
    numbers in C7. Scopus writes no record id tag; the demo adds ``ID`` (shaped like a
    Scopus EID) so that truth.csv can name every record."""
    order = sorted(pubs, key=lambda p: (-int(p.year or 0), p.title.lower()))
    out: list[str] = []
    rows: Rows = []
    for n, p in enumerate(order, start=1):
        rid = f"2-s2.0-DEMO{n:07d}"
        j = p.journal
        chapter = p.kind == "chapter"
        book, _series, publisher = split_book(p.container) if chapter else ("", "", "")
        ty = {"chapter": "CHAP", "conference": "CONF"}.get(p.kind, "JOUR")
        lines = [f"TY  - {ty}", f"TI  - {p.title}", f"T2  - {book if chapter else j.full}"]
        if not chapter:
            lines.append(f"J2  - {j.iso}")
        first, last = page_range(p.pages)
        lines += [f"VL  - {p.volume}"] if p.volume else []
        lines += [f"IS  - {p.issue}"] if p.issue else []
        lines += [f"SP  - {first}", f"EP  - {last}"] if last else []
        lines += [f"PY  - {p.year}"] if p.year else []
        lines += [f"DO  - {p.doi}"] if p.doi else []
        lines += [f"AU  - {name_dotted(a)}" for a in p.authors]
        lines.append(f"AB  - {p.abstract}")
        lines += [f"PB  - {publisher}"] if publisher else []
        lines += [f"N1  - {CONSTRUCTED_NOTE}"] if p.constructed else []
        m3 = {"review": "Review", "chapter": "Book Chapter", "erratum": "Erratum"}
        lines += [f"M3  - {m3.get(p.kind, 'Article')}", "DB  - Scopus"]
        lines += [f"C7  - {first}"] if first and not last else []
        lines += ["LA  - English", f"ID  - {rid}", "ER  - ", ""]
        out += lines
        rows.append((rid, p.pub_id))
    return "\n".join(out), rows


def wos_plain_text(pubs: Iterable[Pub]) -> tuple[str, Rows]:
    """Web of Science plain text: AU initials and AF full names (full names only from 2006
    on, as in WoS), capitalised SO, J9/JI abbreviations, BP/EP or AR, titles in capitals
    before 2000, DOI missing on a few records, ``UT WOS:...`` ids."""
    order = sorted(pubs, key=lambda p: (-int(p.year or 0), p.authors[:1], p.title))
    out = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    rows: Rows = []
    for n, p in enumerate(order, start=1):
        rid = f"WOS:DEMO{n:011d}"
        j = p.journal
        old = int(p.year) < 2006
        title = p.title.upper().replace(": ", " - ") if int(p.year) < 2000 else p.title
        out.append("PT C" if p.kind == "conference" else "PT J")
        out += _tagged_list("AU", [name_compact(a) for a in p.authors])
        out += _tagged_list("AF", [name_compact(a) if old else a for a in p.authors])
        out += _wrap("TI ", title, 72, "   ")
        out += _wrap("SO ", j.wos or j.full.upper(), 72, "   ")
        out.append("LA English")
        dt = {"review": "Review", "conference": "Meeting Abstract", "erratum": "Correction"}
        out.append(f"DT {dt.get(p.kind, 'Article')}")
        out += [f"CT {CONFERENCE_NAME}"] if p.kind == "conference" else []
        out += _wrap("AB ", p.abstract, 72, "   ")
        out += [f"J9 {j.j9}", f"JI {j.iso}"] if j.j9 else []
        out.append(f"PY {p.year}")
        first, last = page_range(p.pages)
        out += [f"VL {p.volume}"] if p.volume else []
        out += [f"IS {p.issue}"] if p.issue else []
        out += [f"BP {first}", f"EP {last}"] if last else []
        out += [f"AR {first}"] if first and not last else []
        out += [f"DI {p.doi}"] if p.doi and p.pub_id not in WOS_WITHOUT_DOI else []
        out += [f"PG {int(last) - int(first) + 1}"] if last else []
        out += [f"UT {rid}", "ER", ""]
        rows.append((rid, p.pub_id))
    out.append("EF")
    return "\n".join(out) + "\n", rows


# WoS records that lack the DOI the other databases give.
WOS_WITHOUT_DOI = frozenset({"in11", "in17"})


def _tagged_list(tag: str, values: list[str]) -> list[str]:
    return [f"{tag} {v}" if i == 0 else f"   {v}" for i, v in enumerate(values)]


# PubMed records that lack the DOI the other databases give.
PUBMED_WITHOUT_DOI = frozenset({"in09"})


def pubmed_medline(pubs: Iterable[Pub]) -> tuple[str, Rows]:
    """PubMed MEDLINE: ``AU - Smith JA`` with ``FAU - Smith, John A``, TA/JT journal names,
    titles ending in a full stop, short page ranges on older records, DOI in LID/AID."""
    order = sorted(pubs, key=lambda p: (-int(p.year or 0), p.title.lower()))
    blocks: list[str] = []
    rows: Rows = []
    for n, p in enumerate(order, start=1):
        rid = f"DEMO{n:04d}"
        j = p.journal
        pages = medline_pages(p.pages, p.year)
        lines = [f"PMID- {rid}", "OWN - NLM", "STAT- MEDLINE"]
        lines += [f"VI  - {p.volume}"] if p.volume else []
        lines += [f"IP  - {p.issue}"] if p.issue else []
        lines.append(f"DP  - {p.year}")
        lines += _wrap("TI  - ", end_with_period(p.title), 88, " " * 6)
        lines += [f"PG  - {pages}"] if pages else []
        doi = "" if p.pub_id in PUBMED_WITHOUT_DOI else p.doi
        lines += [f"LID - {doi} [doi]"] if doi else []
        lines += _wrap("AB  - ", p.abstract, 88, " " * 6)
        for a in p.authors:
            lines += [f"FAU - {a}", f"AU  - {name_compact(a, ' ')}"]
        lines.append("LA  - eng")
        types = {"review": ["Journal Article", "Review"], "erratum": ["Published Erratum"]}
        lines += [f"PT  - {t}" for t in types.get(p.kind, ["Journal Article"])]
        lines += [f"GN  - {CONSTRUCTED_NOTE}"] if p.constructed else []
        lines += [f"TA  - {j.nlm}", f"JT  - {j.nlm_title}"]
        lines += [f"AID - {doi} [doi]"] if doi else []
        lines.append("PST - ppublish")
        issue = f"({p.issue})" if p.issue else ""
        where = f";{p.volume}{issue}" if p.volume or issue else ""
        so = f"{j.nlm}. {p.year}{where}" + (f":{pages}." if pages else ".")
        so += f" doi: {doi}." if doi else ""
        lines += _wrap("SO  - ", so, 88, " " * 6)
        blocks.append("\n".join(lines))
        rows.append((rid, p.pub_id))
    return "\n\n".join(blocks) + "\n", rows


def ebsco_ris(pubs: Iterable[Pub]) -> tuple[str, Rows]:
    """EBSCOhost RIS (CRLF): full names, T1 with a final full stop, JO and JF, ``Y1
    1999///`` dates, SP/EP, DOI in L3 except from Criminal Justice Abstracts (whose titles
    come title-cased), accession number in AN and N1."""
    out: list[str] = []
    rows: Rows = []
    n = 0
    for p in pubs:
        for db in EBSCO_DBS[p.pub_id]:
            n += 1
            rid = f"EBSCO-DEMO-{n:04d}"
            bare = db == EBSCO_BARE_DB
            title = end_with_period(title_case(p.title) if bare else p.title)
            first, last = page_range(p.pages)
            # MEDLINE records in EBSCOhost keep MEDLINE's "Bagnall AM" names and NLM titles.
            medline = db == "MEDLINE"
            names = [name_compact(a, " ") if medline else a for a in p.authors]
            journal = p.journal.nlm_title if medline else p.journal.full
            lines = ["TY  - JOUR", *[f"AU  - {a}" for a in names], f"T1  - {title}"]
            lines += [f"JO  - {journal}", f"JF  - {journal}", f"Y1  - {p.year}///"]
            lines += [f"VL  - {p.volume}"] if p.volume else []
            lines += [f"IS  - {p.issue}"] if p.issue else []
            lines.append("M3  - Article")
            lines += [f"SP  - {first}", f"EP  - {last or first}"] if first else []
            lines.append(f"AB  - {p.abstract}")
            lines += [f"AN  - {rid}", f"N1  - Accession Number: {rid}"]
            lines += [f"L3  - {p.doi}"] if p.doi and not bare else []
            lines += ["DP  - EBSCOhost", f"DB  - {db}", "ER  - ", ""]
            out += lines
            rows.append((rid, p.pub_id))
    return "\r\n".join(out), rows


ZOTERO_TYPES = {
    "chapter": "incollection",
    "report": "techreport",
    "thesis": "phdthesis",
}
ZOTERO_STOP = frozenset(["a", "an", "the", "some", "from", "on", "in", "to", "of", "do", "with"])


def zotero_key(p: Pub, taken: set[str]) -> str:
    """Zotero's key: first author's family name, first title word, year ("nodate")."""
    family = _split_name(p.authors[0])[0] if p.authors else ""
    words = [w for w in re.findall(r"[a-z0-9]+", p.title.lower()) if w not in ZOTERO_STOP]
    base = "_".join(
        re.sub(r"[^a-z0-9]", "", s.lower()) for s in (family, words[0], p.year or "nodate")
    )
    key, suffix = base, "a"
    while key in taken:
        key, suffix = base + suffix, chr(ord(suffix) + 1)
    taken.add(key)
    return key


def _bib_escape(text: str) -> str:
    return re.sub(r"([&%#_$])", r"\\\1", text)


def _bib_protect(title: str) -> str:
    """Zotero braces every word with a capital (but a capitalised first word)."""

    def brace(m: re.Match[str]) -> str:
        word = m.group(0)
        first_word = m.start() == 0 or not title[: m.start()].strip(" “‘\"'")
        if not any(c.isupper() for c in word) or (
            first_word and not any(map(str.isupper, word[1:]))
        ):
            return word
        return "{" + word + "}"

    return re.sub(r"[^\W_][\w’']*", brace, _bib_escape(title))


def zotero_bibtex(pubs: Iterable[Pub]) -> tuple[str, Rows]:
    """Zotero BibTeX: tab-indented fields, capitals protected with braces, ``--`` page
    ranges, authors joined with ``and``; keys like ``perrin_untapped_2017``."""
    taken: set[str] = set()
    entries: list[tuple[str, str, str]] = []
    for p in pubs:
        key = zotero_key(p, taken)
        kind = ZOTERO_TYPES.get(p.kind, "article")
        book, series, publisher = split_book(p.container) if kind == "incollection" else ("",) * 3
        first, last = page_range(p.pages)
        fields: list[tuple[str, str]] = [("title", _bib_protect(p.title))]
        fields += [("booktitle", _bib_protect(book))] if book else []
        fields += [("volume", p.volume), ("url", p.url), ("doi", p.doi)]
        fields += [("abstract", _bib_escape(p.abstract)), ("number", p.issue)]
        container = {"article": "journal", "techreport": "institution", "phdthesis": "school"}
        if kind in container:
            fields.append((container[kind], _bib_escape(p.container)))
        fields += [("publisher", publisher), ("series", series)]
        fields += [("author", " and ".join(p.authors)), ("year", p.year)]
        fields.append(("pages", f"{first}--{last}" if last else first))
        body = "".join(f"\t{k} = {{{v}}},\n" for k, v in fields if v)
        entries.append((key, p.pub_id, f"@{kind}{{{key},\n{body}}}\n"))
    entries.sort()
    return "".join(f"\n{text}" for _, _, text in entries), [(k, pid) for k, pid, _ in entries]


EXPORTS: tuple[tuple[str, str, Callable[[Iterable[Pub]], tuple[str, Rows]]], ...] = (
    ("S", "scopus.ris", scopus_ris),
    ("W", "wos-savedrecs.txt", wos_plain_text),
    ("P", "pubmed.nbib", pubmed_medline),
    ("E", "ebscohost.ris", ebsco_ris),
    ("Z", "zotero.bib", zotero_bibtex),
)


def build(out_dir: Path, master: Path = MASTER) -> list[Path]:
    """Write every export under ``out_dir/exports`` and ``out_dir/truth.csv``."""
    pubs = load_pubs(master)
    missing = {p.pub_id for p in pubs} - set(COVERAGE)
    if missing:
        raise SystemExit(f"{master}: no export carries {', '.join(sorted(missing))}")
    (out_dir / "exports").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    truth: Rows = []
    for letter, name, write in EXPORTS:
        text, rows = write(p for p in pubs if letter in COVERAGE[p.pub_id])
        path = out_dir / "exports" / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
        truth += rows
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["record_id", "publication_id"])
    writer.writerows(truth)
    path = out_dir / "truth.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return [*written, path]


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else DEMO_DIR
    for path in build(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
