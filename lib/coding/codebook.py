"""The codebook: which codes exist for each facet and the rules that assign them, as data.

A reviewer edits ``data/codebook.yaml`` (or a copy stored in a project) without touching
code. `load_codebook` reads it and checks every part before anything is coded, so a
mistake is reported as one clear `CodebookError` naming the facet, code and rule, never as
a traceback halfway through coding. The file's format is described in its own header and
in ``tests/data/coding/GUIDE.md``.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lib.coding.patterns import GAP_WORDS, PhraseError, phrase_units
from lib.coding.sections import ROLES
from lib.coding.yamlio import YamlError, dump_yaml, load_yaml
from lib.facets import FACETS, facet_column

__all__ = [
    "FACETS",
    "FIELDS",
    "Code",
    "Codebook",
    "CodebookError",
    "Combination",
    "Facet",
    "Negation",
    "Rule",
    "default_codebook_path",
    "facet_column",
    "load_codebook",
]

# Record fields the rules search; keywords are searched as one "; "-joined text.
FIELDS: tuple[str, ...] = ("title", "abstract", "keywords")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOP_KEYS = ("codebook", "version", "description", "fields", "facets")
_FACET_KEYS = (
    "label",
    "description",
    "type",
    "fallback",
    "min_score",
    "case",
    "reads",
    "own_claims",
    "negation",
    "exclude",
    "codes",
    "combinations",
)
_CODE_KEYS = (
    "label",
    "description",
    "reads",
    "min_score",
    "outranks",
    "negation",
    "negated_as",
    "rules",
    "exclude",
)
_RULE_KEYS = ("phrases", "patterns", "weight", "case", "inflect", "gap", "order", "note")
_NEGATION_KEYS = ("cues", "window", "after")
_COMBINATION_KEYS = ("codes", "then", "min_score", "balance", "note")


def default_codebook_path() -> Path:
    """``data/codebook.yaml`` in the repository: the codebook used unless a project has one."""
    return Path(__file__).resolve().parents[2] / "data" / "codebook.yaml"


class CodebookError(ValueError):
    """The codebook cannot be used; the message names the place (facet, code, rule) and why."""


@dataclass(frozen=True, slots=True)
class Rule:
    """Phrases and/or regex patterns that are evidence for one code (or cancel it)."""

    where: str  # "facet 'method', code 'rct', rule 2" - for messages and evidence
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    weight: float = 1.0
    case_sensitive: bool = False
    note: str = ""
    inflect: bool = True  # words also match their inflections ("improve" -> "improved")
    gap: int = GAP_WORDS  # how many words "..." in a phrase stands for
    order: str = "written"  # or "any": the phrase's words in any order


@dataclass(frozen=True, slots=True)
class Negation:
    """A match is cancelled when one of `cues` is among the `window` words before it, or
    among the `after` words after it, in the same clause ("not randomised",
    "randomisation was not possible")."""

    cues: frozenset[str]
    window: int
    after: int = 0


@dataclass(frozen=True, slots=True)
class Code:
    slug: str
    label: str
    description: str = ""
    rules: tuple[Rule, ...] = ()
    exclude: tuple[Rule, ...] = ()
    outranks: tuple[str, ...] = ()
    min_score: float = 1.0
    negatable: bool = True
    negated_as: str = ""  # a negated match counts for this code instead ("did not improve")
    reads: dict[str, float] = field(default_factory=dict)  # instead of the facet's reads


@dataclass(frozen=True, slots=True)
class Combination:
    """When every code in `codes` applies, a single-valued facet takes `then` instead.

    `min_scores` gives, per member code, the score it needs here (default: its own
    ``min_score``); the file may give one number for all members or one per code.
    """

    codes: tuple[str, ...]
    then: str
    min_scores: dict[str, float] = field(default_factory=dict)
    # The weakest member's score must be at least this share of the strongest's (0: any):
    # "mixed" needs both sides, not one side and a passing word of the other.
    balance: float = 0.0


@dataclass(frozen=True, slots=True)
class Facet:
    name: str
    label: str
    kind: str  # "single" (exactly one code) or "multi" (zero or more)
    codes: dict[str, Code]
    description: str = ""
    fallback: str = ""
    negation: Negation | None = None
    exclude: tuple[Rule, ...] = ()
    combinations: tuple[Combination, ...] = ()
    # How much a match counts in a sentence of each role (`lib.coding.sections.ROLES`);
    # empty: everywhere alike. A role not named counts 0.
    reads: dict[str, float] = field(default_factory=dict)
    own_claims: bool = False  # ignore claims of others, future work, rebutted claims

    @property
    def column(self) -> str:
        return facet_column(self.name)

    @property
    def single(self) -> bool:
        return self.kind == "single"

    def label_of(self, code: str) -> str:
        found = self.codes.get(code)
        return found.label if found else code


@dataclass(frozen=True, eq=False)
class Codebook:
    """A checked codebook. Build it with `load_codebook`; `to_yaml` gives the text back."""

    name: str
    version: str
    description: str
    field_weights: dict[str, float]
    facets: dict[str, Facet]
    source_text: str = field(repr=False, default="")

    @property
    def sha256(self) -> str:
        """Identifies the codebook's content, so stored codes can say which one made them."""
        return hashlib.sha256(self.to_yaml().encode("utf-8")).hexdigest()

    def to_yaml(self) -> str:
        """The codebook as YAML: the text it was read from (comments kept) when there is one."""
        return self.source_text or dump_yaml(self.to_dict())

    def facet(self, name: str) -> Facet:
        """A facet by name (``peer-role`` or its column name ``peer_role``)."""
        key = name.replace("_", "-")
        if key not in self.facets:
            raise KeyError(f"no facet {name!r}; facets are {', '.join(self.facets)}")
        return self.facets[key]

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the file's layout (used when there is no source text to return)."""

        def rule_dict(rule: Rule, with_weight: bool) -> dict[str, Any]:
            out: dict[str, Any] = {}
            if rule.phrases:
                out["phrases"] = list(rule.phrases)
            if rule.patterns:
                out["patterns"] = list(rule.patterns)
            if with_weight and rule.weight != 1:
                out["weight"] = rule.weight
            if rule.case_sensitive:
                out["case"] = "sensitive"
            if not rule.inflect:
                out["inflect"] = False
            if rule.gap != GAP_WORDS:
                out["gap"] = rule.gap
            if rule.order != "written":
                out["order"] = rule.order
            if rule.note:
                out["note"] = rule.note
            return out

        facets: dict[str, Any] = {}
        for facet in self.facets.values():
            f: dict[str, Any] = {"label": facet.label, "type": facet.kind}
            if facet.description:
                f["description"] = facet.description
            if facet.fallback:
                f["fallback"] = facet.fallback
            if facet.reads:
                f["reads"] = dict(facet.reads)
            if facet.own_claims:
                f["own_claims"] = True
            if facet.negation:
                f["negation"] = {
                    "cues": sorted(facet.negation.cues),
                    "window": facet.negation.window,
                }
                if facet.negation.after:
                    f["negation"]["after"] = facet.negation.after
            if facet.exclude:
                f["exclude"] = [rule_dict(r, False) for r in facet.exclude]
            codes: dict[str, Any] = {}
            for code in facet.codes.values():
                c: dict[str, Any] = {"label": code.label}
                if code.description:
                    c["description"] = code.description
                if code.min_score != 1:
                    c["min_score"] = code.min_score
                if code.outranks:
                    c["outranks"] = list(code.outranks)
                if not code.negatable:
                    c["negation"] = False
                if code.negated_as:
                    c["negated_as"] = code.negated_as
                if code.reads:
                    c["reads"] = dict(code.reads)
                if code.rules:
                    c["rules"] = [rule_dict(r, True) for r in code.rules]
                if code.exclude:
                    c["exclude"] = [rule_dict(r, False) for r in code.exclude]
                codes[code.slug] = c
            f["codes"] = codes
            if facet.combinations:
                f["combinations"] = [
                    {"codes": list(c.codes), "then": c.then}
                    | ({"min_score": dict(c.min_scores)} if c.min_scores else {})
                    | ({"balance": c.balance} if c.balance else {})
                    for c in facet.combinations
                ]
            facets[facet.name] = f
        return {
            "codebook": self.name,
            "version": self.version,
            "description": self.description,
            "fields": dict(self.field_weights),
            "facets": facets,
        }


