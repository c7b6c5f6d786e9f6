"""Read the codebook's YAML strictly enough that a reviewer's slip is reported, not guessed.

PyYAML's `safe_load` follows YAML 1.1, where ``no``, ``yes``, ``on`` and ``off`` are
booleans and a repeated key silently replaces the first. In a codebook ``- no`` is a
negation word and a code written twice is a mistake, so this loader reads those words as
text and refuses repeated keys, naming the line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["YamlError", "dump_yaml", "load_yaml"]


class YamlError(ValueError):
    """The text is not valid YAML (or repeats a key); the message gives the line."""


# libyaml's parser when PyYAML was built with it (about ten times faster), else PyYAML's own.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CodebookLoader(_BASE):  # type: ignore[misc, valid-type]
    """A safe loader with YAML 1.2 booleans (true/false only) and no repeated keys."""


_CodebookLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CodebookLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _CodebookLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise YamlError(
                f"line {key_node.start_mark.line + 1}: {key!r} is written twice in the same "
                f"block (first on an earlier line); keep one"
            )
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_CodebookLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str) -> Any:
    """Parse YAML text; raises `YamlError` with the line and the parser's reason."""
    try:
        return yaml.load(
            text, Loader=_CodebookLoader
        )  # a SafeLoader subclass: no arbitrary objects
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = exc.problem or exc.context or "not valid YAML"
        raise YamlError(f"{where}{reason}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML ({exc})") from None


def dump_yaml(data: Any) -> str:
    """Readable block-style YAML, keys in the order given, Unicode kept."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96)
