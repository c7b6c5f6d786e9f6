"""`python -m lib.cli simulate LABELLED --out order.csv [--seed N]`: the contract.

Every record once, in the screener's order, as ``record_id,rank,label_included``; the seed's
included and excluded starting records at ranks 1 and 2; the app's own ranking (relevant
records come early); clear messages and exit codes for files it cannot use."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lib.cli import main
from lib.screening.ranking import DEFAULT, document_text
from lib.screening.simulation import figures, pick_priors
from tests.conftest import ROOT, shared_path

ON_TOPIC = "peer support prison listeners mentors inmates suicide custody wellbeing".split()
OFF_TOPIC = (
    "cardiac surgery soil bacteria climate rainfall turbine voltage enzyme kinetics "
    "galaxy telescope wheat yield bridge concrete"
).split()


def labelled_csv(path: Path, n: int = 120, relevant: int = 12, seed: int = 7) -> Path:
    """A labelled export of ``n`` records: the relevant ones talk about peer support in
    prison, the others about anything else (a few share a word or two)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "title", "abstract", "authors", "year", "label_included"])
        for i in range(n):
            label = int(i % (n // relevant) == 0)
            words = ON_TOPIC if label else OFF_TOPIC
            title = " ".join(rng.choice(words) for _ in range(6)).capitalize()
            body = [rng.choice(words) for _ in range(40)] + [rng.choice(OFF_TOPIC + ON_TOPIC)]
            writer.writerow(
                [f"r{i}", title, " ".join(body), f"Author{i}, A.", 2000 + i % 20, label]
            )
    return path


def read_order(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_record_once_in_order_with_the_seeds_priors_first(tmp_path: Path) -> None:
    source = labelled_csv(tmp_path / "labelled.csv")
    out = tmp_path / "order.csv"
    assert main(["simulate", str(source), "--out", str(out), "--seed", "3"]) == 0
    rows = read_order(out)
    assert list(rows[0]) == ["record_id", "rank", "label_included"]
    assert [int(r["rank"]) for r in rows] == list(range(1, 121))
    assert sorted(r["record_id"] for r in rows) == sorted(f"r{i}" for i in range(120))
    assert [r["label_included"] for r in rows[:2]] == ["1", "0"]
    labels = np.array([int(i % 10 == 0) for i in range(120)], dtype=np.int8)
    first, second = pick_priors(labels, 3)
    assert [rows[0]["record_id"], rows[1]["record_id"]] == [f"r{first}", f"r{second}"]
    # relevant records come first: all 12 within the first 20
    assert sum(int(r["label_included"]) for r in rows[:20]) == 12
    again = tmp_path / "again.csv"
    main(["simulate", str(source), "--out", str(again), "--seed", "3"])
    assert read_order(again) == rows  # a seed gives one order
    other = tmp_path / "other.csv"
    main(["simulate", str(source), "--out", str(other), "--seed", "4"])
    assert read_order(other)[:2] != rows[:2]


def test_the_third_record_is_the_apps_ranking_after_the_priors(tmp_path: Path) -> None:
    source = labelled_csv(tmp_path / "labelled.csv", seed=11)
    out = tmp_path / "order.csv"
    main(["simulate", str(source), "--out", str(out), "--seed", "0"])
    with source.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    texts = [document_text(r["title"], r["abstract"]) for r in records]
    labels = np.array([int(r["label_included"]) for r in records], dtype=np.int8)
    priors = np.array(pick_priors(labels, 0))
    scores = DEFAULT.scores(DEFAULT.features(texts), priors, labels[priors])
    scores[priors] = -np.inf
    assert read_order(out)[2]["record_id"] == records[int(np.argmax(scores))]["record_id"]


def test_bibtex_with_a_label_field_is_read_too(tmp_path: Path) -> None:
    entries = []
    for i in range(30):
        topic = ON_TOPIC if i % 5 == 0 else OFF_TOPIC
        title = " ".join(topic[(i + j) % len(topic)] for j in range(5))
        entries.append(
            f"@article{{k{i},\n  title = {{{title}}},\n  author = {{Author{i}, A.}},\n"
            f"  year = {{2020}},\n  label_included = {{{int(i % 5 == 0)}}}\n}}\n"
        )
    source = tmp_path / "labelled.bib"
    source.write_text("\n".join(entries), encoding="utf-8")
    out = tmp_path / "order.csv"
    assert main(["simulate", str(source), "--out", str(out)]) == 0
    assert len(read_order(out)) == 30


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("record_id,title\nr1,A\nr2,B\n", "no label_included column"),
        (
            "record_id,title,label_included\nr1,A,1\nr2,B,yes\nr3,C,\n",
            "line 3 (r2): label_included is 'yes'",
        ),
        (
            "record_id,title,label_included\nr1,A,1\nr2,B,1\n",
            "at least one included and one excluded",
        ),
    ],
)
def test_files_it_cannot_simulate_get_a_message_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "order.csv"
    assert main(["simulate", str(source), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert message in err and "bad.csv" in err
    assert not out.exists()


def test_an_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "missing.csv" in capsys.readouterr().err


def test_as_a_whole_process(tmp_path: Path) -> None:
    source = labelled_csv(tmp_path / "labelled.csv", n=60, relevant=6)
    done = subprocess.run(
        [sys.executable, "-m", "lib.cli", "simulate", str(source), "--out", "-", "--seed", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "record_id,rank,label_included"
    assert len(done.stdout.splitlines()) == 61 and "WSS@95" in done.stderr


@pytest.mark.slow
def test_on_a_real_labelled_set_relevant_records_come_far_earlier_than_at_random(
    tmp_path: Path,
) -> None:
    source = shared_path("benchmarks", "screening", "kwok_2020_virus_metagenomics", "records.csv")
    out = tmp_path / "order.csv"
    assert main(["simulate", str(source), "--out", str(out), "--seed", "0"]) == 0
    rows = read_order(out)
    labels = np.array([int(r["label_included"]) for r in rows], dtype=np.int8)
    scored = figures(np.arange(len(rows)), labels)
    assert scored.wss95 > 0.6  # random order gives about 0: the README's baseline is 0.661
    assert scored.recall10 > 0.6