# -- loading and checking ------------------------------------------------------------------


def load_codebook(source: str | Path | Mapping[str, Any]) -> Codebook:
    """Read and check a codebook from a path, YAML text, or already-parsed data.

    A `Path` (or a one-line string ending in ``.yaml``/``.yml``) is read as a file; any
    other string is YAML text. Raises `CodebookError` naming what is wrong and where.
    """
    label = "codebook"
    text = ""
    if isinstance(source, Mapping):
        data: Any = source
    else:
        if isinstance(source, Path) or (
            "\n" not in source and source.strip().lower().endswith((".yaml", ".yml"))
        ):
            path = Path(source)
            label = str(path)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise CodebookError(f"{path}: no such codebook file") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise CodebookError(f"{path}: cannot be read ({exc})") from None
        else:
            text = source
        try:
            data = load_yaml(text)
        except YamlError as exc:
            raise CodebookError(f"{label}: {exc}") from None
    return _Checker(label).codebook(data, text)


def _suggest(key: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """Walks the parsed YAML, building the codebook and failing on the first problem."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, where: str, message: str) -> CodebookError:
        place = f"{where}: " if where else ""
        return CodebookError(f"{self.label}: {place}{message}")

    def mapping(self, value: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a block of keys, found {_kind(value)}")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    where,
                    f"unknown key {key!r}{_suggest(key, allowed)}; allowed: {', '.join(allowed)}",
                )
        return value

    def number(self, value: Any, where: str, what: str, *, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.fail(where, f"{what} must be a number, found {value!r}")
        if positive and value <= 0:
            raise self.fail(where, f"{what} must be above 0, found {value!r}")
        return float(value)

    def text(self, value: Any, where: str, what: str) -> str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(where, f"{what} must be text, found {_kind(value)}")
        return str(value)

    def strings(self, value: Any, where: str, what: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if item is None or isinstance(item, bool) or not isinstance(item, str | int | float):
                raise self.fail(where, f"each of {what} must be text, found {item!r}")
            out.append(str(item))
        return tuple(out)

    def case(self, value: Any, where: str, default: bool) -> bool:
        if value is None:
            return default
        if value not in ("sensitive", "insensitive"):
            raise self.fail(where, f"case must be 'sensitive' or 'insensitive', found {value!r}")
        return value == "sensitive"

    # -- parts -----------------------------------------------------------------------------
    def codebook(self, data: Any, text: str) -> Codebook:
        if data is None:
            raise self.fail("", "the codebook is empty")
        top = self.mapping(data, "", _TOP_KEYS)
        if "facets" not in top:
            raise self.fail("", "missing 'facets' (the block of facets and their codes)")
        weights = self.field_weights(top.get("fields"))
        facets_data = top["facets"]
        if not isinstance(facets_data, dict):
            raise self.fail("facets", f"expected a block of facets, found {_kind(facets_data)}")
        for name in facets_data:
            if name not in FACETS:
                raise self.fail(
                    "facets",
                    f"unknown facet {name!r}{_suggest(name, FACETS)}; the facets are "
                    f"{', '.join(FACETS)}",
                )
        facets: dict[str, Facet] = {}
        for name in FACETS:
            if name not in facets_data:
                every = ", ".join(FACETS)
                raise self.fail(
                    "", f"missing facet {name!r}; every codebook defines all of {every}"
                )
        for name in FACETS:  # contract order, whatever the file's order
            facets[name] = self.facet(name, facets_data[name])
        return Codebook(
            name=self.text(top.get("codebook"), "", "codebook (its name)") or "codebook",
            version=self.text(top.get("version"), "", "version"),
            description=self.text(top.get("description"), "", "description"),
            field_weights=weights,
            facets=facets,
            source_text=text,
        )

    def field_weights(self, value: Any) -> dict[str, float]:
        if value is None:
            return {"title": 1.0, "abstract": 1.0, "keywords": 1.0}
        block = self.mapping(value, "fields", FIELDS)
        weights = {f: 0.0 for f in FIELDS}
        for key, weight in block.items():
            weights[key] = self.number(weight, "fields", f"the weight of {key!r}")
            if weights[key] < 0:
                raise self.fail("fields", f"the weight of {key!r} cannot be negative")
        return weights

    def facet(self, name: str, value: Any) -> Facet:
        where = f"facet {name!r}"
        block = self.mapping(value, where, _FACET_KEYS)
        kind = block.get("type")
        if kind not in ("single", "multi"):
            raise self.fail(
                where,
                "missing or wrong 'type': 'single' (exactly one code) or 'multi' (zero or more)"
                f", found {kind!r}",
            )
        default_min = self.number(block.get("min_score", 1), where, "min_score", positive=True)
        facet_case = self.case(block.get("case"), where, False)
        negation = self.negation(block.get("negation"), where)
        if "codes" not in block:
            raise self.fail(where, "missing 'codes'")
        codes_block = block["codes"]
        if not isinstance(codes_block, dict) or not codes_block:
            raise self.fail(where, "'codes' must be a block of one or more codes")
        codes: dict[str, Code] = {}
        for key, code_value in codes_block.items():
            if key is None or isinstance(key, bool):
                raise self.fail(
                    where,
                    f'a code is read as {key!r} by YAML; put its name in quotes (e.g. "null")',
                )
            slug = str(key)
            if name != "country" and not _SLUG.match(slug):
                raise self.fail(
                    f"{where}, code {slug!r}",
                    "a code must be a slug: lower-case letters, digits and single hyphens",
                )
            codes[slug] = self.code(name, slug, code_value, default_min, facet_case)
        for slug, code in codes.items():
            if code.negated_as and code.negated_as not in codes:
                raise self.fail(
                    f"{where}, code {slug!r}",
                    f"negated_as names unknown code {code.negated_as!r}"
                    f"{_suggest(code.negated_as, codes)}",
                )
            if code.outranks == ("*",):
                codes[slug] = replace(code, outranks=tuple(c for c in codes if c != slug))
                continue
            for other in code.outranks:
                if other not in codes or other == slug:
                    raise self.fail(
                        f"{where}, code {slug!r}",
                        f"outranks unknown code {other!r}{_suggest(other, codes)}",
                    )
        fallback = ""
        if kind == "single":
            if "fallback" not in block:
                raise self.fail(where, "a single-valued facet needs 'fallback' (e.g. unclear)")
            fallback = self.text(block["fallback"], where, "fallback")
            if fallback not in codes:
                raise self.fail(where, f"fallback {fallback!r} is not one of its codes")
        elif "fallback" in block or "combinations" in block:
            key = "fallback" if "fallback" in block else "combinations"
            raise self.fail(where, f"{key!r} is only for single-valued facets")
        exclude = self.rules(
            block.get("exclude"), f"{where}, exclude", facet_case, with_weight=False
        )
        combinations = self.combinations(block.get("combinations"), where, codes)
        reads = self.reads(block.get("reads"), where)
        own_claims = block.get("own_claims", False)
        if not isinstance(own_claims, bool):
            raise self.fail(where, f"own_claims must be true or false, found {own_claims!r}")
        return Facet(
            name=name,
            label=self.text(block.get("label"), where, "label") or name,
            description=self.text(block.get("description"), where, "description"),
            kind=kind,
            codes=codes,
            fallback=fallback,
            negation=negation,
            exclude=exclude,
            combinations=combinations,
            reads=reads,
            own_claims=own_claims,
        )

    def reads(self, value: Any, where: str) -> dict[str, float]:
        if value is None:
            return {}
        block = self.mapping(value, f"{where}, reads", ROLES)
        out = {}
        for role, weight in block.items():
            out[role] = self.number(weight, f"{where}, reads", f"the weight of {role!r}")
            if out[role] < 0:
                raise self.fail(f"{where}, reads", f"the weight of {role!r} cannot be negative")
        return out

    def negation(self, value: Any, where: str) -> Negation | None:
        if value is None:
            return None
        block = self.mapping(value, f"{where}, negation", _NEGATION_KEYS)
        if "cues" not in block:
            raise self.fail(f"{where}, negation", "missing 'cues' (the negating words)")
        cues = self.strings(block["cues"], f"{where}, negation", "cues")
        for cue in cues:
            if not re.fullmatch(r"\w+", cue):
                raise self.fail(f"{where}, negation", f"cue {cue!r} must be one word")
        window = block.get("window", 3)
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 10:
            raise self.fail(f"{where}, negation", f"window must be 1 to 10 words, found {window!r}")
        after = block.get("after", 0)
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= 10:
            raise self.fail(f"{where}, negation", f"after must be 0 to 10 words, found {after!r}")
        return Negation(frozenset(c.lower() for c in cues), window, after)

    def code(self, facet: str, slug: str, value: Any, default_min: float, facet_case: bool) -> Code:
        where = f"facet {facet!r}, code {slug!r}"
        block = self.mapping(value if value is not None else {}, where, _CODE_KEYS)
        negatable = block.get("negation", True)
        if not isinstance(negatable, bool):
            raise self.fail(where, f"negation must be true or false, found {negatable!r}")
        outranks = block.get("outranks", ())
        if outranks == "all":
            outranks = ["*"]
        return Code(
            slug=slug,
            label=self.text(block.get("label"), where, "label") or slug,
            description=self.text(block.get("description"), where, "description"),
            rules=self.rules(block.get("rules"), where, facet_case, with_weight=True),
            exclude=self.rules(
                block.get("exclude"), f"{where}, exclude", facet_case, with_weight=False
            ),
            outranks=self.strings(outranks, where, "outranks") if outranks else (),
            min_score=self.number(
                block.get("min_score", default_min), where, "min_score", positive=True
            ),
            negatable=negatable,
            negated_as=self.text(block.get("negated_as"), where, "negated_as"),
            reads=self.reads(block.get("reads"), where),
        )

    def rules(
        self, value: Any, where: str, facet_case: bool, *, with_weight: bool
    ) -> tuple[Rule, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            found = _kind(value)
            raise self.fail(where, f"rules must be a list (lines starting with '-'), found {found}")
        allowed = _RULE_KEYS if with_weight else tuple(k for k in _RULE_KEYS if k != "weight")
        out = []
        for n, item in enumerate(value, start=1):
            rule_where = f"{where}, rule {n}" if with_weight else f"{where} {n}"
            block = self.mapping(item, rule_where, allowed)
            phrases = self.strings(block.get("phrases", []), rule_where, "phrases")
            patterns = self.strings(block.get("patterns", []), rule_where, "patterns")
            if not phrases and not patterns:
                raise self.fail(rule_where, "needs 'phrases' or 'patterns' (or both)")
            case_sensitive = self.case(block.get("case"), rule_where, facet_case)
            for phrase in phrases:
                try:
                    phrase_units(phrase)
                except PhraseError as exc:
                    raise self.fail(rule_where, str(exc)) from None
            for pattern in patterns:
                try:
                    compiled = re.compile(pattern)
                except re.error as exc:
                    raise self.fail(rule_where, f"bad regex {pattern!r}: {exc}") from None
                try:
                    re.compile(f"(?:{pattern})")
                except re.error:
                    raise self.fail(
                        rule_where,
                        f"regex {pattern!r}: inline flags such as (?i) are not allowed; "
                        "matching ignores case unless the rule says case: sensitive",
                    ) from None
                if compiled.match(""):
                    raise self.fail(rule_where, f"regex {pattern!r} matches empty text")
            weight = (
                self.number(block.get("weight", 1), rule_where, "weight", positive=True)
                if with_weight
                else 1.0
            )
            inflect = block.get("inflect", True)
            if not isinstance(inflect, bool):
                raise self.fail(rule_where, f"inflect must be true or false, found {inflect!r}")
            gap = block.get("gap", GAP_WORDS)
            if isinstance(gap, bool) or not isinstance(gap, int) or not 1 <= gap <= 5:
                raise self.fail(rule_where, f"gap must be 1 to 5 words, found {gap!r}")
            order = block.get("order", "written")
            if order not in ("written", "any"):
                raise self.fail(rule_where, f"order must be 'written' or 'any', found {order!r}")
            out.append(
                Rule(
                    where=rule_where,
                    phrases=phrases,
                    patterns=patterns,
                    weight=weight,
                    case_sensitive=case_sensitive,
                    note=self.text(block.get("note"), rule_where, "note"),
                    inflect=inflect,
                    gap=gap,
                    order=order,
                )
            )
        return tuple(out)

    def combinations(
        self, value: Any, where: str, codes: dict[str, Code]
    ) -> tuple[Combination, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(where, "combinations must be a list")
        out = []
        for n, item in enumerate(value, start=1):
            c_where = f"{where}, combination {n}"
            block = self.mapping(item, c_where, _COMBINATION_KEYS)
            members = self.strings(block.get("codes", []), c_where, "codes")
            if len(members) < 2:
                raise self.fail(c_where, "'codes' needs two or more codes")
            then = self.text(block.get("then"), c_where, "then")
            for code in (*members, then):
                if code not in codes:
                    raise self.fail(c_where, f"unknown code {code!r}{_suggest(code, codes)}")
            min_score = block.get("min_score")
            scores: dict[str, float] = {}
            if isinstance(min_score, dict):
                for code, value in min_score.items():
                    if code not in members:
                        raise self.fail(c_where, f"min_score names {code!r}, not one of its codes")
                    scores[code] = self.number(value, c_where, "min_score", positive=True)
            elif min_score is not None:
                number = self.number(min_score, c_where, "min_score", positive=True)
                scores = dict.fromkeys(members, number)
            balance = self.number(block.get("balance", 0), c_where, "balance")
            if not 0 <= balance <= 1:
                raise self.fail(c_where, f"balance must be 0 to 1, found {balance!r}")
            out.append(Combination(codes=members, then=then, min_scores=scores, balance=balance))
        return tuple(out)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a block of keys"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{value!r}"
