"""Edit one code or one facet of a codebook's YAML, leaving the rest of the text as it is.

The Codebook page offers a form per code and per facet instead of the whole 68k-character
file. A form's answer becomes plain data in the file's own layout (`code_from_form`,
`facet_from_form`), and `set_value` writes it into the YAML text in place: only the
edited block changes; every comment, blank line and hand-wrapped list elsewhere stays.
Written with PyYAML's node positions rather than a round-trip YAML library: ruamel.yaml
keeps comments but writes the whole document again (re-wrapping every hand-wrapped
phrase list), so a one-code edit would show as a diff of the whole file in the history.

`next_version` and `bump_version` move the codebook's version number on each edit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import yaml

from lib.coding.codebook import Codebook

__all__ = [
    "RULE_COLUMNS",
    "bump_version",
    "code_data",
    "code_from_form",
    "facet_from_form",
    "next_version",
    "rules_frame",
    "set_value",
    "split_list",
    "with_code",
    "with_facet",
]

RULE_COLUMNS = ("weight", "phrases", "patterns", "case-sensitive", "note")
_INDENT = 2


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Composes nodes with positions (the codebook's own loader checks the content)."""


def _end(node: yaml.Node) -> int:
    """Where a node's own text ends: after its last scalar or flow collection (a block
    collection's end mark is the next line's start, which would take comments along)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return int(node.end_mark.index)
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    return max((_end(c) for c in children), default=int(node.end_mark.index))


class _Dumper(yaml.SafeDumper):
    """Mappings as blocks, lists of words on one line (as the codebook is written)."""


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, Mapping | list) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=False)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(tuple, _list)
_Dumper.add_representer(dict, _dict)


def _dump(value: Any, indent: int) -> str:
    """``value`` as YAML lines indented by ``indent`` (lists of words stay on one line)."""
    text = yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=90).rstrip(
        "\n"
    )
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return "\n".join((" " * indent + line) if line else line for line in text.split("\n"))


def _find(root: yaml.Node, path: Sequence[str]) -> yaml.MappingNode:
    node = root
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            raise KeyError(f"{'/'.join(path)}: {key!r} is not inside a mapping")
        found = next((v for k, v in node.value if k.value == key), None)
        if found is None:
            raise KeyError(f"no {key!r} in {'/'.join(path)}")
        node = found
    if not isinstance(node, yaml.MappingNode):
        raise KeyError(f"{'/'.join(path)} is not a mapping")
    return node


def set_value(text: str, path: Sequence[str], key: str, value: Any) -> str:
    """The YAML ``text`` with ``key`` of the mapping at ``path`` set to ``value`` (added
    at the mapping's end when missing, removed when ``value`` is None); the rest of the
    text is unchanged. Raises KeyError when ``path`` is not in the text."""
    root = yaml.compose(text, Loader=_Loader)
    parent = _find(root, path)
    if parent.flow_style:
        raise KeyError(f"{'/'.join(path)} is written on one line; edit it as YAML")
    pairs = [(k, v) for k, v in parent.value if k.value == key]
    indent = parent.start_mark.column
    if not pairs:
        if value is None:
            return text
        end = _end(parent)
        block = _dump({key: value}, indent)
        return text[:end] + "\n" + block + text[end:]
    key_node, node = pairs[0]
    if value is None:  # the key's lines go, up to the end of its value's line
        start = text.rfind("\n", 0, key_node.start_mark.index) + 1
        end = text.find("\n", _end(node))
        return text[:start] + (text[end + 1 :] if end >= 0 else "")
    scalar = not isinstance(value, Mapping | list | tuple) or not value
    if scalar:  # on the key's line: `key: value`
        one = _dump({key: value}, 0)
        if "\n" not in one:
            rest = one.split(":", 1)[1].lstrip()
            return text[: node.start_mark.index] + rest + text[_end(node) :]
    block = _dump(value, indent + _INDENT)
    return text[: key_node.end_mark.index] + ":\n" + block + text[_end(node) :]


def next_version(version: str) -> str:
    """The version after ``version``: its last number plus one ("1" → "2", "2.3" → "2.4",
    "2024-a" → "2024-a.1")."""
    found = list(re.finditer(r"\d+", version))
    if not found:
        return f"{version}.1" if version.strip() else "2"
    last = found[-1]
    return version[: last.start()] + str(int(last.group()) + 1) + version[last.end() :]


def bump_version(text: str, in_force: str, *, force: bool = False) -> str:
    """``text`` with the version after ``in_force``, unless the text already moved it
    itself (``force``: whatever it says, as for an earlier codebook brought back)."""
    written = yaml.compose(text, Loader=_Loader)
    current = next(
        (str(v.value) for k, v in getattr(written, "value", []) if k.value == "version"), None
    )
    if current is not None and current != in_force and not force:
        return text
    return set_value(text, (), "version", next_version(in_force or "1"))


def code_data(codebook: Codebook, facet: str, slug: str) -> dict[str, Any]:
    """One code in the file's layout (label, description, rules ...)."""
    return dict(codebook.to_dict()["facets"][facet]["codes"][slug])


def split_list(text: str) -> list[str]:
    """``"a; b ;c"`` → ``["a", "b", "c"]`` (phrases may hold commas, never semicolons)."""
    return [part.strip() for part in str(text or "").split(";") if part.strip()]


def rules_frame(rules: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A code's rules as rows for a table editor (lists joined with "; ")."""
    return pd.DataFrame(
        [
            {
                "weight": float(r.get("weight", 1)),
                "phrases": "; ".join(r.get("phrases", [])),
                "patterns": "; ".join(r.get("patterns", [])),
                "case-sensitive": r.get("case") == "sensitive",
                "note": r.get("note", ""),
            }
            for r in rules
        ],
        columns=list(RULE_COLUMNS),
    )


def _number(value: Any) -> int | float:
    """3 rather than 3.0: numbers written as a person writes them."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _rules(frame: pd.DataFrame, *, weights: bool) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        rule: dict[str, Any] = {}
        phrases, patterns = split_list(row.get("phrases")), split_list(row.get("patterns"))
        if not phrases and not patterns:
            continue  # an empty row of the editor
        if phrases:
            rule["phrases"] = phrases
        if patterns:
            rule["patterns"] = patterns
        weight = row.get("weight")
        if weights and weight is not None and not pd.isna(weight) and float(weight) != 1:
            rule["weight"] = _number(weight)
        if bool(row.get("case-sensitive")):
            rule["case"] = "sensitive"
        note = str(row.get("note") or "").strip()
        if note:
            rule["note"] = note
        out.append(rule)
    return out


def code_from_form(
    original: Mapping[str, Any],
    *,
    label: str,
    description: str,
    rules: pd.DataFrame,
    cancelled_by: str,
    outranks: Sequence[str],
    min_score: float,
) -> dict[str, Any]:
    """A code's data from the form's fields; keys the form does not show are kept."""
    out = dict(original)
    out["label"] = label.strip()
    out["description"] = description.strip()
    out["rules"] = _rules(rules, weights=True)
    out["exclude"] = [{"phrases": split_list(cancelled_by)}] if split_list(cancelled_by) else []
    out["outranks"] = list(outranks)
    out["min_score"] = _number(min_score)
    for key, empty in (("description", ""), ("rules", []), ("exclude", []), ("outranks", []),
                       ("min_score", 1)):  # fmt: skip
        if out.get(key) == empty:
            out.pop(key, None)
    return out


def facet_from_form(
    *, label: str, description: str, fallback: str, cues: str, window: int
) -> dict[str, Any]:
    """The facet-wide settings a form edits (None removes a setting)."""
    negation = {"cues": split_list(cues), "window": int(window)} if split_list(cues) else None
    return {
        "label": label.strip(),
        "description": description.strip() or None,
        "fallback": fallback or None,
        "negation": negation,
    }


def with_facet(text: str, facet: str, settings: Mapping[str, Any]) -> str:
    """The codebook ``text`` with a facet's own settings (label, fallback ...) changed."""
    for key, value in settings.items():
        text = set_value(text, ("facets", facet), key, value)
    return text


def with_code(
    text: str, facet: str, slug: str, original: Mapping[str, Any], new: Mapping[str, Any]
) -> str:
    """The codebook ``text`` with one code as ``new``: only the settings that differ from
    ``original`` are rewritten (a new code, or one written on one line, as a whole)."""
    where = ("facets", facet, "codes")
    if not original:
        return set_value(text, where, slug, dict(new))
    try:
        for key in [*new, *(k for k in original if k not in new)]:
            if new.get(key) != original.get(key):
                text = set_value(text, (*where, slug), key, new.get(key))
    except KeyError:  # written as one line ({rules: [...]}): write the whole code
        return set_value(text, where, slug, dict(new))
    return text
