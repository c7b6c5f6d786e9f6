"""Split an abstract into sentences and tell what each sentence does.

Every facet reads where its evidence lives (the method in the title and the method
sentences, the direction in the results and conclusions), so the coder first needs the
sentences and their *roles*:

- ``background`` (what is known, the problem), ``aim`` (what this study sets out to do),
  ``method`` (design, sample, data, analysis), ``results``, ``conclusion``, ``other``
  (funding, registration, copyright, keywords lines); ``title`` and ``keywords`` are the
  record's other fields; ``unknown`` where no role can be told (an abstract of one or two
  sentences without headings), which every facet reads.

Structured abstracts say it in headings ("Background:", "METHODS", "Design/methodology/
approach", "Conclusions and implications"...), recognised with their common variants.
Unstructured ones are read in the order abstracts are written (background, aim, method,
results, conclusion): each sentence's role cues (``ROLE_CUES``: "we interviewed", "were
more likely", "we conclude"...) are counted by the same matcher as the codebook's rules,
and `assign_roles` picks the best order-respecting sequence of roles (a small dynamic
programme), so a sentence without cues takes the role of the one before it and an abstract
that never reports a result has no results sentence.

Sentences are also flagged when what they say is not the study's own finding: a claim of
earlier research or of others, future work or a protocol, or a claim being rebutted
(``FLAG_CUES``); the direction of findings ignores them.

Why hand-written: sentence splitters (e.g. pysbd, nltk's punkt) need data downloads or
cost more than the whole coding of a record; abstracts are short, edited prose where a
full stop before a capital letter, with a list of abbreviations, is enough, and none of
those libraries knows abstract headings.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

__all__ = [
    "FLAG_CUES",
    "ROLES",
    "ROLE_CUES",
    "Sentence",
    "assign_roles",
    "split_sentences",
]

ROLES: tuple[str, ...] = (
    "title",
    "background",
    "aim",
    "method",
    "results",
    "conclusion",
    "other",
    "keywords",
    "unknown",
)
# The order roles follow in an abstract (indexes into this tuple drive `assign_roles`).
_FLOW: tuple[str, ...] = ("background", "aim", "method", "results", "conclusion")


class Sentence(NamedTuple):
    """A sentence of a field: offsets into the field's text, its role, and its heading's
    role if a heading named it ("" for none)."""

    start: int
    end: int
    role: str
    heading: str = ""


# -- headings ------------------------------------------------------------------------------

# The first word(s) of a heading -> role. Longer headings ("Design/methodology/approach",
# "Conclusions and implications", "Methods and findings") take the role of their first part.
_HEADINGS: dict[str, str] = {
    "background": "background",
    "backgrounds": "background",
    "introduction": "background",
    "context": "background",
    "rationale": "background",
    "problem": "background",
    "importance": "background",
    "significance": "background",
    "aim": "aim",
    "aims": "aim",
    "objective": "aim",
    "objectives": "aim",
    "purpose": "aim",
    "purposes": "aim",
    "goal": "aim",
    "goals": "aim",
    "question": "aim",
    "questions": "aim",
    "research question": "aim",
    "research questions": "aim",
    "hypothesis": "aim",
    "hypotheses": "aim",
    "study aim": "aim",
    "study objective": "aim",
    "methods": "method",
    "method": "method",
    "methodology": "method",
    "design": "method",
    "study design": "method",
    "research design": "method",
    "approach": "method",
    "setting": "method",
    "settings": "method",
    "participants": "method",
    "subjects": "method",
    "patients": "method",
    "sample": "method",
    "population": "method",
    "data": "method",
    "data sources": "method",
    "data source": "method",
    "data collection": "method",
    "data analysis": "method",
    "measures": "method",
    "measurements": "method",
    "main outcome measures": "method",
    "main outcomes and measures": "method",
    "outcome measures": "method",
    "outcomes": "method",
    "intervention": "method",
    "interventions": "method",
    "procedure": "method",
    "procedures": "method",
    "materials": "method",
    "analysis": "method",
    "analyses": "method",
    "search": "method",
    "search methods": "method",
    "search strategy": "method",
    "selection criteria": "method",
    "eligibility criteria": "method",
    "study selection": "method",
    "data extraction": "method",
    "review methods": "method",
    "results": "results",
    "result": "results",
    "findings": "results",
    "main results": "results",
    "key findings": "results",
    "main findings": "results",
    "conclusion": "conclusion",
    "conclusions": "conclusion",
    "implications": "conclusion",
    "discussion": "conclusion",
    "interpretation": "conclusion",
    "conclusions and implications": "conclusion",
    "practical implications": "conclusion",
    "research implications": "conclusion",
    "policy implications": "conclusion",
    "social implications": "conclusion",
    "research limitations": "conclusion",
    "limitations": "conclusion",
    "relevance": "conclusion",
    "summary": "conclusion",
    "originality": "other",
    "value": "other",
    "funding": "other",
    "trial registration": "other",
    "registration": "other",
    "keywords": "other",
    "key words": "other",
    "key messages": "other",
    "highlights": "other",
    "abstract": "",
    # a translated copy of the abstract (French résumés in Canadian journals) repeats it
    "objectif": "other",
    "objectifs": "other",
    "résumé": "other",
    "méthode": "other",
    "méthodes": "other",
    "résultats": "other",
    "contexte": "other",
}
_HEAD_WORDS = sorted(_HEADINGS, key=len, reverse=True)
_HEAD_ALT = "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in _HEAD_WORDS)
# A heading: one or more heading words joined by "and", "&", "/", ","; then a colon, full
# stop or dash - or, written in capitals, just a space before the sentence. Tried only
# where a heading can start (`_HEADING_PLACE`): the start, after a line break, or after a
# sentence's end.
_HEADING = re.compile(
    rf"(?P<head>(?i:{_HEAD_ALT})(?:\s*(?:and|&|/|,)\s*(?i:{_HEAD_ALT}))*)"
    # (a hyphen needs a space on one side: "Problem-solving", "Purpose-built" are words)
    rf"(?:\s*(?::|\.|\u2014|\u2013|[ \t]-|-(?=[ \t]))[ \t]*|\s*\n|(?<=[A-Z])[ \t]+(?=[A-Z][a-z])"
    # glued to its text, as some exports print a bold heading: "MethodsWe searched"
    rf"|(?<=[a-z])(?=[A-Z][a-z]))"
)
_HEAD_FIRST = frozenset(h.split()[0] for h in _HEADINGS)

# -- sentences -----------------------------------------------------------------------------

# Where a sentence (or a heading) may start: after . ! ? (and any closing quote or bracket)
# and white space - or, glued, before a capital ("health.Methods:") - or after a line break.
# A regex starting with a character class scans fast; the rest is decided in Python.
_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?:[ \t\r\n]+|(?=[A-Z]))|\n")
_OPENERS = frozenset("([\"'\u201c")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|et\s+al|vs|cf|approx|ca|fig|figs|no|nos|dr|mr|mrs|ms|prof|st|inc|ltd|"
    r"jr|sr|vol|pp|ed|eds|u\.s|u\.k|u\.s\.a|d\.c|n\.b|viz|resp|incl|est|al)|\b[A-Z])\.$",
    re.IGNORECASE,
)
_FIRST_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
# The capitalised word that opens a heading glued to its text ("ResultsForty-six").
_GLUED_HEAD = re.compile(r"[A-Z][a-z]+(?=[A-Z])")
# What a sentence ends with before a line break that ends it: a line break inside a
# sentence (exports that wrap lines, or set a term in italics on its own line) is no end.
_ENDS_SENTENCE = frozenset(".!?:")
_CLOSERS = frozenset("\"')]\u201d\u2019")
# A publisher's or database's notice: "Copyright © 2008 Wiley", "(c) 2025 APA, all rights
# reserved", "(PsycInfo Database Record ...)", "Published by Elsevier Ltd."
_NOTICE = re.compile(
    r"\u00a9|\(c\)\s*(?:19|20)\d\d|\bcopyright\b|\ball rights reserved\b"
    r"|\bdatabase record\b|^\W*published by\b",
    re.IGNORECASE,
)
_NOTICE_WORDS = ("\u00a9", "(c)", "copyright", "rights reserved", "database record", "published by")


def _may_hold_notice(text: str) -> bool:
    """A quick test before `_NOTICE` is tried sentence by sentence: the regex run over
    every abstract cost some 4% of the coding time (profiled), these substring tests
    next to nothing."""
    lowered = text.lower()
    return any(word in lowered for word in _NOTICE_WORDS)


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of an abstract, in order, with the role of their heading if any.

    Offsets index `text`; the heading words themselves belong to the sentence after them.
    ``role`` is the heading's role, or "" where the abstract says nothing (to be decided
    by `assign_roles`).
    """
    if not text.strip():
        return []
    cuts: dict[int, str] = {}  # sentence start -> heading role ("" none, "-" a plain one)
    places = [0]
    for m in _END.finditer(text):
        places.append(m.end())
    size = len(text)
    heading_end = -1
    for pos in places:
        while pos < size and text[pos] in " \t\r\n":
            pos += 1
        if pos >= size or pos <= heading_end:
            continue  # the end, or the line break after a heading on its own line
        word = _FIRST_WORD.match(text, pos)
        found = None
        if word is not None and (
            word.group().lower() in _HEAD_FIRST or not word.group().istitle()  # "MethodsWe"
        ):
            found = _heading_at(text, pos)
        if found is not None:
            # a heading glued to the next ("AbstractBackgroundThe"): the last one counts
            while (more := _heading_at(text, found[1])) is not None and more[1] > found[1]:
                found = (more[0] if more[0] != "-" else found[0], more[1])
            cuts[pos], heading_end = found
            continue
        if pos == 0:
            continue
        back = pos - 1
        while back > 0 and text[back] in " \t\r\n":
            back -= 1
        while back > 0 and text[back] in _CLOSERS:  # 'it ended." Next' / '(see above.)'
            back -= 1
        if text[back] not in _ENDS_SENTENCE:
            continue  # a line break in mid-sentence
        ch = text[pos]
        before = text[max(0, pos - 8) : pos].rstrip()
        if not (ch.isupper() or ch.isdigit() or ch in _OPENERS):
            continue
        if before.endswith(".") and _ABBREVIATION.search(before):
            continue
        cuts.setdefault(pos, "")
    starts = sorted({0, *cuts})
    notice = _may_hold_notice(text)
    sentences: list[Sentence] = []
    heading = ""
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else size
        piece = text[start:end]
        trimmed = len(piece.rstrip())
        if trimmed == 0:
            continue
        mark = cuts.get(start, "")
        if mark:
            heading = "" if mark == "-" else mark
        if notice and trimmed <= 300 and _NOTICE.search(piece):
            # a copyright or database notice closing the abstract is no conclusion (and,
            # taken for one, pushes the real conclusion back into the results)
            sentences.append(Sentence(start, start + trimmed, "other", "other"))
            continue
        sentences.append(Sentence(start, start + trimmed, heading, heading))
    return sentences


