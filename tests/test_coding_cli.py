"""``python -m lib.cli code``: one coded row per record read, evidence columns, exit codes."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lib.cli import main
from lib.coding import default_codebook_path
from tests.conftest import ROOT

COLUMNS = [
    "record_id", "method", "population", "perspective", "direction", "themes", "setting",
    "country", "peer_role",
]  # fmt: skip
RIS = """TY  - JOUR
ID  - one
TI  - Peer mentoring for women leaving prison: a qualitative study
AB  - Semi-structured interviews with 14 peer mentors in England found improved wellbeing.
KW  - prisons
KW  - Focus groups
ER  -

TY  - JOUR
ID  - two
TI  - A randomised controlled trial of peer education in US jails
AB  - Prisoners were randomly assigned; HIV knowledge improved.
ER  -
"""


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    path = tmp_path / "search.ris"
    path.write_text(RIS, encoding="utf-8")
    return path


def test_one_row_per_record_with_codes_and_evidence(tmp_path: Path, export: Path, capsys) -> None:
    out = tmp_path / "coded.csv"
    assert main(["code", str(export), "--out", str(out)]) == 0
    rows = read(out)
    assert [r["record_id"] for r in rows] == ["one", "two"]
    assert list(rows[0])[: len(COLUMNS)] == COLUMNS
    assert {f"{c}_evidence" for c in COLUMNS[1:]} <= set(rows[0])
    one, two = rows
    assert one["method"] == "qualitative" and "women" in one["population"].split("; ")
    assert one["country"] == "England" and two["country"] == "USA"
    assert "abstract: 'Semi-structured interviews'" in one["method_evidence"]
    assert "keywords: 'Focus groups'" in one["method_evidence"]
    assert two["method"] == "rct" and "jail" in two["setting"].split("; ")
    assert "2 records coded" in capsys.readouterr().err


def test_demo_exports_are_coded_record_by_record(tmp_path: Path) -> None:
    exports = ROOT / "data" / "demo" / "exports"
    if not exports.exists():
        pytest.skip("demo exports absent")
    out = tmp_path / "coded.csv"
    assert main(["code", str(exports), "--out", str(out)]) == 0
    rows = read(out)
    with (ROOT / "data" / "demo" / "truth.csv").open(encoding="utf-8") as fh:
        assert len(rows) == sum(1 for _ in csv.DictReader(fh))  # every record read, once
    assert sum(r["method"] != "unclear" for r in rows) > 0.8 * len(rows)


def test_another_codebook_can_be_given(tmp_path: Path, export: Path) -> None:
    text = default_codebook_path().read_text(encoding="utf-8")
    mine = tmp_path / "mine.yaml"
    england = "  England:\n        rules:\n          - phrases: [England, English]"
    assert england in text
    mine.write_text(text.replace(england, england.replace("England, English", "Albion")))
    out = tmp_path / "coded.csv"
    assert main(["code", str(export), "--codebook", str(mine), "--out", str(out)]) == 0
    assert read(out)[0]["country"] == ""


def test_a_broken_codebook_exits_1_naming_the_rule(tmp_path: Path, export: Path, capsys) -> None:
    text = default_codebook_path().read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("phrases: [Toe by Toe,", "phrase: [Toe by Toe,"), encoding="utf-8")
    out = tmp_path / "coded.csv"
    assert main(["code", str(export), "--codebook", str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "facet 'peer-role', code 'reading-mentor', rule 1" in err and "'phrase'" in err
    assert not out.exists()


def test_an_unreadable_file_exits_2_and_the_rest_is_coded(tmp_path: Path, export: Path) -> None:
    out = tmp_path / "coded.csv"
    assert main(["code", str(export), str(tmp_path / "missing.ris"), "--out", str(out)]) == 2
    assert len(read(out)) == 2


def test_out_is_required_and_stdout_works(export: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["code", str(export)])
    assert info.value.code == 1
    done = subprocess.run(
        [sys.executable, "-m", "lib.cli", "code", str(export), "--out", "-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].startswith(",".join(COLUMNS))


def test_several_processes_give_the_same_rows_in_the_same_order(
    tmp_path: Path, monkeypatch
) -> None:
    from lib.coding import batch

    exports = ROOT / "data" / "demo" / "exports"
    if not exports.exists():
        pytest.skip("demo exports absent")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert main(["code", str(exports), "--out", str(one), "--jobs", "1"]) == 0
    monkeypatch.setattr(batch, "_PARALLEL_FROM", 1)  # workers even for a small batch
    monkeypatch.setattr(batch, "_CHUNK", 7)  # many chunks, to test their order
    assert main(["code", str(exports), "--out", str(two), "--jobs", "2"]) == 0
    assert one.read_bytes() == two.read_bytes()
    assert len(read(one)) == 97  # every record of the five demo exports


def test_jobs_must_be_positive(tmp_path: Path, export: Path, capsys) -> None:
    assert main(["code", str(export), "--out", str(tmp_path / "x.csv"), "--jobs", "0"]) == 1
    assert "--jobs must be 1 or more" in capsys.readouterr().err


def test_records_coded_while_reading_get_the_ids_and_texts_reading_ends_with(
    tmp_path: Path, monkeypatch
) -> None:
    """Workers code records as the reader keeps them; what reading does afterwards (the
    second file's ids renamed to be unique) shows in the rows, same as in one process."""
    from lib.coding import batch

    first, second = tmp_path / "a.ris", tmp_path / "b.ris"
    first.write_text(RIS, encoding="utf-8")
    second.write_text(RIS.replace("US jails", "Norwegian prisons"), encoding="utf-8")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    files = [str(first), str(second)]
    assert main(["code", *files, "--out", str(one), "--jobs", "1"]) == 0
    monkeypatch.setattr(batch, "_PARALLEL_FROM", 1)
    monkeypatch.setattr(batch, "_CHUNK", 1)
    assert main(["code", *files, "--out", str(two), "--jobs", "2"]) == 0
    assert one.read_bytes() == two.read_bytes()
    rows = read(two)
    assert [r["record_id"] for r in rows] == ["one", "two", "one~2", "two~2"]
    assert rows[3]["country"] == "Norway" and rows[1]["country"] == "USA"


def test_a_record_changed_or_dropped_after_it_was_kept_is_coded_as_it_ends(monkeypatch) -> None:
    from lib.coding import batch, code_record, load_codebook
    from lib.model import Record
    from lib.readers.base import ReadResult

    monkeypatch.setattr(batch, "_PARALLEL_FROM", 1)
    monkeypatch.setattr(batch, "_CHUNK", 1)
    codebook = load_codebook(default_codebook_path())
    made = [
        Record(record_id=f"r{i}", title=title, abstract=abstract, keywords=["prisons"])
        for i, (title, abstract) in enumerate(
            [
                ("Peer mentoring for women leaving prison", "Semi-structured interviews."),
                ("A randomised controlled trial in US jails", "HIV knowledge improved."),
                ("Peer support in Canadian prisons", "A survey of 200 prisoners."),
            ]
        )
    ]
    with batch.streaming(codebook, jobs=2) as coder:
        assert coder is not None
        result = ReadResult()
        for record in made:
            result.keep(record)
        made[2].keywords = ["focus groups"]  # changed after it was coded (a relabel)
        made[0].record_id = "renamed"
        final = [made[0], made[2]]  # made[1] dropped after it was kept
        rows = list(coder.rows(final))
    assert [r["record_id"] for r in rows] == ["renamed", "r2"]
    assert rows[1]["method"] == code_record(made[2], codebook).method
    assert "keywords: 'focus groups'" in rows[1]["method_evidence"]
    assert rows == [code_record(r, codebook).to_row() for r in final]


class _real:  # the real chunk coder, for the dying one below
    rows_of = None


def _dies_on_the_third_record(chunk):  # type: ignore[no-untyped-def]
    """A worker's chunk coder that dies as a killed process would (module level: the
    workers get it by name)."""
    if chunk and chunk[0][0].endswith("DEMO0000003"):
        os._exit(9)
    return _real.rows_of(chunk)


def test_a_worker_that_dies_ends_the_command_with_a_message_not_a_hang(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """A coding process killed mid-run (out of memory, say): the pool started another and
    waited for the lost chunk for ever. Now the command stops, says why, writes nothing."""
    from lib.coding import batch

    exports = ROOT / "data" / "demo" / "exports"
    if not exports.exists():
        pytest.skip("demo exports absent")
    monkeypatch.setattr(_real, "rows_of", batch._rows_of)
    monkeypatch.setattr(batch, "_rows_of", _dies_on_the_third_record)
    monkeypatch.setattr(batch, "_PARALLEL_FROM", 1)
    monkeypatch.setattr(batch, "_CHUNK", 1)
    out = tmp_path / "codes.csv"
    done: list[int] = []
    command = ["code", str(exports), "--out", str(out), "--jobs", "2"]
    runner = threading.Thread(target=lambda: done.append(main(command)), daemon=True)
    runner.start()
    runner.join(timeout=120)  # a hang fails here instead of stalling the suite
    assert done == [1], "the command hung on the dead worker"
    assert "a coding process stopped unexpectedly" in capsys.readouterr().err
    assert not out.exists()
