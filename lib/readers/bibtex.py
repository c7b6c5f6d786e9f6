"""BibTeX reader (Zotero, JabRef, Mendeley, EndNote, Google Scholar, Scopus, Web of Science).

bibtexparser v2 splits the file into blocks and tells where each starts and which failed;
everything after the split is done here rather than by its middleware, for three reasons:
its string interpolation resolves only whole-value macros (not ``jb # " Suppl."`` nor the
standard month macros), entries with a repeated field (Scopus repeats ``funding_details``)
come back as failed blocks that skipped the middleware, and its LaTeX decoding runs
pylatexenc on every value, which is far too slow for 100k entries (see `_latex`).
Names are split with bibtexparser's own BibTeX name grammar (``and``, ``{braced groups}``,
``von Last, Jr, First``).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)

from lib.fields import clean_doi, clean_pages, clean_text, parse_year
from lib.model import Record
from lib.readers._doctype import refine_entry_type
from lib.readers._latex import latex_to_unicode, unescape_verbatim
from lib.readers.base import (
    CUT_SHORT,
    Format,
    ReadError,
    ReadResult,
    Skipped,
    mark_incomplete,
    one_line,
)

__all__ = ["FORMAT", "read", "sniff"]

# bibtexparser logs each malformed block as a warning; this reader reports them as skipped
# records instead, so keep the log off the user's terminal unless logging is configured.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

ENTRY_TYPES: dict[str, str] = {
    "article": "article",
    "inproceedings": "conference",
    "conference": "conference",
    "proceedings": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "inreference": "chapter",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "reference": "book",
    "booklet": "book",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "dataset": "dataset",
    "data": "dataset",
    "preprint": "preprint",
    "misc": "misc",
    "online": "misc",
    "electronic": "misc",
    "www": "misc",
    "webpage": "misc",
    "unpublished": "misc",
    "patent": "misc",
    "software": "misc",
    "periodical": "misc",
    "suppperiodical": "misc",
    "standard": "report",
}

# The standard BibTeX month macros (``month = jan``).
_MONTHS = {
    m[:3].lower(): m
    for m in (
        "January February March April May June July August September October November December"
    ).split()
}

# Field names this reader maps to the record model; the rest count as not understood.
_TITLE = ("title",)
_JOURNAL = ("journal", "journaltitle")
_CONTAINER = ("booktitle", "maintitle")
# Who issued a report, thesis or book stands in for the journal (the model's container).
_ISSUER = ("institution", "school", "organization", "publisher")
_ISSUE = ("issue", "number")
_PAGES = ("pages",)
_ARTICLE_NUMBER = ("article-number", "art_number", "eid", "articleno")
_KEYWORDS = ("author_keywords", "author-keywords", "keywords", "keyword")  # author's first
_ARCHIVE = ("archiveprefix", "eprinttype", "howpublished", "publisher")
_LANGUAGE = ("language", "langid")
_ISSN = ("issn", "eissn")
_DOCTYPE = ("type", "document_type")
_KNOWN = frozenset(
    (
        *_TITLE,
        *_JOURNAL,
        *_CONTAINER,
        *_ISSUER,
        *_ISSUE,
        *_PAGES,
        *_ARTICLE_NUMBER,
        *_KEYWORDS,
        *_LANGUAGE,
        *_ISSN,
        *_DOCTYPE,
        *_ARCHIVE[:2],
        "author",
        "year",
        "date",
        "volume",
        "doi",
        "abstract",
        "url",
        "isbn",
    )
)
# Entry types whose ``number`` is a report or series number, not a journal issue.
_NUMBER_IS_NOT_ISSUE = frozenset({"report", "book", "thesis", "misc", "dataset"})

_NOT_RECORDS = ("@comment", "@string", "@preamble")
_BLOCK_HEAD = re.compile(r"@\s*([A-Za-z][\w-]*)\s*[{(]\s*([^,\s{}()=\"]*)")
_ENTRY_HEAD = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
_ENTRY_WITH_KEY = re.compile(
    r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*[^\s,{}()=\"]*[ \t]*,", re.MULTILINE
)
# Where bibtexparser starts a block for sure: "@type{" or "@type(" first on a line.
_BLOCK_START = re.compile(r"^[^\S\n]*@\w*[ \t]*(?=[{(])", re.MULTILINE)
_STRING_HEAD = re.compile(r"[^\S\n]*@string\b", re.IGNORECASE)
CHUNK_CHARS = 1_000_000
_STRUCTURE = re.compile(r'(?<!\\)[{}"#]')
_WS = re.compile(r"\s+")
_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)\S+")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def sniff(head: str) -> float:
    """High when entries like ``@article{key,`` start lines; a lone ``@string`` is weaker."""
    types = {m.group(1).lower() for m in _ENTRY_WITH_KEY.finditer(head, 0, len(head))}
    if types - {"comment", "string", "preamble"}:
        return 0.9
    heads = {m.group(1).lower() for m in _ENTRY_HEAD.finditer(head)}
    if heads & {"comment", "string", "preamble"}:
        return 0.5
    if heads:
        return 0.4
    return 0.0


@lru_cache(maxsize=4096)
def _field_name(key: str) -> str:
    """Field names compare case-insensitively; a no-break space (Scopus) is a space."""
    return _WS.sub(" ", key.replace("\u00a0", " ")).strip().lower()


def _evaluate(raw: str, strings: dict[str, str], undefined: Counter[str]) -> str:
    """A raw field value with its delimiters removed, ``#`` concatenations joined and
    ``@string``/month macros expanded. Inner braces are kept (names and LaTeX need them)."""
    raw = raw.strip()
    if "#" not in raw:  # the usual case: one {...} or "..." value, a number or a macro
        return _evaluate_part(raw, strings, undefined)
    parts: list[str] = []
    depth = 0
    in_quotes = False
    start = 0
    for match in _STRUCTURE.finditer(raw):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and char == '"':
            in_quotes = not in_quotes
        elif depth == 0 and char == "#" and not in_quotes:
            parts.append(raw[start : match.start()])
            start = match.end()
    if not parts:
        return _evaluate_part(raw, strings, undefined)
    parts.append(raw[start:])
    return "".join(_evaluate_part(p.strip(), strings, undefined) for p in parts)


def _evaluate_part(part: str, strings: dict[str, str], undefined: Counter[str]) -> str:
    if len(part) >= 2 and (
        (part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')
    ):
        return part[1:-1]
    if not part or part.isdigit() or part[0] in '{"':
        return part
    name = part.lower()
    if name in strings:
        return strings[name]
    if name in _MONTHS:
        return _MONTHS[name]
    undefined[part] += 1
    return part


def _text(value: str) -> str:
    """A LaTeX text field as clean Unicode."""
    return clean_text(latex_to_unicode(value)) if value else ""


def _url(value: str) -> str:
    """The first URL of a url field: Mendeley lists several, space-separated; EndNote writes
    "<Go to ISI>://WOS:000..." (an accession number, not a URL)."""
    match = _URL.match(unescape_verbatim(value).strip())
    return match.group(0) if match else ""


def _verbatim(value: str) -> str:
    """A DOI, URL, number or code: escapes and braces removed, never LaTeX-decoded."""
    return clean_text(unescape_verbatim(value)) if value else ""


def _name(raw: str) -> str:
    """One BibTeX name as "Family, Given" (", Jr" kept after the given names)."""
    if raw.count(",") == 1 and "{" not in raw and "\\" not in raw and "~" not in raw:
        # "von Last, First" needs no grammar: the fast path for most exports
        family, _, given = raw.partition(",")
        family, given = clean_text(family), clean_text(given)
        if family:
            return f"{family}, {given}" if given else family
    parts = parse_single_name_into_parts(raw, strict=False)
    family = _text(" ".join(parts.von + parts.last))
    given = _text(" ".join(parts.first))
    junior = _text(" ".join(parts.jr))
    if not family:
        family, given = given, ""
    name = f"{family}, {given}" if given else family
    return f"{name}, {junior}" if junior else name


def _authors(value: str) -> list[str]:
    if "{" in value or "\\" in value:
        raws = split_multiple_persons_names(value)
    else:  # nothing braced or escaped: a plain split is the same, and much faster
        raws = _AND.split(value.strip())
    names = []
    for raw in raws:
        if raw.strip().lower() == "others":  # BibTeX's "et al."
            continue
        name = _name(raw)
        if name:
            names.append(name)
    return names


def _keywords(values: list[str]) -> list[str]:
    """Keywords from every keyword field, split and de-duplicated, in file order."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        text = latex_to_unicode(value)
        # "a; b" (WoS, Scopus), "a, b" (Zotero, JabRef), or one per line (EndNote)
        separator = ";" if ";" in text else "," if "," in text else "\n"
        for word in text.split(separator):
            word = clean_text(word)
            if word and word.lower() not in seen:
                seen.add(word.lower())
                out.append(word)
    return out


class _Reader:
    """State of one file's reading: macros, counters and the result being filled."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.result = ReadResult()
        self.strings: dict[str, str] = {}
        self.undefined: Counter[str] = Counter()
        self.unknown_types: Counter[str] = Counter()
        self.repeated: Counter[str] = Counter()
        self.wos_keys = 0
        self.scopus = 0
        self.placeholder = ""
        self.hidden = 0  # entries inside @comment blocks

    def read(self, text: str) -> ReadResult:
        """Read the text in chunks of whole blocks (see `_chunks`), macros first."""
        text, self.placeholder = _protect_backslashes(text)
        text = self.neutralise_comments(text)
        starts = [m.start() for m in _BLOCK_START.finditer(text)]
        self.read_strings(text, starts)
        line = 0  # lines before the current chunk
        done = 0
        for begin, end in _chunks(starts, len(text)):
            line += text.count("\n", done, begin)
            done = begin
            # A sentinel block after a chunk cut makes an unclosed entry before the cut fail
            # as it would in the whole file ("not closed before the next '@' entry").
            chunk = text[begin:end] if end == len(text) else text[begin:end] + "\n@comment{}"
            lines = _BlockLines(chunk, line)
            chunk_blocks = self.split(chunk).blocks
            for block in chunk_blocks:
                inner = _unwrap(block)
                if isinstance(inner, Entry):
                    self.entry(inner, block, lines.of(block))
                elif isinstance(block, ParsingFailedBlock) and not isinstance(inner, String):
                    at_end = end == len(text) and block is chunk_blocks[-1]
                    self.failed(block, lines.of(block), at_end=at_end)
        self.finish()
        return self.result

    def restore(self, value: str) -> str:
        """A value with the escaped backslashes `_protect_backslashes` replaced put back."""
        if self.placeholder and self.placeholder in value:
            return value.replace(self.placeholder, "\\\\")
        return value

    def neutralise_comments(self, text: str) -> str:
        """Entries inside ``@comment{...}`` are comments: JabRef and Zotero users remove an
        item by wrapping it so. bibtexparser ends a comment at any ``@type{`` inside it and
        reads the entry as a record, so the ``@`` signs inside each comment are blanked
        (same length: line numbers hold) and the entries so hidden noted."""
        hidden: list[int] = []
        pieces: list[str] = []
        done = 0
        line, counted = 1, 0  # the line at offset `counted`, advanced as comments are found
        for match in _COMMENT_HEAD.finditer(text):
            if match.start() < done:
                continue  # inside a comment already blanked
            close = _closing(text, match.end() - 1)
            if close is None:
                continue  # not closed: bibtexparser reports it
            body = text[match.end() : close]
            if "@" not in body:
                continue
            line += text.count("\n", counted, match.start())
            counted = match.start()
            hidden += [line] * len(_ENTRY_IN_COMMENT.findall(body))
            pieces += [text[done : match.end()], body.replace("@", " ")]
            done = close
        if not pieces:
            return text
        pieces.append(text[done:])
        self.hidden = len(hidden)
        if hidden:
            self.result.notes.append(
                f"{len(hidden)} entr{'y' if len(hidden) == 1 else 'ies'} inside @comment "
                f"blocks ignored: commented out, not records (first in the comment at line "
                f"{hidden[0]})"
            )
        return "".join(pieces)

    def split(self, text: str) -> Library:
        try:
            return bibtexparser.parse_string(text, parse_stack=[])
        # bibtexparser re-raises its own internal errors; a user gets a message, not a traceback
        except Exception as exc:  # noqa: BLE001
            raise ReadError(
                f"BibTeX could not be split into entries ({type(exc).__name__}: {exc})",
                file_name=self.file_name,
            ) from None

    def read_strings(self, text: str, starts: list[int]) -> None:
        """Every ``@string`` macro, in file order, before any entry: a file may use a macro
        before defining it (bibtexparser allows it, so this reader does too)."""
        if not starts:
            return
        ends = [*starts[1:], len(text)]
        blocks = [
            text[a:b] for a, b in zip(starts, ends, strict=True) if _STRING_HEAD.match(text, a)
        ]
        if not blocks:
            return
        for block in self.split("\n".join(blocks)).blocks:
            inner = _unwrap(block)
            if isinstance(inner, String):
                self.strings[inner.key.strip().lower()] = _evaluate(
                    self.restore(inner.value), self.strings, self.undefined
                )

    def failed(self, block: ParsingFailedBlock, line: int | None, *, at_end: bool = False) -> None:
        raw = block.raw or ""
        head = _BLOCK_HEAD.match(raw)
        reason = _plain_reason(getattr(block.error, "abort_reason", "") or str(block.error))
        if at_end and reason == _END_OF_FILE and self.salvage(raw, line, CUT_SHORT):
            return
        if reason == _UNCLOSED and self.salvage(raw, line, _UNCLOSED_KEPT):
            return
        if raw.lower().startswith(_NOT_RECORDS):
            kind = head.group(1) if head else "block"
            self.result.notes.append(f"line {line}: @{kind} could not be read ({reason})")
            return
        hint = f"entry {head.group(2)}" if head and head.group(2) else ""
        self.result.skipped.append(Skipped(line, f"malformed BibTeX entry: {reason}", record=hint))

    def salvage(self, raw: str, line: int | None, why: str) -> bool:
        """Read an entry left open (the file ends inside it, or its closing brace is
        missing) as far as it goes, closing what is open; kept and marked incomplete for
        ``why``. False when even that does not give an entry."""
        depth = 0
        for match in _BRACES.finditer(raw):
            depth += 1 if match.group() == "{" else -1
        quoted = raw.count('"') % 2 == 1 and depth == 1  # cut inside a "..." value
        closed = raw.rstrip() + ('"' if quoted else "") + "}" * max(depth, 1)
        try:
            blocks = bibtexparser.parse_string(closed, parse_stack=[]).blocks
        except Exception:  # noqa: BLE001  # bibtexparser's internal errors: not salvageable
            return False
        entries = [_unwrap(b) for b in blocks if isinstance(_unwrap(b), Entry)]
        if len(entries) != 1 or any(c.isspace() for c in entries[0].key.strip()):
            return False  # a broken head rather than a cut-off entry: skipped as it was
        before = len(self.result.records)
        self.entry(entries[0], entries[0], line)  # type: ignore[arg-type]
        if len(self.result.records) == before:
            return False
        mark_incomplete(self.result.records[-1], why)
        return True

    def entry(self, entry: Entry, block: Block, line: int | None) -> None:
        key = self.restore(entry.key.strip())
        if any(c.isspace() for c in key):  # "@article{key\nMeSH Headings...": no comma
            self.result.skipped.append(
                Skipped(
                    line,
                    f"malformed BibTeX entry: its key {one_line(key, 40)!r} holds spaces or "
                    "line breaks (no comma after the key?)",
                    record=f"entry {key.split()[0]}",
                )
            )
            return
        fields: dict[str, list[str]] = {}
        for field in entry.fields:
            name = _field_name(field.key)
            value = field.value if isinstance(field.value, str) else str(field.value)
            value = self.restore(value)
            fields.setdefault(name, []).append(_evaluate(value, self.strings, self.undefined))
        entry_type = entry.entry_type.strip().lower()
        original = {"ENTRYTYPE": [entry_type], "ID": [key], **fields}
        for name, values in fields.items():
            if len(values) > 1:
                self.repeated[name] += 1
            if name not in _KNOWN:
                self.result.unknown_fields[name] += 1

        def first(names: tuple[str, ...]) -> str:
            for name in names:
                values = fields.get(name)
                if values and values[0].strip():
                    return values[0]
            return ""

        base = ENTRY_TYPES.get(entry_type)
        if base is None:
            self.unknown_types[entry_type] += 1
            base = "misc"
        journal = _text(first(_JOURNAL))
        if not journal:
            journal = _text(first(_CONTAINER))
        if not journal and base in ("report", "thesis", "book", "misc"):
            journal = _text(first(_ISSUER))
        # an arXiv @misc says so in its archive fields; a journal article's venue is its journal
        venue = journal or " ".join(_verbatim(first((name,))) for name in _ARCHIVE)
        entrytype = refine_entry_type(base, _verbatim(first(_DOCTYPE)), venue)
        pages = clean_pages(_verbatim(first(_PAGES)))
        if not pages:
            pages = clean_pages(_verbatim(first(_ARTICLE_NUMBER)))
        url = _url(first(("url",)))
        doi = clean_doi(_verbatim(first(("doi",))))
        if not doi and "doi.org/" in url:
            doi = clean_doi(url)
        issue = first(("issue",))
        if not issue and entrytype not in _NUMBER_IS_NOT_ISSUE:
            issue = first(("number",))
        record = Record(
            record_id=key,
            entrytype=entrytype,
            title=_text(first(_TITLE)),
            authors=_authors(first(("author",))),
            year=parse_year(first(("year",))) or parse_year(first(("date",))),
            journal=journal,
            volume=_verbatim(first(("volume",))),
            issue=_verbatim(issue),
            pages=pages,
            doi=doi,
            abstract=_text(first(("abstract",))),
            keywords=_keywords([v for name in _KEYWORDS for v in fields.get(name, ())]),
            language=_text(first(_LANGUAGE)),
            url=url,
            issn=_verbatim(first(_ISSN)),
            isbn=_verbatim(first(("isbn",))),
            line=line,
            original=original,
        )
        if key.upper().startswith("WOS:"):
            self.wos_keys += 1
        if first(("source",)).strip().lower() == "scopus":
            self.scopus += 1
        self.result.keep(record)  # an entry with only a type and a year is kept, flagged

    def finish(self) -> None:
        result = self.result
        count = len(result.records)
        if count and self.wos_keys * 2 > count:
            result.exporter = "Web of Science"
        elif count and self.scopus * 2 > count:
            result.exporter = "Scopus"
        for name, n in sorted(self.unknown_types.items()):
            result.notes.append(f"{n} entries of unknown type @{name} read as misc")
        if self.repeated:
            names = ", ".join(sorted(self.repeated))
            result.notes.append(
                f"some entries repeat a field ({names}): every value is kept in the original "
                "fields, and the first is used"
            )
        for name, n in sorted(self.undefined.items()):
            times = "once" if n == 1 else f"{n} times"
            result.notes.append(f"undefined @string macro {name!r} kept as written ({times})")
        if not result.records and not result.skipped:
            hidden = f"; {self.hidden} inside @comment blocks, commented out" if self.hidden else ""
            raise ReadError(
                f"no BibTeX entries found (expected entries like @article{{key, ...}}{hidden})",
                file_name=self.file_name,
            )


# bibtexparser's reasons for a failed block, in words a user can act on.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"end of file", re.I), "the entry is not closed before the end of the file"),
    (
        re.compile(r"Unexpected block start|found `@"),
        "the entry is not closed before the next '@' entry (a '}' is missing)",
    ),
    (re.compile(r"comma after entry key, but found (\S+)"), "no comma after the entry key"),
    (re.compile(r"`=` after entry key `([^`]*)`"), "field '\\1' has no '=' and value"),
    (re.compile(r"`=` after entry key"), "a field name is not followed by '='"),
    (re.compile(r"after a closed entry field value"), "a field value is not followed by ','"),
)


_END_OF_FILE = _REASONS[0][1]
_UNCLOSED = _REASONS[1][1]
_UNCLOSED_KEPT = "the entry is not closed (a '}' is missing), so it may be cut short"
_BRACES = re.compile(r"(?<!\\)[{}]")
_COMMENT_HEAD = re.compile(r"@[ \t]*comment[ \t]*\{", re.IGNORECASE)
_ENTRY_IN_COMMENT = re.compile(r"@[ \t]*(?!comment|string|preamble)[A-Za-z]+[ \t]*[{(]", re.I)
# Characters that stand for an escaped backslash while bibtexparser splits the text:
# private-use code points, the first one the file does not use.
_PLACEHOLDERS = ("\ue000", "\ue001", "\ue002", "\ue003")


def _protect_backslashes(text: str) -> tuple[str, str]:
    """The text with every escaped backslash (``\\\\``) replaced by a placeholder character.

    bibtexparser's splitter takes a delimiter after any backslash as escaped, without
    asking whether that backslash is itself escaped, so in ``title = {a\\\\}`` the closing
    brace is missed and the entry lost (open upstream: sciunto-org/python-bibtexparser
    pull request #598, "Tokenize backslash escapes by parity in the splitter"). Pairs are
    replaced left to right, so an odd run keeps its last backslash escaping what follows,
    as BibTeX reads it. `_Reader.restore` puts them back in the values. Returns the text
    and the placeholder ("" when nothing needed replacing).
    """
    if "\\\\" not in text:
        return text, ""
    placeholder = next((c for c in _PLACEHOLDERS if c not in text), "")
    if not placeholder:
        return text, ""
    return text.replace("\\\\", placeholder), placeholder


def _closing(text: str, opening: int) -> int | None:
    """Index of the brace closing the one at ``opening`` (escaped braces skipped)."""
    depth = 0
    for match in _BRACES.finditer(text, opening):
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return match.start()
    return None


def _plain_reason(reason: str) -> str:
    for pattern, plain in _REASONS:
        match = pattern.search(reason)
        if match:
            return match.expand(plain)
    return reason.strip().rstrip(".")


def _unwrap(block: Block) -> Block:
    """The block itself, or the entry/string inside a duplicate-key wrapper (still read)."""
    if isinstance(block, DuplicateFieldKeyBlock | DuplicateBlockKeyBlock):
        inner = block.ignore_error_block
        if inner is not None:
            return inner
    return block


class _BlockLines:
    """1-based file lines of the blocks of one chunk.

    bibtexparser does not count a line break that follows a backslash (it reads it as
    escaped), so after such a line its ``start_line`` is short by one per backslash-ended
    line. This maps its numbering back to the file's; where two file lines share one of its
    numbers, the block's first line of text says which.
    """

    def __init__(self, chunk: str, offset: int) -> None:
        self.offset = offset  # lines of the file before the chunk
        self.lines = chunk.split("\n")
        self.starts: dict[int, list[int]] = {}  # bibtexparser's line -> the file's lines
        counted = 0
        for line, text in enumerate(self.lines):
            self.starts.setdefault(counted, []).append(line)
            if not text.endswith("\\"):
                counted += 1

    def of(self, block: Block) -> int | None:
        if block.start_line is None:
            return None
        candidates = self.starts.get(block.start_line) or [block.start_line]
        line = candidates[0]
        if len(candidates) > 1:
            head = (block.raw or "").split("\n", 1)[0].strip()
            line = next((c for c in candidates if head and head in self.lines[c]), line)
        return line + 1 + self.offset


def _chunks(starts: list[int], size: int) -> list[tuple[int, int]]:
    """The text cut into pieces of about `CHUNK_CHARS`, each cut where a block starts.

    bibtexparser keeps every block of a file alive until it returns, which for 100k
    entries costs gigabytes and makes Python's garbage collector rescan millions of
    objects. Cutting only at a line-initial ``@type{`` changes nothing: bibtexparser itself
    ends any block there (its own recovery rule), so each piece splits as it would whole.
    """
    chunks: list[tuple[int, int]] = []
    begin = 0
    for start in starts:
        if start - begin >= CHUNK_CHARS:
            chunks.append((begin, start))
            begin = start
    chunks.append((begin, size))
    return chunks


def read(text: str, file_name: str = "") -> ReadResult:
    """Read a BibTeX file: one record per entry; malformed entries are skipped with a line."""
    return _Reader(file_name).read(text)


FORMAT = Format(
    name="bibtex",
    label="BibTeX",
    suffixes=(".bib", ".bibtex"),
    sniff=sniff,
    read=read,
)
