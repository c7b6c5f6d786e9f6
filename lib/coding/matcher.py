"""Find every rule match in a text in one pass over its words, compiled once per codebook.

Each phrase is indexed by its first word (or, when that word ends in ``*`` or a hyphen,
by its stem), and each pattern by the literal word start its matches must begin with
(`lib.coding.patterns.pattern_prefixes`). A text is split into words once; for each word
the candidate rules are looked up (cached per distinct word) and only those are matched
at that place. A one-word phrase needs no regex at all: the word is the match. Matches
of different rules may overlap ("young offender institution" is evidence for a setting
and "young offender" for a population).

Why not one big regex: Python's ``re`` has no multi-pattern matcher; an alternation of
the codebook's ~2,000 phrases, even merged into a prefix tree, costs about 0.15 µs per
character, too slow for 100,000 abstracts in 20 seconds. Splitting the text into words
and looking candidates up per word is several times faster (see BENCHMARKS.md).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, permutations, repeat
from operator import add

from lib.coding.codebook import Codebook, Rule
from lib.coding.patterns import compile_phrase, fold, pattern_prefixes
from lib.coding.sections import FLAG_CUES, ROLE_CUES

__all__ = ["SENTENCE_CUES", "Hit", "Matcher", "Term", "matcher_for"]

# The pseudo-facet of the sentence-role and claim cues (`lib.coding.sections`), matched
# in the same pass as the codebook's rules.
SENTENCE_CUES = "_sentence"

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Term:
    """One phrase or pattern of one rule.

    A phrase's own regex is compiled only when asked for (`regex`): the matcher tries
    phrases through its buckets' combined regexes, and compiling ~3,000 single ones
    took most of the time of building a matcher (which a codebook preview waits for).
    """

    facet: str
    code: str | None  # None: a facet-wide exclusion
    exclude: bool
    rule: Rule
    text: str
    is_pattern: bool
    source: str | re.Pattern[str]  # the regex, or its source until first asked for
    case_sensitive: bool

    @property
    def regex(self) -> re.Pattern[str]:
        """The term's regex, matched at a word start (of the folded text unless
        `case_sensitive`)."""
        if isinstance(self.source, str):
            object.__setattr__(self, "source", re.compile(self.source))
        return self.source  # type: ignore[return-value]


Hit = tuple[int, int, int]  # (term index, start, end)


# Compiled bucket regexes by source, shared by every matcher in the process: a codebook
# edit being previewed differs from the codebook in force in a few phrases, so building
# its matcher recompiles only the buckets those phrases are in.
_look_ahead = lru_cache(maxsize=8192)(re.compile)

_Cond = tuple[frozenset[str], tuple[str, ...]] | None  # what the next word must be
# (folded-text regex, its term numbers, case-sensitive regex, its term numbers)
_Regexes = tuple[
    "re.Pattern[str] | None", tuple[int, ...], "re.Pattern[str] | None", tuple[int, ...]
]


@dataclass(slots=True)
class _Bucket:
    """Every rule indexed under one word (or stem), in the form fastest to try.

    Phrases that need more than the word itself are tried together: one regex made of
    one optional look-ahead group per phrase, so a single ``match`` call tells which of
    them match here. A phrase whose second word is known (the words or stems the next
    text word must be, `lib.coding.patterns.PhraseSpec.second`) is only put in that
    regex where the next word is one of them: a word like "peer" starts ~90 phrases,
    but "peer support" only ~10, so the regex tried at "peer support" is made of those
    (built on first need per set of phrases, then kept). A place whose next word fits
    no phrase and where no phrase is unconditional is skipped without any regex.
    """

    whole: list[int] = field(default_factory=list)  # the word itself is the match
    # (term, regex source, condition on the next word): phrase regexes
    folded: list[tuple[int, str, _Cond]] = field(default_factory=list)
    original: list[tuple[int, str, _Cond]] = field(default_factory=list)  # case-sensitive
    patterns: list[tuple[int, bool, re.Pattern[str]]] = field(default_factory=list)
    # Built by `compile`: the regexes of the unconditional phrases (None: there are none),
    # tried where the next word fits no condition, and the look-ups that pick the phrases
    # a next word allows.
    fixed: _Regexes | None = None
    conditional: bool = False
    word_map: dict[str, tuple[int, ...]] = field(default_factory=dict)
    stem_list: tuple[tuple[str, int], ...] = ()
    stems: tuple[str, ...] = ()
    selected: dict[tuple[int, ...], _Regexes | None] = field(default_factory=dict)
    by_word: dict[str, _Regexes | None] = field(default_factory=dict)

    def compile(self) -> None:
        entries = [*self.folded, *self.original]
        always = [i for i, (_, _, cond) in enumerate(entries) if cond is None]
        self.fixed = self._build(always) if always else None
        self.conditional = len(always) < len(entries)
        if not self.conditional:
            return
        word_map: dict[str, list[int]] = {}
        stem_list = []
        for i, (_, _, cond) in enumerate(entries):
            if cond is None:
                continue
            words, stems = cond
            for word in words:
                word_map.setdefault(word, []).append(i)
            stem_list += [(stem, i) for stem in stems]
        self.word_map = {w: tuple(ids) for w, ids in word_map.items()}
        self.stem_list = tuple(stem_list)
        self.stems = tuple(sorted({stem for stem, _ in stem_list}))

    def _build(self, chosen: Iterable[int]) -> _Regexes:
        """The look-ahead regexes of the chosen entries (indexes into folded + original)."""
        keep = set(chosen)
        split = len(self.folded)
        folded = [(n, rx) for i, (n, rx, _) in enumerate(self.folded) if i in keep]
        original = [(n, rx) for i, (n, rx, _) in enumerate(self.original) if i + split in keep]
        return (
            _look_ahead("".join(f"(?=({rx}))?" for _, rx in folded)) if folded else None,
            tuple(n for n, _ in folded),
            _look_ahead("".join(f"(?=({rx}))?" for _, rx in original)) if original else None,
            tuple(n for n, _ in original),
        )

    def select(self, nxt: str) -> _Regexes | None:
        """The regexes to try where the next text word is `nxt` (None: no phrase can match)."""
        found = self.by_word.get(nxt, _UNSEEN)
        if found is not _UNSEEN:
            return found  # type: ignore[return-value]
        if len(self.by_word) > 100_000:  # words that start with a stem: bound the memory
            self.by_word.clear()
        found = self.by_word[nxt] = self._select(nxt)
        return found

    def _select(self, nxt: str) -> _Regexes | None:
        key = self.word_map.get(nxt, ())
        if self.stems and nxt.startswith(self.stems):
            key = tuple(sorted({*key, *(i for stem, i in self.stem_list if nxt.startswith(stem))}))
        try:
            return self.selected[key]
        except KeyError:
            pass
        entries = [*self.folded, *self.original]
        chosen = [i for i, (_, _, cond) in enumerate(entries) if cond is None or i in key]
        found = self._build(chosen) if chosen else None
        self.selected[key] = found
        return found


_UNSEEN = object()


class Matcher:
    """The compiled form of a codebook's rules. Build with `matcher_for` (it is cached)."""

    def __init__(self, codebook: Codebook) -> None:
        self.terms: list[Term] = []
        self._exact: dict[str, _Bucket] = {}
        self._exact_open: dict[str, _Bucket] = {}  # phrases whose next word is not known
        self._stems: dict[str, _Bucket] = {}
        self._anywhere = _Bucket()  # patterns with no known first word
        for facet in codebook.facets.values():
            for code in facet.codes.values():
                for rule in code.rules:
                    self._add(facet.name, code.slug, False, rule)
                for rule in code.exclude:
                    self._add(facet.name, code.slug, True, rule)
            for rule in facet.exclude:
                self._add(facet.name, None, True, rule)
        for role, by_weight in ROLE_CUES.items():
            for weight, phrases in by_weight.items():
                rule = Rule(where=f"sentence cue {role!r}", phrases=phrases, weight=weight)
                self._add(SENTENCE_CUES, role, False, rule)
        for facet in codebook.facets.values():  # where negation words stand, per facet
            if facet.negation is not None:
                cues = tuple(sorted(facet.negation.cues))
                rule = Rule(where=f"negation cue of {facet.name!r}", phrases=cues, inflect=False)
                self._add(SENTENCE_CUES, f"not:{facet.name}", False, rule)
        for flag, phrases in FLAG_CUES.items():
            self._add(
                SENTENCE_CUES, flag, False, Rule(where=f"claim cue {flag!r}", phrases=phrases)
            )
        for bucket in (
            *self._exact.values(),
            *self._exact_open.values(),
            *self._stems.values(),
            self._anywhere,
        ):
            bucket.compile()
        self._stem_lengths = sorted({len(s) for s in self._stems})
        self._seen: set[str] = set()  # words looked up so far
        self._hot: set[str] = set()  # those that start some rule
        # and what to do where they occur
        self._cache: dict[str, _WordPlan] = {}

    def _add(self, facet: str, code: str | None, exclude: bool, rule: Rule) -> None:
        for phrase in _orders(rule):
            spec = compile_phrase(phrase, inflect=rule.inflect, gap=rule.gap)
            if rule.case_sensitive:
                exact = compile_phrase(phrase, keep_case=True).regex
                upper = compile_phrase(phrase.upper(), keep_case=True).regex
                source = exact if exact == upper else f"(?:{exact}|{upper})"
            else:
                source = spec.regex
            n = self._term(facet, code, exclude, rule, phrase, False, source, rule.case_sensitive)
            for word, is_stem in spec.keys:
                # Phrases whose next word is known share a bucket that skips a place
                # whose next word is none of theirs; the others ("a ... study") are kept
                # apart so as not to spoil that for common first words ("a", "the").
                filtered = spec.second is not None and word in spec.alone
                if is_stem:
                    table = self._stems
                elif spec.one_word or filtered:
                    table = self._exact
                else:
                    table = self._exact_open
                bucket = table.setdefault(word, _Bucket())
                # the next text word must be the phrase's second word (see _Bucket)
                cond = spec.second if filtered and not is_stem and not spec.one_word else None
                if rule.case_sensitive:
                    bucket.original.append((n, source, cond))
                elif spec.one_word:
                    bucket.whole.append(n)
                else:
                    bucket.folded.append((n, source, cond))
        for pattern in rule.patterns:
            regex = re.compile(pattern, 0 if rule.case_sensitive else re.IGNORECASE)
            n = self._term(facet, code, exclude, rule, pattern, True, regex, rule.case_sensitive)
            entry = (n, rule.case_sensitive, regex)
            prefixes = pattern_prefixes(pattern, ignore_case=not rule.case_sensitive)
            if prefixes is None or rule.case_sensitive:
                self._anywhere.patterns.append(entry)
            else:
                for word, whole in prefixes:
                    table = self._exact_open if whole else self._stems
                    bucket = table.setdefault(word, _Bucket())
                    bucket.patterns.append(entry)

    def _term(self, *args: object) -> int:
        self.terms.append(Term(*args))  # type: ignore[arg-type]
        return len(self.terms) - 1

    def _learn(self, tokens: set[str]) -> None:
        """Look up the rules each new word may start, and remember the answer."""
        if len(self._seen) > 1_000_000:  # bound the memory on huge vocabularies
            self._seen.clear()
            self._hot.clear()
            self._cache.clear()
        for token in tokens:
            buckets = self._buckets_for(token)
            self._seen.add(token)
            if buckets:
                self._hot.add(token)
                self._cache[token] = _plan_word(buckets)

    def _buckets_for(self, token: str) -> tuple[_Bucket, ...]:
        found = []
        if token in self._exact:
            found.append(self._exact[token])
        if token in self._exact_open:
            found.append(self._exact_open[token])
        stems = self._stems
        for length in self._stem_lengths:
            if length > len(token):
                break
            bucket = stems.get(token[:length])
            if bucket is not None:
                found.append(bucket)
        if self._anywhere.patterns:
            found.append(self._anywhere)
        return tuple(found)

    def scan(self, text: str) -> list[Hit]:
        """Every (term, start, end) that matches in `text`, in order of start."""
        if not text:
            return []
        folded = fold(text)
        parts, places = _parts(folded)
        # the words alone and where each starts (C-level filters drop the empty parts)
        words = list(compress(parts, parts))
        starts = list(compress(places, parts))
        # Set operations (in C) pick the few distinct words that start some rule; only
        # their places are then visited in Python.
        distinct = set(words)
        new = distinct - self._seen
        if new:
            self._learn(new)
        hot = distinct & self._hot
        if not hot:
            return []
        hits: list[Hit] = []
        add_hit = hits.append
        cache = self._cache
        size = len(words)
        words.append("")  # the next word after the last
        for i in compress(range(size), map(hot.__contains__, words)):  # C-level filter
            token = words[i]
            whole, tries, gate = cache[token]
            nxt = words[i + 1]
            if gate is not None and not (nxt in gate[0] or (gate[1] and nxt.startswith(gate[1]))):
                continue  # only phrases that need another next word start here
            start = starts[i]
            for n in whole:
                add_hit((n, start, start + len(token)))
            for word_map, stems, bucket, regexes, patterns in tries:
                # which phrases may match depends on the next word
                if word_map is not None and (nxt in word_map or (stems and nxt.startswith(stems))):
                    regexes = bucket.select(nxt)
                if regexes is not None:
                    folded_rx, folded_ids, text_rx, text_ids = regexes
                    if folded_rx is not None:
                        m = folded_rx.match(folded, start)
                        if m.lastindex is not None:
                            for n, group in zip(folded_ids, m.groups(), strict=True):
                                if group:
                                    add_hit((n, start, start + len(group)))
                    if text_rx is not None:
                        m = text_rx.match(text, start)
                        if m.lastindex is not None:
                            for n, group in zip(text_ids, m.groups(), strict=True):
                                if group:
                                    add_hit((n, start, start + len(group)))
                for n, case_sensitive, regex in patterns:
                    matched = regex.match(text if case_sensitive else folded, start)
                    if matched is not None and matched.end() > start:
                        add_hit((n, start, matched.end()))
        return hits


