"""Coding a record: the decisions a reviewer relies on, and evidence that points at the text."""

from __future__ import annotations

import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.coding import (
    Codebook,
    code_record,
    code_records,
    code_texts,
    default_codebook_path,
    load_codebook,
)
from lib.coding.matcher import _WORD, matcher_for
from lib.coding.matcher import _words as fast_words
from lib.coding.patterns import fold
from lib.model import Record


@cache
def codebook() -> Codebook:
    return load_codebook(default_codebook_path())


def code(abstract: str, title: str = "", keywords: list[str] | None = None):
    record = Record(record_id="r", title=title, abstract=abstract, keywords=keywords or [])
    return code_record(record, codebook())


# -- method: precedence, negation, combinations ------------------------------------------------


def test_interviews_are_qualitative_with_their_evidence() -> None:
    coding = code("We conducted semi-structured interviews with twelve peer mentors.")
    assert coding.method == "qualitative"
    phrases = {e.phrase for e in coding.evidence_for("method")}
    assert "semi-structured interviews" in phrases


def test_not_randomised_is_not_a_trial() -> None:
    assert code("Participants were not randomised; we compared outcomes.").method != "rct"
    coding = code("A non-randomised comparison group design was used.")
    assert coding.method == "quasi-experimental"
    assert code("Prisoners were randomly assigned to peer mentoring or usual care.").method == "rct"


def test_a_review_of_interview_studies_is_a_review() -> None:
    coding = code(
        "A systematic review of qualitative studies using interviews and focus groups "
        "with peer workers in prison; 19 databases were searched."
    )
    assert coding.method == "systematic-review"
    assert all(e.code == "systematic-review" for e in coding.evidence_for("method"))


def test_a_review_mentioned_in_passing_does_not_make_a_review() -> None:
    coding = code(
        "A previous systematic review found little evidence. We interviewed 20 Listeners "
        "and analysed the transcripts with thematic analysis."
    )
    assert coding.method == "qualitative"


def test_interviews_and_a_questionnaire_make_mixed_methods() -> None:
    coding = code(
        "A questionnaire survey of 120 prisoners was combined with interviews with staff "
        "and focus groups with peer supporters."
    )
    assert coding.method == "mixed-methods"
    shown = {e.phrase.lower() for e in coding.evidence_for("method")}
    assert {"questionnaire", "interviews"} <= shown  # both strands are shown as the reason


def test_nothing_to_go_on_is_unclear_without_evidence() -> None:
    coding = code("Peer support in prisons is growing.")
    assert coding.method == "unclear"
    assert coding.evidence_for("method") == []


# -- other facets --------------------------------------------------------------------------------


def test_a_subgroup_outranks_general_prisoners() -> None:
    coding = code("Interviews with women prisoners who were peer mentors.")
    assert "women" in coding.population and "general-prison" not in coding.population
    mixed = code("Interviews with male and female prisoners.")
    assert "women" not in mixed.population and "general-prison" in mixed.population


def test_direction_benefit_challenge_and_mixed() -> None:
    assert code("Peer mentoring improved wellbeing and was valued by mentees.").direction == (
        "benefit"
    )
    assert code(
        "Mentors met barriers and obstacles: security rules and lack of staff."
    ).direction == ("challenge")
    both = code("Mentoring improved confidence, but staff shortages were a barrier and a burden.")
    assert both.direction == "mixed"
    assert code("The abstract reports no findings.").direction == "unclear"


def test_barriers_that_peers_help_overcome_are_not_challenges() -> None:
    coding = code("Peer navigators helped people overcome barriers to treatment, improving access.")
    assert coding.direction == "benefit"


def test_self_harm_is_a_theme_not_a_harm_of_peer_support() -> None:
    coding = code("Self-harm fell after Listeners were introduced.")
    assert "suicide-self-harm" in coding.themes
    assert coding.direction != "challenge"


def test_countries_are_case_sensitive_and_nations_are_kept_apart() -> None:
    coding = code("Peer mentors told us about prisons in England and Wales.")
    assert set(coding.country) == {"England", "Wales"}
    assert code("Peer mentors told us about their work.").country == ()  # 'us' is not the US
    assert "USA" in code("Prisons in the US and Canada.").country
    assert "Wales" not in code("Prisons in New South Wales.").country
    assert "USA" in code("A state prison in Texas.").country


def test_listeners_in_a_uk_prison() -> None:
    coding = code(
        "Samaritans-trained Listeners in a UK prison offered support to prisoners at risk "
        "of suicide.",
        title="The Listener scheme",
    )
    assert "listener" in coding.peer_role
    assert "prison" in coding.setting
    assert "suicide-self-harm" in coding.themes
    assert "United Kingdom" in coding.country


def test_title_counts_more_than_abstract() -> None:
    # one design word in the title outweighs one weak word in the abstract
    coding = code("Prisoners took part in a survey.", title="A qualitative study of peer mentors")
    assert coding.method == "qualitative"
    assert any(e.field == "title" for e in coding.evidence_for("method"))


# -- evidence points at the text ----------------------------------------------------------------


