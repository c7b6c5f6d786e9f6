"""Scope (which studies the pages work on), PRISMA 2020 screening counts, the stopping
aid's estimate, and the reviewer's highlight terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.ingest import read_bytes
from lib.project import duplicates, open_project
from lib.screening import decisions as dec
from lib.screening.decisions import Decision
from lib.screening.scope import awaiting_full_text, studies_in_scope
from lib.screening.stopping import estimate, proportion_interval
from lib.screening.studies import StudyMap
from lib.screening.terms import load_terms, parse_terms, save_terms, term_spans
from lib.views.screening import terms_markdown


@pytest.fixture()
def project(tmp_path: Path):
    rows = "\n".join(f"s{i},Study number {i} of peer support,Author {i},2020" for i in range(12))
    data = f"record_id,title,authors,year\n{rows}\n".encode()
    with open_project(tmp_path / "review.sqlite") as opened:
        opened.add_import(read_bytes(data, "search.csv", database="Scopus"))
        duplicates.refresh(opened)
        yield opened


def screen(project) -> None:
    """s0-s3 included at title/abstract, s4-s6 excluded, s7 maybe; at full text s0
    included, s1 and s2 excluded for reasons, s3 not assessed yet."""
    for study in ("s0", "s1", "s2", "s3"):
        dec.decide(project, study, "include")
    for study in ("s4", "s5", "s6"):
        dec.decide(project, study, "exclude", reason="Wrong setting")
    dec.decide(project, "s7", "maybe")
    dec.decide(project, "s0", "include", stage="full-text")
    dec.decide(project, "s1", "exclude", stage="full-text", reason="Wrong study design")
    dec.decide(project, "s2", "exclude", stage="full-text", reason="Wrong study design")


def test_scopes_are_included_included_and_maybe_and_all(project) -> None:
    screen(project)
    assert studies_in_scope(project) == ["s0", "s3"]  # s3 awaits full text: still in
    assert studies_in_scope(project, "included+maybe") == ["s0", "s3", "s7"]
    assert len(studies_in_scope(project, "all")) == 12
    with pytest.raises(ValueError, match="unknown scope"):
        studies_in_scope(project, "everything")


def test_included_studies_awaiting_full_text_are_counted_apart(project) -> None:
    """s3 is included at title/abstract only: in the included scope, but PRISMA counts it
    as awaiting full-text assessment, and the Overview says so (issue 14)."""
    from lib.screening.queue import current

    assert awaiting_full_text(current(project)) == 0
    screen(project)
    assert awaiting_full_text(current(project)) == 1
    dec.decide(project, "s3", "exclude", stage="full-text", reason="Wrong setting")
    assert awaiting_full_text(current(project)) == 0
    assert studies_in_scope(project) == ["s0"]


def test_an_unscreened_project_has_nothing_in_scope(project) -> None:
    assert studies_in_scope(project) == []


def fake(n_ranked: int, ranked_includes: int, n_random: int, random_includes: int, total: int):
    """A screening state of ``total`` studies with those decisions, oldest first."""
    decisions, i = [], 0
    for origin, n, k in (
        ("ranked", n_ranked, ranked_includes),
        ("random", n_random, random_includes),
    ):
        for j in range(n):
            verdict = "include" if j < k else "exclude"
            decisions.append(
                Decision(i, "title-abstract", verdict, "", "", (f"s{i}",), f"s{i}", origin, "")
            )
            i += 1  # fmt: skip
    ids = [f"s{k}" for k in range(total)]
    studies = StudyMap({s: s for s in ids}, ids, {s: [s] for s in ids}, "k")
    from lib.screening.queue import Screening

    return Screening(studies, dec.resolve(decisions, studies.study_of), decisions)


def test_the_estimate_from_a_random_sample_has_an_honest_interval() -> None:
    state = fake(500, 40, 300, 3, 5_000)  # 4,500 left when sampling began, 4,200 now
    aid = estimate(state)
    assert aid.method == "sample" and aid.unscreened == 4_200
    assert aid.expected == pytest.approx(4_200 * 3 / 300)
    low, high = proportion_interval(3, 300)
    assert aid.low == pytest.approx(4_200 * low) and aid.high == pytest.approx(4_200 * high)
    assert aid.low < aid.expected < aid.high
    assert aid.since_last_include == 297


def test_before_a_sample_the_bound_rests_on_the_last_ranked_records() -> None:
    aid = estimate(fake(500, 40, 0, 0, 5_000))
    assert aid.method == "recent" and "no richer" in aid.explanation
    assert aid.expected == 0  # the last 200 ranked held no include
    assert aid.high == pytest.approx(4_500 * proportion_interval(0, 200)[1])
    assert aid.suggested_sample > 30
    assert estimate(fake(0, 0, 0, 0, 10)).method == "none"


def test_clopper_pearson_matches_known_values() -> None:
    assert proportion_interval(0, 100)[1] == pytest.approx(0.0362, abs=1e-4)
    low, high = proportion_interval(5, 50)
    assert low == pytest.approx(0.0333, abs=1e-3) and high == pytest.approx(0.2181, abs=1e-3)


def test_terms_are_parsed_saved_and_found_at_word_starts(project) -> None:
    assert parse_terms("peer support, listener*\n\n;prison ; peer support") == [
        "peer support",
        "listener*",
        "prison",
    ]
    save_terms(project, ["peer*"], ["rat", "mice"])
    assert load_terms(project) == {"include": ["peer*"], "exclude": ["rat", "mice"]}
    text = "Peer-led support; peers, pioneer; Rats and mice in treatment of men"
    found = [text[a:b] for a, b in term_spans(text, ["peer*", "men", "rat*"])]
    assert found == ["Peer", "peers", "Rats", "men"]


def test_terms_markdown_colours_both_kinds_and_keeps_text_literal() -> None:
    text = "Peer mentors <b>in</b> rats [x](javascript:alert(1))"
    shown = terms_markdown(text, ["peer mentors"], ["rats"])
    assert shown.startswith(":green-background[Peer mentors]")
    assert ":red-background[rats]" in shown
    assert "\\<b\\>" in shown and "\\[x\\]\\(javascript" in shown
    assert terms_markdown("plain", [], []) == "plain"
