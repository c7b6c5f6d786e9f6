"""Ingest time and peak memory for large RIS, BibTeX, MEDLINE, Web of Science and PubMed
XML files.

Writes seeded synthetic exports (records shaped like real ones: several authors, a ~1,500
character abstract wrapped the way each database wraps it, keywords, DOI, pages) into a
temporary folder, then reads each through `lib.ingest.read_path` (decoding, detection and
reading) in a fresh process, ``--repeat`` times, reporting the median wall time, the
median CPU time (the fairer figure on a shared machine) and the largest peak resident
memory.

    .venv/bin/python bench/ingest_speed.py                      # every format, 10k and 100k
    .venv/bin/python bench/ingest_speed.py --formats ris --sizes 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from synthetic_exports import write_bibtex, write_ris

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "peer support prison listener mentor desistance wellbeing suicide self-harm qualitative "
    "interviews thematic analysis offenders custody rehabilitation programme evaluation "
    "outcomes identity recovery staff culture training volunteers reoffending education"
).split()
FAMILIES = ["Smith", "Jones", "Perrin", "Blagden", "Frost", "Ware", "Müller", "García", "Nguyen"]
GIVEN = ["Anna", "Ben", "Chloé", "David", "Eva", "Farid", "Grace", "Hugo"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _fields(rng: random.Random, i: int) -> dict[str, object]:
    return {
        "title": _sentence(rng, 14),
        "authors": [(rng.choice(FAMILIES), rng.choice(GIVEN)) for _ in range(6)],
        "year": 1990 + i % 35,
        "journal": f"Journal of {rng.choice(WORDS).title()} Studies",
        "volume": str(1 + i % 60),
        "issue": str(1 + i % 6),
        "pages": f"{100 + i % 900}-{110 + i % 900}",
        "doi": f"10.{1000 + i % 9000}/bench.{i}",
        "abstract": " ".join(_sentence(rng, 15) for _ in range(12)),
        "keywords": [rng.choice(WORDS) for _ in range(8)],
    }


def _wrapped(tag: str, value: str, width: int, indent: str) -> list[str]:
    lines = textwrap.wrap(value, width) or [""]
    return [f"{tag}{lines[0]}"] + [f"{indent}{line}" for line in lines[1:]]


def write_medline(path: Path, n: int) -> None:
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            f = _fields(rng, i)
            out = [f"PMID- {30000000 + i}", "OWN - NLM", "STAT- MEDLINE", "IS  - 1234-5678 (Print)"]
            out += [f"VI  - {f['volume']}", f"IP  - {f['issue']}", f"DP  - {f['year']} Mar"]
            out += _wrapped("TI  - ", str(f["title"]), 80, " " * 6)
            out += [f"PG  - {f['pages']}", f"LID - {f['doi']} [doi]"]
            out += _wrapped("AB  - ", str(f["abstract"]), 80, " " * 6)
            for family, given in f["authors"]:  # type: ignore[attr-defined]
                out += [f"FAU - {family}, {given}", f"AU  - {family} {given[0]}"]
                out += ["AD  - Department of Criminology, University of Somewhere, UK."]
            out += ["LA  - eng", "PT  - Journal Article", f"JT  - {f['journal']}"]
            out += [f"MH  - {k}" for k in f["keywords"]]  # type: ignore[attr-defined]
            out += ["EDAT- 2020/01/01 06:00", f"AID - {f['doi']} [doi]", "PST - ppublish"]
            out += [f"SO  - J. {f['year']};{f['volume']}({f['issue']}):{f['pages']}.", ""]
            fh.write("\n".join(out) + "\n")


def write_wos(path: Path, n: int) -> None:
    rng = random.Random(2)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("FN Clarivate Analytics Web of Science\nVR 1.0\n")
        for i in range(n):
            f = _fields(rng, i)
            names = f["authors"]  # type: ignore[assignment]
            out = ["PT J"]
            out += [("AU " if k == 0 else "   ") + f"{a}, {b[0]}" for k, (a, b) in enumerate(names)]
            out += [("AF " if k == 0 else "   ") + f"{a}, {b}" for k, (a, b) in enumerate(names)]
            out += _wrapped("TI ", str(f["title"]), 70, "   ")
            out += [f"SO {str(f['journal']).upper()}", "LA English", "DT Article"]
            out += _wrapped("DE ", "; ".join(f["keywords"]), 70, "   ")  # type: ignore[arg-type]
            out += _wrapped("AB ", str(f["abstract"]), 70, "   ")
            out += ["C1 [Smith, A] Univ Somewhere, Dept Criminol, Somewhere, England.", "TC 3"]
            first, last = str(f["pages"]).split("-")
            out += [f"PY {f['year']}", f"VL {f['volume']}", f"IS {f['issue']}"]
            out += [f"BP {first}", f"EP {last}", f"DI {f['doi']}", f"UT WOS:{i:015d}", "ER", ""]
            fh.write("\n".join(out) + "\n")
        fh.write("EF\n")


def write_pubmed_xml(path: Path, n: int) -> None:
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" ?>\n<PubmedArticleSet>\n')
        for i in range(n):
            f = _fields(rng, i)
            authors = "".join(
                f"<Author><LastName>{a}</LastName><ForeName>{b}</ForeName></Author>"
                for a, b in f["authors"]  # type: ignore[attr-defined]
            )
            mesh = "".join(
                f"<MeshHeading><DescriptorName>{k}</DescriptorName></MeshHeading>"
                for k in f["keywords"]  # type: ignore[attr-defined]
            )
            fh.write(
                f"<PubmedArticle>\n<MedlineCitation><PMID>{30000000 + i}</PMID><Article>"
                f"<Journal><JournalIssue><Volume>{f['volume']}</Volume><Issue>{f['issue']}"
                f"</Issue><PubDate><Year>{f['year']}</Year></PubDate></JournalIssue>"
                f"<Title>{f['journal']}</Title></Journal>\n<ArticleTitle>{f['title']}"
                f"</ArticleTitle><Pagination><MedlinePgn>{f['pages']}</MedlinePgn></Pagination>"
                f'<ELocationID EIdType="doi">{f["doi"]}</ELocationID>\n<Abstract><AbstractText>'
                f"{f['abstract']}</AbstractText></Abstract><AuthorList>{authors}</AuthorList>"
                "<Language>eng</Language><PublicationTypeList><PublicationType>Journal Article"
                f"</PublicationType></PublicationTypeList></Article><MeshHeadingList>{mesh}"
                "</MeshHeadingList></MedlineCitation></PubmedArticle>\n"
            )
        fh.write("</PubmedArticleSet>\n")


WRITERS = {
    "ris": write_ris,
    "bibtex": write_bibtex,
    "medline": write_medline,
    "wos": write_wos,
    "pubmed-xml": write_pubmed_xml,
}

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from lib.ingest import read_path
from lib.readers.base import ReadError
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
start, cpu0 = time.perf_counter(), cpu()
try:
    read = read_path({path!r})
except ReadError as exc:
    print(json.dumps({{"error": exc.message()}}))
    raise SystemExit(0)
seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"format": read.report.format, "read": read.report.records_read,
                  "skipped": read.report.records_skipped, "seconds": seconds,
                  "cpu": cpu_seconds, "peak_mib": peak}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=list(WRITERS), choices=list(WRITERS))
    parser.add_argument("--repeat", type=int, default=3, help="runs per file (median shown)")
    args = parser.parse_args()
    print("| format | records | file MB | read | skipped | wall s | CPU s | peak MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats:
            for n in args.sizes:
                path = Path(tmp) / f"{fmt}-{n}.txt"
                WRITERS[fmt](path, n)
                code = _CHILD.format(root=str(ROOT), path=str(path))
                runs = []
                for _ in range(args.repeat):
                    out = subprocess.run(
                        [sys.executable, "-c", code], capture_output=True, text=True, check=True
                    )
                    runs.append(json.loads(out.stdout))
                m = runs[0]
                size = path.stat().st_size / 1e6
                if "error" in m:
                    print(f"| {fmt} | {n:,} | {size:.0f} | not read: {m['error']} |")
                else:
                    wall = statistics.median(r["seconds"] for r in runs)
                    cpu = statistics.median(r["cpu"] for r in runs)
                    peak = max(r["peak_mib"] for r in runs)
                    print(
                        f"| {m['format']} | {n:,} | {size:.0f} | {m['read']:,} | {m['skipped']} "
                        f"| {wall:.1f} | {cpu:.1f} | {peak:.0f} |",
                        flush=True,
                    )
                path.unlink()


if __name__ == "__main__":
    main()
