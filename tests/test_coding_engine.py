"""Coding a record: the decisions a reviewer relies on, and evidence that points at the text."""

from __future__ import annotations

import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.coding import (
    FACETS,
    Codebook,
    code_record,
    code_records,
    code_texts,
    default_codebook_path,
    load_codebook,
)
from lib.coding.matcher import _WORD, _parts, matcher_for
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


@settings(max_examples=100, deadline=None)
@given(title=texts, abstract=texts)
def test_a_csv_row_shows_each_facets_codes_and_the_evidence_the_record_gives(
    title: str, abstract: str
) -> None:
    # to_row groups the evidence by facet in one pass; each cell must still say what
    # the per-facet accessors say
    coding = code_texts("r", {"title": title, "abstract": abstract}, codebook())
    row = coding.to_row()
    for facet in FACETS:
        column = facet.replace("-", "_")
        assert row[column] == "; ".join(coding.get(facet))
        assert row[f"{column}_evidence"] == coding.evidence_text(facet)
        for e in coding.evidence_for(facet):
            assert f"{e.field}: '{e.phrase}'" in row[f"{column}_evidence"]


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
@given(st.text(max_size=200))
def test_fast_word_split_equals_the_regex(text: str) -> None:
    folded = fold(text)
    assert fast_words(folded) == _WORD.findall(folded)


@settings(deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("ab_ .,-\u00e9\u00df\u2019\u00b1\u0661\u00a0\x00"), max_size=60
    )
)
def test_fast_word_split_finds_each_word_where_the_regex_does(text: str) -> None:
    """Accented letters, digits of other scripts, symbols and curly quotes mixed with ASCII:
    the words and their offsets are the regex's (evidence offsets rely on them)."""
    folded = fold(text)
    parts, starts = _parts(folded)
    found = [(p, s) for p, s in zip(parts, starts) if p]  # noqa: B905 (one start more)
    assert found == [(m.group(), m.start()) for m in _WORD.finditer(folded)]


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
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


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
@given(words=phrase_words, seps=st.lists(st.sampled_from([" ", "-", " - ", "  ", "/", "\u2013"])))
def test_a_phrase_matches_its_words_with_any_separator_and_case(words, seps) -> None:
    from lib.coding.patterns import phrase_regex

    regex = re.compile(phrase_regex(" ".join(words)))
    text = words[0]
    for n, word in enumerate(words[1:]):
        text += (seps[n] if n < len(seps) else " ") + word
    assert regex.match(fold(text.upper()))
    assert not regex.match(fold(text + "x"))  # the last word must end there


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
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


# -- sentence-aware reading (issue 13) ----------------------------------------------------------


def test_evidence_names_its_sentence_and_role() -> None:
    abstract = (
        "Background: Prisons are crowded. Methods: We interviewed 12 Listeners using "
        "semi-structured interviews. Results: Listeners valued the role."
    )
    coding = code(abstract)
    item = next(e for e in coding.evidence_for("method") if "semi" in e.phrase.lower())
    assert item.role == "method"
    sentence = item.sentence(abstract)
    assert sentence.startswith("Methods:") and item.phrase in sentence
    assert item.sentence_start <= item.start < item.end <= item.sentence_end
    [benefit] = coding.evidence_for("direction")
    assert benefit.role == "results" and benefit.phrase == "valued"


def test_title_evidence_has_the_title_as_its_sentence() -> None:
    coding = code("", title="A randomised controlled trial of peer mentoring")
    [item] = coding.evidence_for("method")[:1]
    assert (item.role, item.sentence_start, item.sentence_end) == ("title", 0, 47)


def test_background_challenges_do_not_make_a_benefit_mixed() -> None:
    coding = code(
        "Background: People leaving prison face many barriers and a high burden of disease. "
        "Methods: We evaluated a peer mentoring scheme with 80 men. "
        "Results: Mentoring improved access to housing and was valued by mentees."
    )
    assert coding.direction == "benefit"


