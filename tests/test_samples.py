"""Every real export in ../shared/samples reads with the manifest's exact record count.

Each sample stands for a family of exports users bring (a BOM, stray lines, a banner row,
CRLF, odd field names); the per-format tests check the quirks one by one.
"""

from __future__ import annotations

import pytest

from lib.ingest import read_path
from tests.conftest import SHARED, sample_manifest

MANIFEST = sample_manifest()


@pytest.mark.skipif(not MANIFEST, reason="../shared/samples is absent")
@pytest.mark.parametrize("row", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_sample_reads_with_exact_count(row: dict[str, str]) -> None:
    read = read_path(SHARED / "samples" / row["file"])
    report = read.report
    assert report.records_read == int(row["records"]), "\n".join(report.lines())
    assert report.records_skipped == 0, "\n".join(report.lines())
    ids = [r.record_id for r in read.records]
    assert len(set(ids)) == len(ids)
    assert all(r.title or r.doi for r in read.records)
    with_abstract = sum(1 for r in read.records if r.abstract)
    if row["has_abstracts"] == "yes":
        assert with_abstract > 0
