"""The deduplication engine on hand-made traps, with a person's decisions, and its
invariants (hypothesis): stable under repetition and shuffling, one group per record."""

from __future__ import annotations

import dataclasses
import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.dedupe import Decision, deduplicate
from lib.ingest import read_path
from lib.model import Record

TRAPS = Path(__file__).parent / "data" / "dedupe" / "traps.csv"


@pytest.fixture(scope="module")
def traps() -> list[Record]:
    return read_path(TRAPS).records


@pytest.fixture(scope="module")
def result(traps: list[Record]):
    return deduplicate(traps)


def _group(records: list[Record]) -> dict[str, str]:
    return {r.record_id: r.original["group_id"][0] for r in records}


def _same(result, a: str, b: str) -> bool:
    return result.cluster_of[a] == result.cluster_of[b]


def _partition(cluster_of: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for rid, cid in cluster_of.items():
        groups.setdefault(cid, set()).add(rid)
    return {frozenset(g) for g in groups.values()}


# ---- traps ----------------------------------------------------------------------------------


def test_no_trap_record_is_merged_with_another_publication(traps, result) -> None:
    truth = _group(traps)
    wrong = [
        (a.record_id, b.record_id)
        for a, b in itertools.combinations(traps, 2)
        if _same(result, a.record_id, b.record_id)
        and truth[a.record_id] != truth[b.record_id]
        and "?" not in truth[a.record_id] + truth[b.record_id]
    ]
    assert wrong == []


def test_one_paper_exported_four_ways_is_one_group(result) -> None:
    # case, punctuation, "[...]" translation brackets, "[Chinese]", "1049-58", "J Offender
    # Rehabil", initials, "et al.", a DOI URL and a missing DOI
    assert {result.cluster_of[r] for r in ("a1", "a2", "a3", "a4")} == {"a1"}


def test_a_truncated_title_with_initials_and_no_doi_joins(result) -> None:
    assert _same(result, "k1", "k2")


def test_a_supplement_doi_does_not_merge_different_abstracts(result) -> None:
    assert not _same(result, "b1", "b2")
    pair = next(p for p in result.pairs if {p.a, p.b} == {"b1", "b2"})
    assert pair.decision == "distinct"


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("c1", "c2", "same abstract in two meetings or supplements"),
        ("d1", "d2", "conference abstract and article"),
        ("g1", "g2", "erratum notice of the paper"),
        ("h1", "h2", "retraction notice of the paper"),
        ("i1", "i2", "preprint and published article"),
    ],
)
def test_other_reports_are_linked_not_merged(result, a: str, b: str, why: str) -> None:
    assert not _same(result, a, b)
    assert any({link.a, link.b} == {a, b} and link.reason == why for link in result.links)


def test_generic_titles_merge_only_on_the_same_doi(result) -> None:
    assert _same(result, "e1", "e3")  # one editorial, two databases
    assert not _same(result, "e1", "e2")  # editorials of two issues
    assert not _same(result, "e4", "e5")  # two replies


def test_generic_titles_parts_and_years_apart_are_not_linked(result) -> None:
    linked = {frozenset((link.a, link.b)) for link in result.links}
    for pair in (("e1", "e2"), ("f1", "f2"), ("m1", "m2"), ("l1", "l2")):
        assert frozenset(pair) not in linked


def test_part_one_and_part_two_stay_apart(result) -> None:
    pair = next(p for p in result.pairs if {p.a, p.b} == {"f1", "f2"})
    assert pair.decision == "distinct"
    assert "parts differ" in pair.reason


def test_look_alike_titles_and_years_apart_stay_apart(result) -> None:
    assert not _same(result, "l1", "l2")
    assert not _same(result, "m1", "m2")


def test_a_thesis_and_the_article_with_its_title_stay_apart(result) -> None:
    assert not _same(result, "n1", "n2")
    pair = next(p for p in result.pairs if {p.a, p.b} == {"n1", "n2"})
    assert "kinds differ (thesis / journal)" in pair.reason


def test_a_record_that_fits_two_papers_does_not_chain_them(result) -> None:
    # j2 (no pages) matches both j1 (pages 10-20) and j3 (pages 200-210)
    assert not _same(result, "j1", "j3")
    assert _same(result, "j2", "j1") or _same(result, "j2", "j3")


