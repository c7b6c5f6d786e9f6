"""Safe, streaming XML reading for the XML formats (PubMed XML, EndNote XML).

Parsing goes through defusedxml's expat parser, which refuses entity declarations (the
"billion laughs" bomb, external entities that read local files) and external references,
and never fetches a DTD. Records are handed to the reader as each one closes and are then
cleared, so a large export is not held twice in memory.

Line numbers: the target's ``start`` runs inside expat's start-element callback, where
``CurrentLineNumber`` is the line of the start tag; that is the line a record starts on.
(EndNote writes a whole library on one line, so its records all say line 1 or 2.)

A file cut off or broken part-way keeps the records before the break; the record open at
the break is skipped ("the file ends inside this record" when the break is the end of
the file), and every record start tag after the break is found by a plain text scan and
reported skipped with its line, so the count of records is still exact.

`read_records` is the whole read both XML readers share on top of that: each record
element mapped by the reader's own function (skipped with its line and reason when it
cannot be read, kept and marked incomplete when it has nothing to identify it), its
unknown fields counted, and the file
refused when its root or its records are not the format's.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from lib.model import Record
from lib.readers.base import ReadError, ReadResult, Skipped

__all__ = ["XmlRead", "flatten", "local", "read_records", "stream_records", "text_of"]

# The XML parser cannot hand over the element the file ends inside, so that record is
# reported (with its line) rather than kept.
TRUNCATED = "the file ends inside this record; the export was cut short: export it again"
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ENTITY_REF = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")


def local(tag: str) -> str:
    """A tag without its namespace ("{ns}record" → "record")."""
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


@dataclass(slots=True)
class XmlRead:
    """What a streaming read found besides the records it handed over."""

    root: str = ""
    records_seen: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Target:
    """Tree builder that reports each record element, with its start line, as it closes."""

    def __init__(self, record_tags: frozenset[str], on_record: Callable[[Element, int], None]):
        self.builder = TreeBuilder()
        self.record_tags = record_tags
        self.on_record = on_record
        self.parser: DefusedXMLParser | None = None
        self.depth = 0
        self.root = ""
        self.record_depth = 0
        self.record_line: int | None = None
        self.done = 0
        # Text goes straight to the C tree builder: expat calls this for every run of text.
        self.data = self.builder.data

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        self.depth += 1
        if self.depth == 1:
            self.root = local(tag)
        if not self.record_depth and local(tag) in self.record_tags:
            self.record_depth = self.depth
            self.record_line = self.parser.parser.CurrentLineNumber if self.parser else None
        return self.builder.start(tag, attrib)

    def end(self, tag: str) -> Element:
        elem = self.builder.end(tag)
        if self.record_depth == self.depth:
            self.done += 1
            line = self.record_line
            self.record_depth, self.record_line = 0, None
            self.on_record(elem, line or 1)
            elem.clear()
        self.depth -= 1
        return elem

    def close(self) -> Element:
        return self.builder.close()


def _decode_html_entities(text: str) -> tuple[str, int]:
    """HTML named entities (``&nbsp;``) as character references; XML knows only five."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        chars = html.entities.html5.get(f"{name};")
        if chars is None:
            return match.group(0)
        count += 1
        return "".join(f"&#{ord(c)};" for c in chars)

    if "&" not in text:
        return text, 0
    return _ENTITY_REF.sub(swap, text), count