# ASCII characters that are not regex \w, mapped to spaces: on ASCII text, translating and
# splitting on white space gives exactly the \w+ words, about three times faster than
# ``findall`` (tokenising is the largest single cost of coding a record).
# (Every ASCII character is in the table: a table that leaves some out is 3x slower.)
_ASCII_NON_WORD = str.maketrans(
    {chr(i): chr(i) if chr(i).isalnum() or chr(i) == "_" else " " for i in range(128)}
)
# Common non-ASCII punctuation, replaced one for one (offsets do not move) so that more
# texts take the ASCII path.
_PUNCTUATION = ("\u2019", "\u2018", "\u201c", "\u201d", "\u2013", "\u2014", "\u00a0", "\u2010")


_Try = tuple[
    "dict[str, tuple[int, ...]] | None",  # next words some phrase needs (None: no phrase)
    tuple[str, ...],  # next-word stems some phrase needs
    "_Bucket",
    "_Regexes | None",  # the regexes of the phrases that need no next word
    list[tuple[int, bool, "re.Pattern[str]"]],  # patterns, tried wherever the word is
]
# (one-word hits, tries, None or the next words and stems without which nothing matches)
_Gate = tuple[frozenset[str], tuple[str, ...]]
_WordPlan = tuple[tuple[int, ...], tuple[_Try, ...], "_Gate | None"]