def test_aims_recommendations_and_others_findings_are_not_findings() -> None:
    # no results: the direction is unclear, never a guess from the aim
    assert code("This protocol describes a trial that aims to improve wellbeing.").direction == (
        "unclear"
    )
    coding = code(
        "Previous studies have shown that peer support reduces reoffending. "
        "We interviewed 20 peer mentors. "
        "Results: Mentors described barriers, frustration and a lack of support from staff."
    )
    assert coding.direction == "challenge"


def test_a_rebutted_claim_is_not_the_finding() -> None:
    coding = code(
        "Methods: We surveyed 200 prisoners. Results: Peer support was valued and helpful. "
        "Conclusion: These findings challenge the view that peer support harms its volunteers."
    )
    assert coding.direction == "benefit"


def test_negation_after_the_phrase_and_not_only() -> None:
    assert code("Methods: Randomisation was not possible; we compared 40 men.").method != "rct"
    assert code(
        "Methods: We interviewed prisoners. Results: Peer support improved not only mood."
    ).direction == ("benefit")
    null = code("Methods: A survey of 300 prisoners. Results: Mentoring did not improve wellbeing.")
    assert null.direction == "null"  # a negated benefit is a finding of no effect


def test_release_and_qualitative_longitudinal_are_not_designs() -> None:
    coding = code(
        "Methods: We interviewed 30 women pre- and post-release in a qualitative longitudinal "
        "study, using thematic analysis."
    )
    assert coding.method == "qualitative"


def test_comparison_designs_named_in_other_words() -> None:
    assert code(
        "Methods: Outcomes of mentored men were compared with those who did not take part."
    ).method == ("quasi-experimental")
    assert code(
        "Methods: We used a historical comparison group of 200 released prisoners."
    ).method == ("quasi-experimental")


def test_cohort_and_cross_sectional_designs_without_the_word_survey() -> None:
    assert code("Methods: A retrospective cohort of 5,000 prisoners was followed.").method == (
        "survey"
    )
    assert code("Methods: Logistic regression estimated odds ratios for 900 inmates.").method == (
        "survey"
    )


def test_inflections_match_and_derivations_do_not() -> None:
    assert code("Results: Enhancing peer roles helped men.").direction == "benefit"
    women = code("", title="Women prisoners and peer support")
    assert "women" in women.population
    # 'prisoners' does not match the word 'prison' (prison staff are not prisoners)
    assert "general-prison" not in code("", title="Prison staff views of Listeners").population


def test_a_tie_goes_to_the_strongest_cue() -> None:
    # survey (listed first) scores two weak cues, case-study one strong cue: 2 each
    coding = code("", keywords=["case study", "survey", "surveyed"])
    assert coding.scores["method"] == {"survey": 2.0, "case-study": 2.0}
    assert coding.method == "case-study"


def test_an_essay_is_commentary() -> None:
    essay = code(
        "This paper argues that peer support is a matter of justice. We discuss its history "
        "and debate its limits.",
        title="Peer support in prison: a commentary",
    )
    assert essay.method == "commentary"


def test_confidence_is_given_for_every_facet_and_follows_the_evidence() -> None:
    weak = code("Methods: We interviewed staff and read their accounts.")
    strong = code(
        "Methods: Semi-structured interviews and focus groups were analysed with thematic "
        "analysis in this qualitative study.",
        title="A qualitative study",
    )
    assert set(strong.confidence) == set(strong.values)
    assert all(0.0 <= c <= 1.0 for c in strong.confidence.values())
    assert strong.method == "qualitative"
    assert strong.confidence["method"] > weak.confidence["method"]
    nothing = code("Peer support in prisons is growing.")
    assert nothing.method == "unclear" and nothing.confidence["method"] <= 0.5


def test_unclear_is_less_sure_when_a_code_came_close() -> None:
    close = code("We asked about their perceptions of prison life.")  # a cue under the bar
    far = code("Peer support in prisons is growing.")
    assert close.method == far.method == "unclear"
    assert close.confidence["method"] < far.confidence["method"]