def test_keywords_are_searched_and_their_offsets_refer_to_the_joined_keywords() -> None:
    coding = code("", title="Peer support", keywords=["Prisons", "Focus groups", "Wellbeing"])
    evidence = [e for e in coding.evidence if e.field == "keywords"]
    joined = "Prisons; Focus groups; Wellbeing"
    assert evidence
    for e in evidence:
        assert joined[e.start : e.end] == e.phrase


WORDS = [
    "peer", "support", "mentors", "prison", "prisoners", "not", "randomised", "interviews",
    "semi-structured", "women", "UK", "us", "Wales", "New", "South", "improved", "barriers",
    "self-harm", "focus", "groups", "the", "in", "a", "non", "re-entry", "reentry", "after",
    "release", "Listener", "scheme", "qualitative", "systematic", "review", "İstanbul", "é",
    "Québec", "women's", "young", "offender", "institution", "HIV/AIDS", "12-step", "than",
    "controls", "survey", "of", "the", "literature", "mixed", "methods", "PRISMA",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "-", ", ", ". ", "\u2019s ", " / ", "\n", "\u2013", "  ", "(", ")"]
texts = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS), st.booleans()),
    max_size=40,
).map(lambda items: "".join((w.upper() if up else w) + s for w, s, up in items))


@settings(max_examples=150, deadline=None)
@given(title=texts, abstract=texts)
def test_evidence_offsets_point_at_the_phrase(title: str, abstract: str) -> None:
    coding = code_texts("r", {"title": title, "abstract": abstract}, codebook())
    fields = {"title": title, "abstract": abstract}
    for e in coding.evidence:
        assert fields[e.field][e.start : e.end] == e.phrase
        assert e.code in coding.get(e.facet)


@settings(max_examples=150, deadline=None)
@given(text=texts)
def test_the_indexed_matcher_finds_exactly_what_trying_every_rule_at_every_word_finds(
    text: str,
) -> None:
    matcher = matcher_for(codebook())
    folded = fold(text)
    expected = set()
    for start in (m.start() for m in _WORD.finditer(folded)):
        for n, term in enumerate(matcher.terms):
            found = term.regex.match(text if term.case_sensitive else folded, start)
            if found is not None and found.end() > start:
                expected.add((n, start, found.end()))
    assert set(matcher.scan(text)) == expected


@given(st.text(max_size=200))
def test_fast_word_split_equals_the_regex(text: str) -> None:
    folded = fold(text)
    assert fast_words(folded) == _WORD.findall(folded)


@given(st.text(max_size=200))
def test_folding_keeps_every_offset(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_batch_and_single_coding_agree() -> None:
    records = [
        Record(record_id="a", title="Peer mentors in prison", abstract="Interviews with women."),
        Record(record_id="b", title="", abstract="A randomised controlled trial in Wales."),
    ]
    batch = code_records(records, codebook())
    assert [c.values for c in batch] == [code_record(r, codebook()).values for r in records]
    assert [c.record_id for c in batch] == ["a", "b"]


def test_csv_row_has_the_contract_columns() -> None:
    row = code("Semi-structured interviews with Listeners.", title="Peer support").to_row()
    assert list(row)[:9] == [
        "record_id", "method", "population", "perspective", "direction", "themes", "setting",
        "country", "peer_role",
    ]  # fmt: skip
    assert row["method_evidence"].startswith("abstract: '")
    assert re.search(r"listener \[abstract: 'Listeners'\]", row["peer_role_evidence"])


# -- the phrase syntax and the pattern index -------------------------------------------------

phrase_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8), min_size=1, max_size=4
)


@given(words=phrase_words, seps=st.lists(st.sampled_from([" ", "-", " - ", "  ", "/", "\u2013"])))
def test_a_phrase_matches_its_words_with_any_separator_and_case(words, seps) -> None:
    from lib.coding.patterns import phrase_regex

    regex = re.compile(phrase_regex(" ".join(words)))
    text = words[0]
    for n, word in enumerate(words[1:]):
        text += (seps[n] if n < len(seps) else " ") + word
    assert regex.match(fold(text.upper()))
    assert not regex.match(fold(text + "x"))  # the last word must end there


@given(text=st.text(alphabet="ab cdeit-s.", max_size=60))
def test_pattern_prefixes_are_sound(text: str) -> None:
    from lib.coding.patterns import pattern_prefixes

    patterns = [
        r"(?:than|versus|vs\.?)\s+the",
        r"states?\s+no",
        r"(?:this|the|our)\s+(?:article|paper)",
        r"de(?:ad|bt)s?\b",
        r"cat(?:s|-sit)?",
    ]
    folded = fold(text)
    for pattern in patterns:
        prefixes = pattern_prefixes(pattern)
        assert prefixes is not None
        for m in _WORD.finditer(folded):
            found = re.compile(pattern).match(folded, m.start())
            if found is None:
                continue
            word = m.group()
            assert any(word == p if whole else word.startswith(p) for p, whole in prefixes), (
                pattern,
                word,
                prefixes,
            )