def _plan_word(buckets: tuple[_Bucket, ...]) -> _WordPlan:
    """What to do where a word occurs: the one-word hits, then the regexes to try, and
    the next words (and stems) some phrase needs when nothing else can match there."""
    whole = tuple(n for b in buckets for n in b.whole)
    tries = tuple(
        (b.word_map if b.conditional else None, b.stems, b, b.fixed, b.patterns)
        for b in buckets
        if b.folded or b.original or b.patterns
    )
    gate = None
    if not whole and all(w is not None and fixed is None and not p for w, _, _, fixed, p in tries):
        gate = (
            frozenset(word for w, _, _, _, _ in tries for word in w),  # type: ignore[union-attr]
            tuple(stem for _, stems, _, _, _ in tries for stem in stems),
        )
    return whole, tries, gate


def _parts(folded: str) -> tuple[list[str], Sequence[int]]:
    """The text's words (with some empty strings between them) and where each starts.

    ASCII text (most abstracts, once curly quotes and dashes are set aside) takes the fast
    path: every non-word character becomes a space (same offsets), the text is split at
    each single space so that its non-empty parts are exactly the \\w+ words, and the
    running sum of the parts' lengths (+1 per space) gives where each part starts. Other
    text is split by the regex.
    """
    if not folded.isascii():
        probe = folded
        for ch in _PUNCTUATION:
            if ch in probe:
                probe = probe.replace(ch, " ")
        if not probe.isascii():
            found = list(_WORD.finditer(folded))
            return [m.group() for m in found], [m.start() for m in found]
        folded = probe
    parts = folded.translate(_ASCII_NON_WORD).split(" ")
    return parts, list(accumulate(map(add, map(len, parts), repeat(1)), initial=0))


def _words(folded: str) -> list[str]:
    """The text's \\w+ words, in order."""
    return [part for part in _parts(folded)[0] if part]


_CACHE: weakref.WeakKeyDictionary[Codebook, Matcher] = weakref.WeakKeyDictionary()


def _orders(rule: Rule) -> list[str]:
    """The rule's phrases; with ``order: any``, each also in every other order of its words
    (a phrase of up to four words)."""
    if rule.order != "any":
        return list(rule.phrases)
    out: list[str] = []
    for phrase in rule.phrases:
        words = phrase.split()
        variants = permutations(words) if 1 < len(words) <= 4 else [words]
        out += [" ".join(v) for v in variants if " ".join(v) not in out]
    return out


def matcher_for(codebook: Codebook) -> Matcher:
    """The codebook's compiled matcher, built on first use and kept while the codebook lives."""
    matcher = _CACHE.get(codebook)
    if matcher is None:
        matcher = _CACHE[codebook] = Matcher(codebook)
    return matcher