def test_every_pair_has_a_readable_reason(result) -> None:
    for pair in result.pairs:
        assert pair.decision in ("duplicate", "possible", "distinct")
        assert 0.0 <= pair.score <= 1.0
        assert pair.reason
    dup = next(p for p in result.pairs if {p.a, p.b} == {"a1", "a2"})
    assert "same DOI" in dup.reason and "titles equal" in dup.reason


def test_pairs_rejected_on_titles_alone_say_so() -> None:
    a = Record(record_id="x", title="Peer mentoring after release", authors=["Wang, Li"],
               year=2015)  # fmt: skip
    b = Record(record_id="y", title="Hepatitis C screening in remand prisons",
               authors=["Wang, Li"], year=2015)  # fmt: skip
    (pair,) = deduplicate([a, b]).pairs  # candidates through first author and year
    assert pair.decision == "distinct"
    assert pair.reason.startswith("titles differ (") and pair.score < 0.5


def test_contradicting_page_sends_a_pair_to_review(result) -> None:
    pair = next(p for p in result.pairs if {p.a, p.b} == {"j1", "j3"})
    assert pair.decision == "possible"
    assert "first page 10 vs 200" in pair.reason


# ---- groups and merged studies --------------------------------------------------------------


def test_group_id_is_its_first_record_in_input_order(traps) -> None:
    reordered = [traps[3], *traps[:3], *traps[4:]]  # a4 first
    assert deduplicate(reordered).cluster_of["a1"] == "a4"


def test_group_ids_stay_when_later_records_join(traps) -> None:
    first = deduplicate(traps[:3])
    later = deduplicate(traps)
    for rid, cid in first.cluster_of.items():
        assert later.cluster_of[rid] == cid


def test_merged_study_prefers_complete_values_and_keeps_provenance(result) -> None:
    study = next(s for s in result.studies() if s.study_id == "a1")
    assert study.members == ("a1", "a2", "a3", "a4")
    assert study.record.journal.endswith("Journal of Offender Rehabilitation")  # not "J Off..."
    assert study.record.doi == "10.1080/10509674.2019.1234567"
    assert study.record.abstract.startswith("This systematic review")
    assert study.record.title == "Peer support in prison: a systematic review"
    assert study.record.pages == "1049-1058"
    assert study.sources["abstract"] == "a1"
    assert study.record.original["record_ids"] == ["a1", "a2", "a3", "a4"]


def test_duplicate_record_ids_are_refused(traps) -> None:
    with pytest.raises(ValueError, match="appears twice"):
        deduplicate([traps[0], dataclasses.replace(traps[1], record_id=traps[0].record_id)])


def test_no_records_gives_no_groups() -> None:
    result = deduplicate([])
    assert result.cluster_of == {} and len(result.pairs) == 0


# ---- a person's decisions -------------------------------------------------------------------


def test_same_merges_despite_a_contradiction(traps) -> None:
    result = deduplicate(traps, [Decision("same", ("j1", "j3"), decision_id=1)])
    assert _same(result, "j1", "j3")
    pair = next(p for p in result.pairs if {p.a, p.b} == {"j1", "j3"})
    assert pair.decision == "duplicate" and "decision 1" in pair.reason


def test_different_splits_an_automatic_merge(traps) -> None:
    result = deduplicate(traps, [Decision("different", ("a1", "a2"))])
    assert not _same(result, "a1", "a2")
    assert _same(result, "a1", "a3") or _same(result, "a2", "a3")


def test_other_report_links_without_merging(traps) -> None:
    result = deduplicate(traps, [Decision("other-report", ("k1", "k2"), decision_id=4)])
    assert not _same(result, "k1", "k2")
    assert any({x.a, x.b} == {"k1", "k2"} and x.decision_id == 4 for x in result.links)


def test_split_takes_records_out_of_their_group(traps) -> None:
    result = deduplicate(traps, [Decision("split", ("a3", "a4"))])
    assert _same(result, "a3", "a4")
    assert not _same(result, "a1", "a3")
    assert _same(result, "a1", "a2")


def test_decided_pairs_are_not_queued_again(traps) -> None:
    before = deduplicate(traps).possible()
    assert any({p.a, p.b} == {"j1", "j3"} for p in before)
    after = deduplicate(traps, [Decision("different", ("j1", "j3"))]).possible()
    assert not any({p.a, p.b} == {"j1", "j3"} for p in after)


def test_decisions_about_absent_records_are_ignored(traps) -> None:
    result = deduplicate(traps, [Decision("same", ("a1", "gone"))])
    assert result.cluster_of["a1"] == "a1"