def _offset(text: str, line: int, column: int) -> int:
    """Character offset of expat's (line, byte column) position in ``text``."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    end = text.find("\n", start)
    row = text[start : end if end >= 0 else len(text)]
    prefix = row.encode("utf-8", "surrogatepass")[:column].decode("utf-8", "ignore")
    return start + len(prefix)


def _starts_after(text: str, offset: int, record_tags: Iterable[str]) -> list[int]:
    """Lines of record start tags at or after ``offset`` (found by a plain text scan)."""
    names = "|".join(re.escape(t) for t in sorted(record_tags))
    pattern = re.compile(rf"<(?:[\w.-]+:)?(?:{names})[\s>/]")
    lines: list[int] = []
    line, pos = 1 + text.count("\n", 0, offset), offset
    for match in pattern.finditer(text, offset):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        lines.append(line)
    return lines


def stream_records(
    text: str,
    *,
    record_tags: frozenset[str],
    on_record: Callable[[Element, int], None],
    label: str,
) -> XmlRead:
    """Parse ``text`` safely, calling ``on_record(element, line)`` for each record element.

    Raises `ReadError` when the file is refused (entity declarations, external
    references) or is not XML at all; a break after the first record is reported in
    the returned `XmlRead` instead.
    """
    text, decoded = _decode_html_entities(text)
    target = _Target(record_tags, on_record)
    parser = DefusedXMLParser(target=target)
    target.parser = parser
    outcome = XmlRead()
    if decoded:
        outcome.notes.append(f"{decoded} HTML entity reference(s) such as &nbsp; decoded")
    at_end = False  # expat reports an unfinished document only when the input is closed
    try:
        parser.feed(text)
        at_end = True
        parser.close()
    except DefusedXmlException as exc:
        kind = type(exc).__name__
        raise ReadError(
            f"refused for safety: the XML declares entities or external references ({kind}), "
            f"which can hide an 'XML bomb' or read files on this computer; a genuine {label} "
            "export has none, so export the records again"
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (1, 0))
        reason = str(exc).split(":")[0]
        if not target.done and target.record_line is None:
            raise ReadError(f"not well-formed XML ({reason})", line=line) from None
        _report_break(outcome, target, text, (line, column, reason), record_tags, at_end)
    except (ValueError, UnicodeError) as exc:
        raise ReadError(f"not readable as XML ({exc})") from None
    outcome.root = target.root
    outcome.records_seen = target.done
    return outcome


def _report_break(
    outcome: XmlRead,
    target: _Target,
    text: str,
    error: tuple[int, int, str],
    record_tags: frozenset[str],
    at_end: bool,
) -> None:
    line, column, reason = error
    hint = f"record {target.done + 1}"
    if target.record_line is not None:
        why = TRUNCATED if at_end else f"the XML is broken at line {line} ({reason})"
        outcome.skipped.append(Skipped(target.record_line, why, hint))
    if at_end:
        if target.record_line is None:
            outcome.notes.append(
                "the file ends before its XML is closed (truncated export?); "
                "every record before the end was read"
            )
        return
    after = _starts_after(text, _offset(text, line, column), record_tags)
    first = target.done + (2 if target.record_line is not None else 1)
    for n, start in enumerate(after, start=first):
        outcome.skipped.append(
            Skipped(
                start,
                f"not read: the XML is broken at line {line} ({reason}) before it",
                f"record {n}",
            )
        )
    outcome.notes.append(
        f"the XML is broken at line {line} ({reason}); "
        f"{len(after)} record(s) after it could not be read"
    )


def text_of(elem: Element | None) -> str:
    """All the text inside ``elem``, inline markup dropped, layout white space ignored.

    White space containing a line break between child elements is pretty-printing (as
    between EndNote's ``<style>`` runs) and is dropped; other text is kept as is.
    """
    if elem is None:
        return ""
    if not len(elem):
        return elem.text or ""  # a leaf, the common case
    parts: list[str] = []
    stack: list[tuple[Element, bool]] = [(elem, True)]
    while stack:
        node, entering = stack.pop()
        if entering:
            if node.text and (node.text.strip() or "\n" not in node.text):
                parts.append(node.text)
            stack.append((node, False))
            stack.extend((child, True) for child in reversed(node))
        elif node is not elem and node.tail and (node.tail.strip() or "\n" not in node.tail):
            parts.append(node.tail)
    return "".join(parts)


def flatten(elem: Element, inline: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Every text and attribute under ``elem`` as ``{path: [values...]}`` in document order.

    Paths are relative to ``elem`` ("titles/title", "ref-type@name"); an element whose
    children are all ``inline`` markup (``style``, ``i``, ``sup``) is one value.
    """
    out: dict[str, list[str]] = {}

    def add(key: str, value: str) -> None:
        found = out.get(key)
        if found is None:
            out[key] = [value]
        else:
            found.append(value)

    for name, value in elem.attrib.items():
        add(f"@{local(name)}", value)
    stack: list[tuple[Element, str]] = [(child, "") for child in reversed(elem)]
    while stack:
        node, parent = stack.pop()
        tag = local(node.tag)
        if tag in inline:
            continue
        path = f"{parent}/{tag}" if parent else tag
        if node.attrib:
            for name, value in node.attrib.items():
                add(f"{path}@{local(name)}", value)
        if not len(node):  # a leaf, the common case
            if node.text and node.text.strip():
                add(path, node.text.strip())
            continue
        if all(local(c.tag) in inline for c in node):
            value = text_of(node).strip()
            if value:
                add(path, value)
            continue
        if node.text and node.text.strip():
            add(path, node.text.strip())
        stack.extend((child, path) for child in reversed(node))
    return out


def read_records(
    text: str,
    *,
    label: str,
    roots: Collection[str],
    record_tags: frozenset[str],
    to_record: Callable[[Element], Record],
    inline: frozenset[str],
    unknown: Callable[[dict[str, list[str]]], Iterable[str]],
    no_records: str,
) -> ReadResult:
    """Read an XML export whose ``record_tags`` elements are one record each.

    ``label`` names the format in messages ("not PubMed XML") and is the exporter.
    ``roots`` are the root elements the format allows. ``to_record`` maps one record
    element; ``inline`` is the markup `flatten` folds into the text of
    ``Record.original``. ``unknown(original)`` gives the
    fields of one record the reader does not understand, each once. ``no_records`` is
    the message when the file holds no record at all.
    """
    result = ReadResult(exporter=label)
    count = 0

    def on_record(elem: Element, line: int) -> None:
        nonlocal count
        count += 1
        try:
            record = to_record(elem)
            original = flatten(elem, inline)
        except Exception as exc:  # one odd record must not lose the file  # noqa: BLE001
            result.skipped.append(Skipped(line, f"could not be read ({exc})", f"record {count}"))
            return
        record.line = line
        record.original = original
        result.keep(record)
        result.unknown_fields.update(unknown(original))

    outcome = stream_records(text, record_tags=record_tags, on_record=on_record, label=label)
    if outcome.root not in roots:
        raise ReadError(f"not {label} XML: the root element is <{outcome.root}>")
    if not count and not outcome.skipped:
        raise ReadError(no_records)
    result.skipped += outcome.skipped
    result.notes += outcome.notes
    return result