def _heading_at(text: str, pos: int) -> tuple[str, int] | None:
    """(role, end) of a heading starting at `pos` ("-" for a heading of no role, such as
    "Abstract"), or None."""
    word = _FIRST_WORD.match(text, pos)
    if word is None:
        return None
    first_word = word.group()
    if first_word.lower() not in _HEAD_FIRST:
        glued = _GLUED_HEAD.match(first_word)
        if glued is None or glued.group().lower() not in _HEAD_FIRST:
            return None
    m = _HEADING.match(text, pos)
    if m is None:
        return None
    if m.end() == m.end("head") and not (text[pos].isupper() and text[m.end()].isupper()):
        return None  # glued to the text only when written "MethodsWe"
    head = " ".join(m.group("head").lower().replace("&", " and ").split())
    first = re.split(r"\s*(?:\band\b|/|,)\s*", head)[0]
    role = _HEADINGS.get(first, _HEADINGS.get(head, ""))
    if role or first == "abstract":
        return role or "-", m.end()
    return None


# -- roles of unstructured sentences --------------------------------------------------------

# Phrases (codebook syntax, inflected; "..." stands for a word or two) that tell a
# sentence's role, by weight: 2 for a sure sign, 1 for a hint. The engine matches them with
# the codebook's rules in one pass; `assign_roles` weighs them.
ROLE_CUES: dict[str, dict[float, tuple[str, ...]]] = {
    # what is not yet known: the gap a study sets out to fill is background, even when
    # the sentence also reports a figure ("13% report ...; yet little research has ...")
    "background": {
        2: (
            "little is known",
            "less is known",
            "little research",
            "few studies",
            "limited research",
            "remains unclear",
            "remains unknown",
            "remain unclear",
            "remain unknown",
            "knowledge gap",
            "gap in the literature",
            "gaps in the literature",
            "received little attention",
            "under-researched",
            "understudied",
        ),
    },
    "aim": {
        2: (
            "this ... study",
            "this ... paper",
            "this ... article",
            "this ... research",
            "this ... review",
            "this ... chapter",
            "this ... project",
            "this ... report",
            "this ... thesis",
            "this ... evaluation",
            "the present study",
            "the current study",
            "the present research",
            "the current research",
            "a ... study",
            "an ... study",
            "a ... review",
            "an ... review",
            "a ... evaluation",
            "an ... evaluation",
            "this ... guide",
            "we aimed",
            "we sought",
            "we set out",
            "aim of",
            "aims of",
            "aimed to",
            "aims to",
            "the aim",
            "the purpose",
            "purpose of",
            "objective of",
            "objectives of",
            "objective was",
            "goal of",
            "sought to",
            "seeks to",
            "research question",
        ),
        1: (
            "to examine",
            "to explore",
            "to investigate",
            "to assess whether",
            "to evaluate",
            "to understand",
            "to determine",
            "to describe",
            "we examine",
            "we explore",
            "we investigate",
            "we assess",
            "we evaluate",
            "we describe",
            "we analyse",
            "we test",
            "we ask",
            "examines",
            "explores",
            "investigates",
            "focuses on",
            "we discuss",
            "this ... discusses",
            "we argue",
            "this ... argues",
            "we propose",
            "we consider",
            "we outline",
            "we present",
            "we report",
            "this ... presents",
            "this ... reports",
            "this ... describes",
            "this ... provides",
            "an overview of",
            "this ... commentary",
        ),
    },
    "method": {
        2: (
            "we interviewed",
            "were interviewed",
            "interviews were",
            "interviews with",
            "focus groups",
            "data were",
            "data was",
            "we conducted",
            "were conducted",
            "was conducted",
            "we collected",
            "were collected",
            "were analysed",
            "was analysed",
            "analysed using",
            "were recruited",
            "was recruited",
            "participants were",
            "respondents were",
            "we searched",
            "were searched",
            "databases",
            "inclusion criteria",
            "were randomly",
            "randomly assigned",
            "data from",
            "drawing on",
            "draws on",
            "drew on",
            "was administered",
            "were administered",
            "completed a",
            "consisted of",
            "we used",
            "were used",
            "was used",
            "design",
            "methods",
            "methodology",
            "sample of",
            "cohort of",
            "thematic analysis",
            "regression",
            "we compared",
            "were compared",
            "were matched",
            "were followed",
            "recruited from",
            "semi-structured",
        ),
        1: (
            "participants",
            "respondents",
            "interviewees",
            "sample",
            "sampled",
            "recruited",
            "enrolled",
            "questionnaire",
            "surveyed",
            "survey",
            "interviews",
            "data on",
            "analysis of",
            "using data",
            "using a",
            "were assessed",
            "were measured",
            "measured",
            "method",
            "cohort",
            "baseline",
            "follow-up",
            "eligible",
            "were included",
            "were selected",
            "coded",
            "transcribed",
            "aged",
            "took part",
        ),
    },
    "results": {
        2: (
            "results",
            "findings",
            "we found",
            "found that",
            "find that",
            "finds that",
            "showed that",
            "shows that",
            "show that",
            "revealed",
            "reveals",
            "indicated that",
            "indicates that",
            "demonstrated",
            "were more likely",
            "were less likely",
            "was more likely",
            "was less likely",
            "significantly",
            "odds ratio",
            "hazard ratio",
            "themes emerged",
            "themes were",
            "emerged",
            "reported that",
            "participants reported",
            "participants described",
            "the majority",
            "most participants",
            "was associated",
            "were associated",
            "no significant",
            "did not differ",
            "statistically significant",
        ),
        1: (
            "showed",
            "indicated",
            "more likely",
            "less likely",
            "significant",
            "associated with",
            "reported",
            "described",
            "increased",
            "decreased",
            "reduced",
            "improved",
            "higher",
            "lower",
            "compared with",
            "compared to",
            "rates of",
            "highlighted",
            "identified",
            "were satisfied",
            "valued",
            "felt",
            "experienced",
            "perceived",
            "prevalence",
            "helped",
            "fell",
            "rose",
            "gained",
            "led to",
            "resulted in",
            "appeared",
            "found",
            "show how",
            "shows how",
            "the authors show",
            "was associated",
            "benefited",
            "struggled",
            # a share reported ("Most incidents involved ...", "half of the men"): a result
            "most",
            "half of",
            "majority of",
            "percent",
            "per cent",
            "proportion of",
            "named",
            "saw",
        ),
    },
    "conclusion": {
        2: (
            "in conclusion",
            "we conclude",
            "conclude that",
            "concludes",
            "conclusions",
            "these findings",
            "these results",
            "our findings",
            "our results",
            "the findings suggest",
            "the results suggest",
            "findings suggest",
            "results suggest",
            "implications",
            "taken together",
            "this study shows",
            "this study suggests",
            "this study highlights",
            "this study provides",
            "this study adds",
            "overall",
        ),
        1: (
            "suggest that",
            "suggests that",
            "should",
            "recommend",
            "recommendations",
            "future research",
            "further research",
            "policy",
            "practitioners",
            "policymakers",
            "needed",
            "need to",
            "need for",
            "highlights the",
            "underscore",
            "underscores",
            "points to",
            "may",
            "could",
        ),
    },
}
# The people studied saying or doing something in the past tense is a result ("Respondents
# described challenges", "Participants identified ..."), even where the subject alone
# ("participants") hints at the method: a subject with a reporting verb is a sure sign.
# (Words for the people taking part, not common nouns such as "men" or "prisoners": each
# subject adds 18 phrases to every occurrence of its word, and those cost more than they
# told apart on the development set.)
_SUBJECTS = (
    "participants", "respondents", "interviewees", "informants", "mentors", "mentees",
    "listeners", "peers",
)  # fmt: skip
_REPORTED = (
    "described",
    "reported",
    "identified",
    "discussed",
    "expressed",
    "emphasised",
    "emphasized",
    "spoke of",
    "spoke about",
    "talked about",
    "highlighted",
    "felt",
    "perceived",
    "valued",
    "noted",
    "mentioned",
    "recounted",
    "stressed",
)
ROLE_CUES["results"][2] += tuple(f"{who} {said}" for who in _SUBJECTS for said in _REPORTED)