def test_a_decision_needs_two_records() -> None:
    with pytest.raises(ValueError):
        Decision("same", ("a1",))
    with pytest.raises(ValueError):
        Decision("merge", ("a1", "a2"))


# ---- invariants -----------------------------------------------------------------------------

_BASE = [
    ("Peer support in prison: a systematic review", ["Smith, John", "Jones, Mary"], 2019,
     "Journal of Offender Rehabilitation", "J Offender Rehabil", "58", "1049-1058", "10.1/a"),
    ("Peer support in women's prisons: a realist evaluation", ["Smith, John"], 2019,
     "Criminal Justice Studies", "Crim Justice Stud", "32", "1-20", ""),
    ("Peer support in men's prisons: a realist evaluation", ["Smith, John"], 2019,
     "Criminal Justice Studies", "Crim Justice Stud", "32", "101-120", ""),
    ("Editorial", ["Walker, Nigel"], 2020, "Criminal Behaviour and Mental Health",
     "Crim Behav Ment Health", "30", "1-2", "10.1/e1"),
    ("Editorial", ["Walker, Nigel"], 2020, "Criminal Behaviour and Mental Health",
     "Crim Behav Ment Health", "30", "61-62", "10.1/e2"),
    ("The Listener scheme and prisoner wellbeing", ["Dhaliwal, Raj"], 2019,
     "Prison Service Journal", "Prison Serv J", "240", "12-19", ""),
    ("Erratum: The Listener scheme and prisoner wellbeing", ["Dhaliwal, Raj"], 2019,
     "Prison Service Journal", "Prison Serv J", "241", "50", ""),
    ("Wounded healers in prison peer work", ["Taylor, Ruth", "Hughes, Kieran"], 2017,
     "European Psychiatry", "Eur Psychiatry", "41", "S230", ""),
]  # fmt: skip


@st.composite
def exports(draw) -> list[Record]:
    """Several corrupted copies of a few publications, some of them look-alikes."""
    records = []
    for k, (title, authors, year, journal, abbrev, volume, pages, doi) in enumerate(_BASE):
        for copy in range(draw(st.integers(0, 3))):
            t = draw(st.sampled_from([title, title.upper(), title.lower() + ".", f"[{title}]"]))
            a = draw(st.sampled_from([authors, [x.split(",")[0] + " " + x.split(", ")[1][0]
                                                 for x in authors]]))  # fmt: skip
            records.append(
                Record(
                    record_id=f"p{k}c{copy}",
                    title=t,
                    authors=a,
                    year=year,
                    journal=draw(st.sampled_from([journal, abbrev])),
                    volume=volume,
                    pages=pages,
                    doi=draw(st.sampled_from([doi, ""])),
                )
            )
    return records


def test_a_block_larger_than_its_window_is_still_grouped_whatever_the_order(traps) -> None:
    copies = [dataclasses.replace(traps[0], record_id=f"copy{k:02d}") for k in range(60)]
    rnd = random.Random(3)
    for _ in range(3):
        rnd.shuffle(copies)
        assert len(set(deduplicate(copies).cluster_of.values())) == 1


@settings(max_examples=40, deadline=None)
@given(exports(), st.randoms(use_true_random=False))
def test_shuffling_the_input_does_not_change_the_groups(records, rnd: random.Random) -> None:
    shuffled = records[:]
    rnd.shuffle(shuffled)
    assert _partition(deduplicate(records).cluster_of) == _partition(
        deduplicate(shuffled).cluster_of
    )


@settings(max_examples=40, deadline=None)
@given(exports())
def test_every_record_is_in_exactly_one_group(records) -> None:
    result = deduplicate(records)
    assert sorted(result.cluster_of) == sorted(r.record_id for r in records)
    members = [rid for group in result.clusters().values() for rid in group]
    assert sorted(members) == sorted(r.record_id for r in records)
    # and only copies of one publication share a group
    for group in result.clusters().values():
        assert len({rid.split("c")[0] for rid in group}) == 1


@settings(max_examples=40, deadline=None)
@given(exports())
def test_deduplicating_twice_changes_nothing(records) -> None:
    first = deduplicate(records)
    assert deduplicate(records).cluster_of == first.cluster_of
    # the merged studies are all different publications: nothing left to merge
    merged = [study.record for study in first.studies()]
    again = deduplicate(merged)
    assert len(set(again.cluster_of.values())) == len(merged)
