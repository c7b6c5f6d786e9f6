"""The codebook is data a reviewer edits: it loads, round-trips, and a slip gets a clear error."""

from __future__ import annotations

import textwrap

import pytest

from lib.coding import (
    FACETS,
    CodebookError,
    code_texts,
    default_codebook_path,
    load_codebook,
)


def minimal(**overrides: str) -> str:
    """A small but complete codebook; `overrides` replace whole facet blocks (YAML text)."""
    blocks = {
        "method": """
            method:
              type: single
              fallback: unclear
              negation: {cues: [not, "no", non, without], window: 3}
              codes:
                systematic-review:
                  outranks: [qualitative]
                  min_score: 3
                  rules:
                    - {weight: 3, phrases: [systematic review*, meta-analy*]}
                qualitative:
                  rules:
                    - phrases: [interview*, focus group*, thematic analysis]
                rct:
                  rules:
                    - phrases: [randomised, randomized controlled trial]
                  exclude:
                    - phrases: [non-randomised]
                survey:
                  rules:
                    - phrases: [questionnaire*]
                mixed-methods:
                  rules:
                    - phrases: [mixed methods]
                unclear: {}
              combinations:
                - codes: [qualitative, survey]
                  then: mixed-methods
        """,
        "population": """
            population:
              type: multi
              codes:
                women:
                  outranks: [general-prison]
                  rules: [{phrases: [women prisoners, female prisoner*]}]
                general-prison:
                  rules: [{phrases: [prisoners]}]
        """,
        "perspective": """
            perspective:
              type: multi
              codes:
                staff: {rules: [{phrases: [staff]}]}
        """,
        "direction": """
            direction:
              type: single
              fallback: unclear
              codes:
                benefit: {rules: [{phrases: [improved]}]}
                unclear: {}
        """,
        "themes": """
            themes:
              type: multi
              codes:
                wellbeing: {rules: [{phrases: [wellbeing]}]}
        """,
        "setting": """
            setting:
              type: multi
              codes:
                prison: {rules: [{phrases: [prison]}]}
        """,
        "country": """
            country:
              type: multi
              case: sensitive
              codes:
                USA: {rules: [{phrases: [US, USA]}]}
                Wales:
                  rules: [{phrases: [Wales]}]
                  exclude: [{phrases: [New South Wales]}]
        """,
        "peer-role": """
            peer-role:
              type: multi
              codes:
                listener: {rules: [{phrases: [listener*]}]}
        """,
    }
    blocks.update(overrides)
    body = "".join(
        textwrap.indent(textwrap.dedent(b).strip("\n"), "  ") + "\n" for b in blocks.values()
    )
    return "codebook: test\nfields: {title: 2, abstract: 1, keywords: 1}\nfacets:\n" + body


def error_for(text: str) -> str:
    with pytest.raises(CodebookError) as info:
        load_codebook(text)
    return str(info.value)


# -- the shipped codebook --------------------------------------------------------------------


def test_default_codebook_loads_with_every_facet_and_the_contract_slugs() -> None:
    codebook = load_codebook(default_codebook_path())
    assert tuple(codebook.facets) == FACETS
    method = codebook.facet("method")
    assert set(method.codes) == {
        "systematic-review", "narrative-review", "rct", "quasi-experimental", "pre-post",
        "survey", "qualitative", "mixed-methods", "case-study", "commentary", "unclear",
    }  # fmt: skip
    assert set(codebook.facet("direction").codes) == {
        "benefit",
        "mixed",
        "challenge",
        "null",
        "unclear",
    }
    assert set(codebook.facet("peer_role").codes) == {
        "listener", "mentor", "educator", "buddy-carer", "peer-worker", "reading-mentor",
        "therapeutic-community", "recovery",
    }  # fmt: skip
    assert {"England", "Wales", "Scotland", "United Kingdom", "USA"} <= set(
        codebook.facet("country").codes
    )


def test_to_yaml_gives_back_the_text_and_reloads_to_the_same_coding() -> None:
    text = default_codebook_path().read_text(encoding="utf-8")
    codebook = load_codebook(text)
    assert codebook.to_yaml() == text  # comments and layout kept for the reviewer
    rebuilt = load_codebook(codebook.to_dict())  # no source text: dumped from the data
    again = load_codebook(rebuilt.to_yaml())
    texts = {
        "title": "A randomised controlled trial of peer mentors for women leaving prison",
        "abstract": "Semi-structured interviews with Listeners in two English prisons (UK) "
        "found improved wellbeing, though staff shortages were a barrier.",
    }
    first = code_texts("x", texts, codebook)
    assert code_texts("x", texts, again).values == first.values
    assert code_texts("x", texts, rebuilt).values == first.values


