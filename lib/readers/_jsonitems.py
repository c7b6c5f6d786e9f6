"""The items of a JSON export, each with the line it starts on.

`json.loads` gives no positions, and every record needs a line for messages. So the
top-level array is walked item by item with the standard decoder's ``raw_decode`` (C speed,
the same parser), noting where each item starts. Exports wrap the array in an object
sometimes (CSL ``{"items": [...]}``, Publish or Perish ``{"$results": [...]}``); the
caller names the keys that may hold it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lib.readers.base import ReadError

__all__ = ["JsonItems", "load_items", "looks_like_json", "original_values"]

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


@dataclass(slots=True)
class JsonItems:
    """The items of the file's array, their 1-based start lines, and the wrapper (if any)."""

    items: list[object]
    lines: list[int]
    wrapper: dict[str, object] | None = None


def looks_like_json(head: str) -> bool:
    """True when the text starts like a JSON array or object."""
    start = head.lstrip("\ufeff \t\r\n")[:1]
    return start in ("[", "{")


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _error(exc: json.JSONDecodeError) -> ReadError:
    return ReadError(
        f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", line=exc.lineno
    )


def _walk_array(text: str, pos: int) -> tuple[list[object], list[int], int]:
    """Items of the array whose ``[`` is at ``pos``, their offsets, and the end offset."""
    items: list[object] = []
    offsets: list[int] = []
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return items, offsets, pos + 1
    while True:
        item, end = _DECODER.raw_decode(text, pos)
        items.append(item)
        offsets.append(pos)
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
            continue
        if text.startswith("]", pos):
            return items, offsets, pos + 1
        raise json.JSONDecodeError("Expecting ',' delimiter or ']'", text, pos)


def _lines(text: str, offsets: list[int]) -> list[int]:
    """1-based line of each offset (offsets ascending), counting newlines once."""
    lines = []
    line, last = 1, 0
    for offset in offsets:
        line += text.count("\n", last, offset)
        last = offset
        lines.append(line)
    return lines


def load_items(text: str, *, wrapper_keys: Sequence[str], what: str) -> JsonItems:
    """The items of a JSON array, or of the array under one of ``wrapper_keys``.

    Raises `ReadError` for text that is not JSON, and for JSON with no such array
    (``what`` names the expected content in that message, e.g. "CSL-JSON items").
    """
    pos = _skip(text, 1 if text.startswith("\ufeff") else 0)
    if not text.startswith(("[", "{"), pos):
        raise ReadError(f"not JSON (expected a list of {what} starting with '[')")
    try:
        if text.startswith("[", pos):
            items, offsets, end = _walk_array(text, pos)
        else:
            wrapper, end = _DECODER.raw_decode(text, pos)
        if _skip(text, end) != len(text):
            raise json.JSONDecodeError("Extra data after the JSON value", text, _skip(text, end))
    except json.JSONDecodeError as exc:
        raise _error(exc) from None
    except RecursionError:
        raise ReadError("JSON nested too deeply to read") from None
    if text.startswith("[", pos):
        return JsonItems(items, _lines(text, offsets))
    for key in wrapper_keys:
        items = wrapper.get(key)
        if isinstance(items, list):
            return JsonItems(items, _wrapped_lines(text, key, len(items)), wrapper)
    keys = ", ".join(f'"{k}"' for k in wrapper_keys)
    raise ReadError(
        f"JSON, but not a list of {what}: the top level is an object without a {keys} list"
    )


def _wrapped_lines(text: str, key: str, count: int) -> list[int]:
    """Lines of the items under ``"key": [``; the key's own line for all if not found."""
    match = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', text)
    if match:
        try:
            _, offsets, _ = _walk_array(text, match.end() - 1)
        except (json.JSONDecodeError, RecursionError):
            offsets = []
        if len(offsets) == count:
            return _lines(text, offsets)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    return [line] * count


def original_values(value: object) -> list[str]:
    """A JSON value as `Record.original` keeps it: scalars as text, objects as compact JSON."""
    values = value if isinstance(value, list) else [value]
    out = []
    for item in values:
        if isinstance(item, dict | list):
            out.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        elif item is not None:
            out.append(str(item))
    return out