FLAG_CUES: dict[str, tuple[str, ...]] = {
    # claims of earlier research or of others: not the study's own findings
    "others": (
        "previous research", "previous studies", "prior research", "prior studies",
        "earlier research", "earlier studies", "existing research", "past research",
        "past studies", "research has", "research shows", "research suggests",
        "studies have", "studies show", "studies suggest", "evidence suggests",
        "has been shown", "have been shown", "is well known", "it is known",
        "are known to", "is known to", "literature suggests", "has been found",
        "have been found", "is often assumed", "it is assumed", "is widely believed",
        "growing body",
        # a named author's claim: "Smith et al. found" (not "and colleagues": a phrase that
        # starts with "and" is looked for at every "and")
        "et al",
    ),
    # future work and protocols
    "future": (
        "will be", "will assess", "will examine", "will evaluate", "will explore",
        "will measure", "will compare", "future research", "further research",
        "future studies", "further studies", "future work", "research is needed",
        "studies are needed", "research should", "protocol", "we hypothesise that",
        "we hypothesize that", "we hypothesised that", "we hypothesized that",
        "it was hypothesised", "it was hypothesized", "we expect", "is expected",
        "are expected",
        # what a goal will take is no finding ("Reducing transmission ... will require ...")
        "will require", "will need", "would require", "would need",
    ),
    # a claim being rebutted: what follows the cue is not what the study found
    "rebut": (
        "contrary to", "challenge the assumption", "challenges the assumption",
        "challenge the view", "challenges the view", "challenge the notion",
        "challenges the notion", "challenge the idea", "challenges the idea",
        "rather than", "dispel", "dispels", "myth", "despite claims", "despite the claim",
        "despite assumptions", "questions the assumption",
        # "our findings challenge concerns that ...": the study rebutting a worry
        "findings challenge", "results challenge", "findings contradict",
        "results contradict", "findings refute", "results refute", "findings counter",
        "challenge common", "challenges common", "contrary to concerns",
        # a condition not met: "unless harm is shown, ..."
        "unless",
    ),
    # a concession: the clause it opens ("although the population has high rates of
    # illness, ...") grants the background; the finding is in the main clause
    "concede": ("although", "though", "despite", "in spite of", "notwithstanding"),
    # advice: what should be done is not what was found ("services should address the
    # barriers", "must improve"); what follows the cue is ignored
    "advice": (
        "should", "must", "ought to", "need to", "needs to", "we recommend",
        "is recommended", "are recommended", "calls for", "call for",
    ),
}  # fmt: skip