def test_a_path_string_and_a_path_load_the_same(tmp_path) -> None:
    target = tmp_path / "mine.yaml"
    target.write_text(minimal(), encoding="utf-8")
    assert load_codebook(str(target)).sha256 == load_codebook(target).sha256


def test_missing_file_is_named() -> None:
    assert "no such codebook file" in error_for("/nowhere/codebook.yaml")


def test_yes_and_no_stay_words() -> None:
    codebook = load_codebook(minimal())
    assert "no" in codebook.facet("method").negation.cues  # YAML 1.1 would have made it False


# -- errors a reviewer can make -----------------------------------------------------------------


def test_bad_regex_names_facet_code_and_rule() -> None:
    text = minimal(
        themes="""
        themes:
          type: multi
          codes:
            wellbeing:
              rules:
                - phrases: [wellbeing]
                - patterns: ['(?:happy|content']
        """
    )
    message = error_for(text)
    assert "facet 'themes', code 'wellbeing', rule 2" in message
    assert "bad regex" in message and "(?:happy|content" in message


def test_unknown_key_is_named_with_a_suggestion() -> None:
    text = minimal(
        themes="""
        themes:
          type: multi
          codes:
            wellbeing:
              rules:
                - phrase: [wellbeing]
        """
    )
    message = error_for(text)
    assert "facet 'themes', code 'wellbeing', rule 1" in message
    assert "unknown key 'phrase'" in message and "did you mean 'phrases'" in message


def test_unknown_facet_is_named() -> None:
    text = minimal() + "  setings:\n    type: multi\n    codes: {a: {}}\n"
    message = error_for(text)
    assert "unknown facet 'setings'" in message and "did you mean 'setting'" in message


def test_missing_facet_is_named() -> None:
    text = minimal().replace("  peer-role:", "  peer-rol:")
    assert "unknown facet 'peer-rol'" in error_for(text)
    blocks = minimal(**{"peer-role": ""})
    assert "missing facet 'peer-role'" in error_for(blocks)


def test_missing_fields_are_named() -> None:
    no_type = minimal(themes="themes:\n  codes: {wellbeing: {}}\n")
    assert "facet 'themes'" in error_for(no_type) and "'type'" in error_for(no_type)
    no_fallback = minimal(direction="direction:\n  type: single\n  codes: {benefit: {}}\n")
    assert "needs 'fallback'" in error_for(no_fallback)
    empty_rule = minimal(
        themes="themes:\n  type: multi\n  codes:\n    wellbeing:\n      rules: [{weight: 2}]\n"
    )
    message = error_for(empty_rule)
    assert "code 'wellbeing', rule 1" in message and "needs 'phrases' or 'patterns'" in message


def test_references_to_codes_that_do_not_exist_are_named() -> None:
    outranks = minimal(
        population="""
        population:
          type: multi
          codes:
            women: {outranks: [general-prisons], rules: [{phrases: [women]}]}
            general-prison: {rules: [{phrases: [prisoners]}]}
        """
    )
    message = error_for(outranks)
    assert "code 'women'" in message and "general-prisons" in message
    assert "did you mean 'general-prison'" in message
    fallback = minimal(
        direction="direction:\n  type: single\n  fallback: unknown\n  codes: {benefit: {}}\n"
    )
    assert "fallback 'unknown' is not one of its codes" in error_for(fallback)


def themes_rule(rule: str) -> str:
    """A codebook whose one theme has the given rule (YAML flow text)."""
    return minimal(
        themes=f"themes:\n  type: multi\n  codes:\n    wellbeing:\n      rules: [{rule}]\n"
    )


def test_bad_phrase_and_bad_values_are_explained() -> None:
    star = themes_rule("{phrases: ['*being']}")
    assert "must start with a letter or digit" in error_for(star)
    middle = themes_rule("{phrases: ['well*being']}")
    assert "'*' may only end a word" in error_for(middle)
    weight = themes_rule("{weight: high, phrases: [x]}")
    assert "weight must be a number" in error_for(weight)
    slug = minimal(themes="themes:\n  type: multi\n  codes:\n    Well Being: {}\n")
    assert "must be a slug" in error_for(slug)
    codes = "{null: {}, unclear: {}}"
    null = minimal(direction=f"direction:\n  type: single\n  fallback: unclear\n  codes: {codes}\n")
    assert "put its name in quotes" in error_for(null)


