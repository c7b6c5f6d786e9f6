"""``python -m lib.cli dedupe``: one row per record with its group, review pairs apart,
exit codes as for ``ingest``."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from lib.cli import main

DATA = Path(__file__).parent / "data" / "dedupe"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "dedupe"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_writes_one_row_per_record_with_its_group(tmp_path: Path, capsys) -> None:
    out = tmp_path / "clusters.csv"
    assert main(["dedupe", str(DATA / "traps.csv"), "--out", str(out)]) == 0
    rows = _read(out)
    assert [r["record_id"] for r in rows][:4] == ["a1", "a2", "a3", "a4"]
    by_id = {r["record_id"]: r for r in rows}
    assert {by_id[r]["cluster_id"] for r in ("a1", "a2", "a3", "a4")} == {"a1"}
    assert by_id["a1"]["decision"] == "first" and by_id["a2"]["decision"] == "duplicate"
    assert by_id["b1"]["decision"] == "unique" and by_id["b1"]["cluster_id"] == "b1"
    assert "same DOI" in by_id["a2"]["reason"]
    assert "pairs to review" in capsys.readouterr().err


def test_possible_pairs_are_not_merged_but_written_for_review(tmp_path: Path) -> None:
    out, review = tmp_path / "clusters.csv", tmp_path / "pairs.csv"
    assert (
        main(["dedupe", str(DATA / "traps.csv"), "--out", str(out), "--review", str(review)]) == 0
    )
    by_id = {r["record_id"]: r for r in _read(out)}
    assert by_id["j1"]["cluster_id"] != by_id["j3"]["cluster_id"]
    pairs = _read(review)
    row = next(p for p in pairs if {p["record_id_a"], p["record_id_b"]} == {"j1", "j3"})
    assert "first page 10 vs 200" in row["reason"] and float(row["score"]) > 0
    assert row["title_a"] == row["title_b"]


def test_studies_and_links_outputs(tmp_path: Path) -> None:
    studies, links = tmp_path / "studies.csv", tmp_path / "links.csv"
    args = ["dedupe", str(DATA / "traps.csv"), "--out", str(tmp_path / "c.csv")]
    assert main([*args, "--studies", str(studies), "--links", str(links)]) == 0
    merged = {r["record_id"]: r for r in _read(studies)}
    assert merged["a1"]["members"] == "a1; a2; a3; a4"
    assert merged["a1"]["doi"] == "10.1080/10509674.2019.1234567"
    assert any(r["reason"] == "erratum notice of the paper" for r in _read(links))


def test_an_unreadable_file_exits_2_and_the_others_are_still_done(tmp_path: Path, capsys) -> None:
    out = tmp_path / "clusters.csv"
    code = main(
        ["dedupe", str(tmp_path / "missing.ris"), str(DATA / "traps.csv"), "--out", str(out)]
    )
    assert code == 2
    assert "missing.ris: no such file" in capsys.readouterr().err
    with (DATA / "traps.csv").open(encoding="utf-8") as fh:
        n_records = len(list(csv.DictReader(fh)))
    assert len(_read(out)) == n_records


def test_an_unwritable_output_exits_1(tmp_path: Path, capsys) -> None:
    code = main(["dedupe", str(DATA / "traps.csv"), "--out", str(tmp_path / "no" / "c.csv")])
    assert code == 1
    assert "cannot write" in capsys.readouterr().err


def test_out_is_required(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["dedupe", str(DATA / "traps.csv")])
    assert stop.value.code == 1


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared benchmark sets not present")
def test_reads_the_shared_benchmark_files(tmp_path: Path) -> None:
    source = SHARED / "bibdedupe_special_cases" / "records.csv"
    out = tmp_path / "clusters.csv"
    assert main(["dedupe", str(source), "--out", str(out)]) == 0
    truth = {r["record_id"]: r["group_id"] for r in _read(source)}
    got = {r["record_id"]: r["cluster_id"] for r in _read(out)}
    assert got.keys() == truth.keys()
    for a in truth:
        for b in truth:
            assert (got[a] == got[b]) == (truth[a] == truth[b])


def test_only_the_command_run_is_imported() -> None:
    # Start-up time: `dedupe` must not pay for the coder's imports (nor pandas).
    code = (
        "import sys; from lib.cli import build_parser; "
        "build_parser(['dedupe', 'x.csv', '--out', '-']); "
        "print('lib.commands.code' in sys.modules, 'pandas' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert done.stdout.split() == ["False", "False"]


def test_the_main_help_still_lists_every_command(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ("ingest", "dedupe", "code"))
    assert "group the records that are one publication" in listed