def assign_roles(sentences: list[Sentence], cues: list[dict[str, float]]) -> list[str]:
    """The role of every sentence: its heading's, else the best order-respecting guess.

    `cues` gives per sentence the weight of each role's cues found in it. Roles follow
    the order background -> aim -> method -> results -> conclusion (a sentence may skip
    ahead, never go back); each sentence earns its cue weight for the role it is given,
    and a sentence without cues simply keeps the role of the one before. A run of
    sentences under a heading keeps the heading's role, and the guess restarts after it.
    Where nothing tells (one or two sentences, or no cue at all) the role is "unknown".
    """
    roles = [s.heading for s in sentences]
    n = len(sentences)
    if n <= 2 and not any(roles):
        return ["unknown"] * n
    for i, role in enumerate(roles):
        # Many "Background" sections also state the aim and the design ("This study
        # examined ...", "We assessed ..."): a sure sign of either outweighs the heading.
        if role == "background":
            said = cues[i]
            best = max(("aim", "method"), key=lambda r: said.get(r, 0.0))
            if said.get(best, 0.0) >= 2 and said.get(best, 0.0) > said.get("background", 0.0):
                roles[i] = best
    i = 0
    while i < n:
        if roles[i]:
            i += 1
            continue
        j = i
        while j < n and not roles[j]:
            j += 1
        before = roles[i - 1] if i else ""
        floor = _FLOW.index(before) if before in _FLOW else 0
        if any(cues[i:j]):
            roles[i:j] = _best_flow(cues[i:j], floor)
        else:  # no cue at all (another language, a list): nothing to tell the roles by
            roles[i:j] = ["unknown"] * (j - i)
        i = j
    return roles