def test_yaml_mistakes_give_the_line() -> None:
    broken = minimal() + "  oops: [unclosed\n"
    assert "line" in error_for(broken)
    twice = minimal(
        themes="themes:\n  type: multi\n  codes:\n    wellbeing: {}\n    wellbeing: {}\n"
    )
    message = error_for(twice)
    assert "'wellbeing' is written twice" in message and "line" in message


def test_an_empty_text_is_refused() -> None:
    assert "empty" in error_for("")


# -- the keys added for sentence-aware coding (issue 13) -----------------------------------


def direction_block(extra: str = "", code_extra: str = "", combo: str = "") -> str:
    return (
        "direction:\n  type: single\n  fallback: unclear\n"
        + extra
        + "  codes:\n    benefit:\n      rules: [{phrases: [improved]}]\n"
        + code_extra
        + "    challenge: {rules: [{phrases: [barriers]}]}\n    mixed: {}\n    unclear: {}\n"
        + combo
    )


def test_sentence_keys_load_and_round_trip() -> None:
    text = minimal(
        direction=direction_block(
            "  reads: {results: 1, conclusion: 0.5}\n  own_claims: true\n"
            "  negation: {cues: [not], window: 3, after: 2}\n",
            '      negated_as: "unclear"\n',
            "  combinations:\n    - {codes: [benefit, challenge], then: mixed, balance: 0.3}\n",
        ),
        themes="themes:\n  type: multi\n  codes:\n    wellbeing:\n      rules:\n"
        "        - {phrases: [well ... being], gap: 3, order: any, inflect: false}\n",
    )
    codebook = load_codebook(text)
    direction = codebook.facet("direction")
    assert direction.reads == {"results": 1.0, "conclusion": 0.5} and direction.own_claims
    assert direction.negation is not None and direction.negation.after == 2
    assert direction.codes["benefit"].negated_as == "unclear"
    assert direction.combinations[0].balance == 0.3
    rule = codebook.facet("themes").codes["wellbeing"].rules[0]
    assert (rule.gap, rule.order, rule.inflect) == (3, "any", False)
    from lib.coding.yamlio import dump_yaml

    again = load_codebook(dump_yaml(codebook.to_dict()))
    assert again.to_dict() == codebook.to_dict()


def test_slips_in_the_sentence_keys_are_named() -> None:
    role = minimal(direction=direction_block("  reads: {results: 1, findings: 1}\n"))
    assert "unknown key 'findings'" in error_for(role) and "facet 'direction'" in error_for(role)
    negative = minimal(direction=direction_block("  reads: {results: -1}\n"))
    assert "cannot be negative" in error_for(negative)
    own = minimal(direction=direction_block("  own_claims: maybe\n"))
    assert "own_claims must be true or false" in error_for(own)
    after = minimal(direction=direction_block("  negation: {cues: [not], after: 20}\n"))
    assert "after must be 0 to 10 words" in error_for(after)
    negated = minimal(direction=direction_block("", '      negated_as: "nul"\n'))
    assert "negated_as names unknown code 'nul'" in error_for(negated)
    balance = minimal(
        direction=direction_block(
            "",
            "",
            "  combinations:\n    - {codes: [benefit, challenge], then: mixed, balance: 2}\n",
        )
    )
    assert "balance must be 0 to 1" in error_for(balance)
    assert "gap must be 1 to 5 words" in error_for(themes_rule("{phrases: [x ... y], gap: 9}"))
    assert "order must be 'written' or 'any'" in error_for(themes_rule("{phrases: [x], order: 2}"))
    assert "inflect must be true or false" in error_for(themes_rule("{phrases: [x], inflect: 1}"))
    dots = error_for(themes_rule("{phrases: ['well ...']}"))
    assert "'...' stands for a word or two between two words" in dots


def test_a_gap_and_any_order_match_as_the_codebook_says() -> None:
    text = minimal(
        themes="themes:\n  type: multi\n  codes:\n    wellbeing:\n      rules:\n"
        "        - {phrases: [compared with ... controls]}\n"
        "        - {phrases: [assigned randomly], order: any}\n"
    )
    codebook = load_codebook(text)

    def themes(abstract: str) -> tuple[str, ...]:
        return code_texts("r", {"abstract": abstract}, codebook).themes

    assert themes("Men were compared with matched controls.") == ("wellbeing",)
    assert themes("Men were compared with two matched controls.") == ("wellbeing",)
    assert themes("Men were compared with the two matched controls.") == ()  # 3 words: too far
    assert themes("Men were compared with, say, controls.") == ()  # not across a clause
    assert themes("Men were randomly assigned.") == ("wellbeing",)
