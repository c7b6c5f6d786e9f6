"""Find the records that are one publication and write one row per record with its group.

Every record read gets a row in --out with the id of its group (the id of the group's
first record in input order); records judged the same publication share it. Pairs that
may be duplicates but need a person's look are not merged: --review lists them with
their scores and reasons. Exit codes as for ``ingest``: 0 every file read, 2 a file could
not be read (the others are still deduplicated), 1 a usage or output error.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict

from lib.commands.common import (
    EXIT_OK,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    add_input_arguments,
    read_inputs,
    write_csv,
)
from lib.dedupe import DedupeResult, deduplicate
from lib.model import CANONICAL_COLUMNS, Record

HELP = "group the records that are one publication (writes record_id,cluster_id,...)"

CLUSTER_COLUMNS = (
    "record_id",
    "cluster_id",
    "cluster_size",
    "decision",
    "score",
    "reason",
    "matched_with",
    "review_with",
    "source",
    "title",
    "year",
)
REVIEW_COLUMNS = (
    "record_id_a",
    "record_id_b",
    "score",
    "reason",
    "cluster_a",
    "cluster_b",
    "title_a",
    "title_b",
    "authors_a",
    "authors_b",
    "year_a",
    "year_b",
    "journal_a",
    "journal_b",
    "pages_a",
    "pages_b",
    "doi_a",
    "doi_b",
)
STUDY_COLUMNS = (*CANONICAL_COLUMNS, "members", "databases")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument(
        "--out", metavar="CSV", required=True, help="one row per record ('-' for stdout)"
    )
    parser.add_argument(
        "--review", metavar="CSV", help="possible duplicates to check by hand, best first"
    )
    parser.add_argument(
        "--studies", metavar="CSV", help="one merged record per group, with its members"
    )
    parser.add_argument(
        "--links", metavar="CSV", help='"other report" links (erratum, preprint, abstract)'
    )


def cluster_rows(result: DedupeResult) -> list[dict[str, object]]:
    """The --out rows: one per record, in input order."""
    sizes = Counter(result.cluster_of.values())
    review: dict[str, list[str]] = defaultdict(list)
    for pair in result.possible():
        review[pair.a].append(pair.b)
        review[pair.b].append(pair.a)
    rows = []
    for rec in result.records:
        rid = rec.record_id
        cid = result.cluster_of[rid]
        joined = result.joined_by.get(rid)
        if sizes[cid] == 1:
            decision = "unique"
        elif rid == cid:
            decision = "first"
        else:
            decision = "duplicate"
        rows.append(
            {
                "record_id": rid,
                "cluster_id": cid,
                "cluster_size": sizes[cid],
                "decision": decision,
                "score": f"{joined[1]:.3f}" if joined else "",
                "reason": joined[2] if joined else "",
                "matched_with": joined[0] if joined else "",
                "review_with": "; ".join(review.get(rid, [])),
                "source": rec.source_db,
                "title": rec.title,
                "year": "" if rec.year is None else rec.year,
            }
        )
    return rows


def review_rows(result: DedupeResult) -> list[dict[str, object]]:
    """The --review rows: possible pairs across groups, most likely first."""
    by_id = {r.record_id: r for r in result.records}
    rows = []
    for pair in result.possible():
        a, b = by_id[pair.a], by_id[pair.b]
        row: dict[str, object] = {
            "record_id_a": pair.a,
            "record_id_b": pair.b,
            "score": f"{pair.score:.3f}",
            "reason": pair.reason,
            "cluster_a": result.cluster_of[pair.a],
            "cluster_b": result.cluster_of[pair.b],
        }
        for suffix, rec in (("a", a), ("b", b)):
            row.update(_describe(rec, suffix))
        rows.append(row)
    return rows


def _describe(rec: Record, suffix: str) -> dict[str, object]:
    return {
        f"title_{suffix}": rec.title,
        f"authors_{suffix}": "; ".join(rec.authors),
        f"year_{suffix}": "" if rec.year is None else rec.year,
        f"journal_{suffix}": rec.journal,
        f"pages_{suffix}": rec.pages,
        f"doi_{suffix}": rec.doi,
    }


def study_rows(result: DedupeResult) -> list[dict[str, object]]:
    """The --studies rows: the merged record of each group."""
    rows = []
    for study in result.studies():
        row: dict[str, object] = dict(study.record.to_row())
        row["members"] = "; ".join(study.members)
        row["databases"] = "; ".join(study.databases)
        rows.append(row)
    return rows


def run(args: argparse.Namespace) -> int:
    records, _, code = read_inputs(args)
    try:
        result = deduplicate(records)
    except ValueError as exc:  # record ids are made unique by ingest; this is a safeguard
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    outputs = [(args.out, CLUSTER_COLUMNS, cluster_rows)]
    if args.review:
        outputs.append((args.review, REVIEW_COLUMNS, review_rows))
    if args.studies:
        outputs.append((args.studies, STUDY_COLUMNS, study_rows))
    if args.links:
        outputs.append((args.links, ("record_id_a", "record_id_b", "kind", "reason"), link_rows))
    for path, columns, make in outputs:
        try:
            write_csv(path, columns, make(result))
        except OSError as exc:
            print(
                f"error: cannot write {path}: {exc.strerror}; "
                "check the folder exists and you may write to it",
                file=sys.stderr,
            )
            return EXIT_USAGE
    groups = len(set(result.cluster_of.values()))
    possible = len(result.possible())
    print(
        f"dedupe: {len(records)} records, {groups} publications "
        f"({len(records) - groups} duplicates grouped), {possible} pairs to review"
        + ("" if args.review or not possible else " (write them with --review)"),
        file=sys.stderr,
    )
    return EXIT_UNREADABLE if code else EXIT_OK


def link_rows(result: DedupeResult) -> list[dict[str, object]]:
    """The --links rows: records reporting one study without being one publication."""
    return [
        {"record_id_a": link.a, "record_id_b": link.b, "kind": link.kind, "reason": link.reason}
        for link in result.links
    ]