def _prior(i: int, n: int) -> dict[str, float]:
    """A small pull towards the usual place of each role: the opening sentences set out
    the background and aim, the last ones the results and conclusion."""
    if n < 3:
        return {}
    if i == 0:
        return {"background": 0.3, "aim": 0.3}
    if i == n - 1:
        return {"conclusion": 0.5, "results": 0.3}
    if i >= n / 2:
        return {"results": 0.2}
    return {}


def _best_flow(cues: list[dict[str, float]], floor: int) -> list[str]:
    """Viterbi over the flow order: maximise the cue weight of the roles given (ties: the
    earlier role, so a sentence without cues keeps the role before it)."""
    states = range(floor, len(_FLOW))
    n = len(cues)
    gain = []
    for i, row in enumerate(cues):
        prior = _prior(i, n)
        gain.append([row.get(_FLOW[s], 0.0) + prior.get(_FLOW[s], 0.0) for s in states])
    width = len(states)
    score = [gain[0][k] - 0.01 * k for k in range(width)]
    back: list[list[int]] = []
    for i in range(1, n):
        new = [0.0] * width
        ptr = [0] * width
        best_k, best = 0, score[0]
        for k in range(width):
            if score[k] > best:  # the best earlier-or-same role, in one running pass
                best_k, best = k, score[k]
            stay = score[k]
            if stay > best - 0.01 * (k - best_k):
                new[k], ptr[k] = stay + gain[i][k], k
            else:
                new[k], ptr[k] = best - 0.01 * (k - best_k) + gain[i][k], best_k
        back.append(ptr)
        score = new
    last = max(range(width), key=lambda k: (score[k], -k))
    path = [last]
    for ptr in reversed(back):
        path.append(ptr[path[-1]])
    path.reverse()
    return [_FLOW[floor + k] for k in path]


def sentence_at(starts: list[int], offset: int) -> int:
    """Index of the sentence holding `offset`, given the sentences' start offsets."""
    return max(0, bisect_right(starts, offset) - 1)
