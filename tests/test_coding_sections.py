"""Sentences, headings and sentence roles: where each facet's evidence is read."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.coding.inflect import word_forms
from lib.coding.sections import Sentence, assign_roles, split_sentences


def roles_of(text: str) -> list[tuple[str, str]]:
    from lib.coding import default_codebook_path, load_codebook
    from lib.coding.engine import sentence_roles

    codebook = load_codebook(default_codebook_path())
    return [(text[a:b], role) for a, b, role in sentence_roles(text, codebook)]


# -- headings of structured abstracts --------------------------------------------------------


def test_structured_headings_and_their_variants_give_the_roles() -> None:
    text = (
        "BACKGROUND: Prisons hold many older people. OBJECTIVES: To describe their needs. "
        "Design/methodology/approach: We interviewed 20 men. Main outcome measures: Needs met. "
        "Findings: Most needs were unmet. Conclusions and implications: Services must change."
    )
    got = [(text[s.start : s.end].split(":")[0], s.role) for s in split_sentences(text)]
    assert got == [
        ("BACKGROUND", "background"),
        ("OBJECTIVES", "aim"),
        ("Design/methodology/approach", "method"),
        ("Main outcome measures", "method"),
        ("Findings", "results"),
        ("Conclusions and implications", "conclusion"),
    ]


def test_headings_glued_to_the_sentence_before_or_on_their_own_line() -> None:
    glued = (
        "Background:Women prisoners are unwell.Methods:Focus groups were held.Results:Most said so."
    )
    assert [s.role for s in split_sentences(glued)] == ["background", "method", "results"]
    lines = "Background\nLittle is known.\nMethods\nWe surveyed 300 staff.\nResults\nMost agreed."
    assert [s.role for s in split_sentences(lines)] == ["background", "method", "results"]
    capitals = "OBJECTIVE To test a scheme. RESULTS Reoffending fell."
    assert [s.role for s in split_sentences(capitals)] == ["aim", "results"]


def test_a_heading_role_holds_for_the_sentences_under_it() -> None:
    text = "Methods: We recruited 40 men. They completed a questionnaire. Results: Scores rose."
    assert [s.role for s in split_sentences(text)] == ["method", "method", "results"]


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = (
        "Prisons in the U.S. hold many people, e.g. older men (Smith et al. 2020). Few have help."
    )
    found = split_sentences(text)
    assert len(found) == 2
    assert text[found[1].start : found[1].end] == "Few have help."


def test_a_translated_copy_of_the_abstract_is_set_apart() -> None:
    text = "Results: Rates fell. Objectif : examiner un programme. Résultats : les taux ont baissé."
    assert [s.role for s in split_sentences(text)] == ["results", "other", "other"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab .!?\n:ABResultsMethodsCONCLUSION-()e.g", max_size=300))
def test_sentences_are_in_order_inside_the_text_and_never_overlap(text: str) -> None:
    found = split_sentences(text)
    end = 0
    for sentence in found:
        assert end <= sentence.start < sentence.end <= len(text)
        assert text[sentence.start : sentence.end].strip()
        end = sentence.end
    # nothing but white space is left out
    covered = "".join(text[s.start : s.end] for s in found)
    assert "".join(covered.split()) == "".join(text.split())


# -- roles of unstructured abstracts -----------------------------------------------------------


def test_an_unstructured_abstract_is_read_in_the_order_abstracts_are_written() -> None:
    text = (
        "Peer support is common in prisons. "
        "This study aimed to explore how Listeners see their role. "
        "We interviewed 18 Listeners in three prisons and used thematic analysis. "
        "Participants reported that the role gave them purpose, but found night calls hard. "
        "These findings suggest that Listeners need more support from staff."
    )
    assert [role for _, role in roles_of(text)] == [
        "background",
        "aim",
        "method",
        "results",
        "conclusion",
    ]


def test_an_abstract_that_never_reports_a_finding_has_no_results_sentence() -> None:
    text = (
        "This article describes a peer mentoring scheme for women leaving prison. "
        "Mentors are trained over six weeks. The scheme is run by a charity."
    )
    assert "results" not in {role for _, role in roles_of(text)}


def test_roles_never_go_back_and_headings_win() -> None:
    sentences = [Sentence(0, 1, ""), Sentence(2, 3, "results", "results"), Sentence(4, 5, "")]
    cues = [{"method": 2.0}, {}, {"background": 5.0}]
    assert assign_roles(sentences, cues) == ["method", "results", "results"]


# -- inflections ---------------------------------------------------------------------------


def test_a_word_stands_for_its_inflections_not_its_derivations() -> None:
    assert {"enhance", "enhances", "enhanced", "enhancing"} <= word_forms("enhance")
    assert "enhancing" in word_forms("enhance") and "enhance" in word_forms("enhancing")
    assert {"prisoner", "prisoners"} <= word_forms("prisoners")
    assert "prison" not in word_forms("prisoners")  # Snowball's stem of both; not the word
    assert "effect" not in word_forms("effective")
    assert "experiment" not in word_forms("experience")
    assert {"study", "studies", "studied"} <= word_forms("studies")
    assert {"randomised", "randomized", "randomising", "randomizing"} <= word_forms("randomised")
    assert {"behaviour", "behavior", "behaviours"} <= word_forms("behaviour")
    assert word_forms("with") == {"with"}  # function words as written


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
@given(st.from_regex(r"[a-z]{4,12}", fullmatch=True))
def test_every_word_stands_for_itself(word: str) -> None:
    assert word in word_forms(word)


def test_a_stem_ending_in_e_also_finds_the_ing_form() -> None:
    import re

    from lib.coding.patterns import compile_phrase

    spec = compile_phrase("lived experience*")
    regex = re.compile(spec.regex)
    for text in ("lived experience", "lived experiences", "lived experiencing"):
        assert regex.match(text), text
    assert not regex.match("lived experiment")
    assert ("experiencing", True) in compile_phrase("experience*").keys
