"""The whole PRISMA 2020 flow from a project's own decisions: numbers, labels inside their
boxes, and the CSV, SVG and PNG files on the Overview and Export pages."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFont

from lib.ingest import read_bytes
from lib.project import duplicates, open_project
from lib.screening import decisions as dec
from lib.screening.prisma import ScreeningFlow, flow_counts, not_retrieved
from lib.views import prisma
from lib.views.flow import PAD, SLACK, text_width
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    app_home,
    demo_project,
    demo_template,
    errors,
    open_page,
)

SVG = "{http://www.w3.org/2000/svg}"


def _csv(rows: list[str]) -> bytes:
    return ("record_id,title,authors,year,doi\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture()
def project(tmp_path: Path):
    """14 records: s0-s11 from Scopus, and s0 and s1 again from PubMed (duplicates); s2
    and s3 are two reports of one study (linked by the reviewer)."""
    topics = ["peer mentoring", "prison libraries", "sleep in shift work", "school meals",
              "urban cycling", "river flooding", "bee decline", "tax compliance",
              "coral bleaching", "remote teaching", "soil carbon", "hospital noise"]  # fmt: skip
    scopus = [
        f"s{i},A randomised trial of {t} in {2000 + i},Author{i} A,{2000 + i},10.1/s{i}"
        for i, t in enumerate(topics)
    ]
    pubmed = [
        f"p{i},A randomised trial of {topics[i]} in {2000 + i},Author{i} A,{2000 + i},10.1/s{i}"
        for i in (0, 1)
    ]
    with open_project(tmp_path / "review.sqlite") as opened:
        opened.add_import(read_bytes(_csv(scopus), "scopus.csv", database="Scopus"))
        opened.add_import(read_bytes(_csv(pubmed), "pubmed.csv", database="PubMed"))
        duplicates.refresh(opened)
        duplicates.decide(opened, "other-report", ["s2", "s3"], note="same trial")
        duplicates.refresh(opened)
        yield opened


def screen(project) -> None:
    """Title/abstract: s0-s5 included, s6-s8 excluded, s9 maybe, s10-s11 not screened.
    Full text: s0 included, s1 excluded (wrong design), s2 and s3 (one study) included,
    s4 not retrieved, s5 not assessed yet."""
    for study in ("s0", "s1", "s2", "s3", "s4", "s5"):
        dec.decide(project, study, "include")
    for study in ("s6", "s7", "s8"):
        dec.decide(project, study, "exclude", reason="Wrong setting")
    dec.decide(project, "s9", "maybe")
    full = "full-text"
    dec.decide(project, "s0", "include", stage=full)
    dec.decide(project, "s1", "exclude", stage=full, reason="Wrong study design")
    dec.decide(project, "s2", "include", stage=full)
    dec.decide(project, "s3", "include", stage=full)
    dec.decide(project, "s4", "exclude", stage=full, reason="Full text not available")


def test_the_flow_counts_every_box_from_the_decisions(project) -> None:
    counts = duplicates.prisma_counts(project)
    assert (counts["records_identified"], counts["duplicates_removed"]) == (14, 2)
    assert flow_counts(project).started is False
    screen(project)
    s = flow_counts(project)
    assert (s.records, s.records_screened, s.awaiting_screening) == (12, 10, 2)
    assert (s.records_excluded, s.undecided) == (3, 1)
    assert (s.reports_sought, s.reports_not_retrieved) == (6, 1)
    assert (s.reports_assessed, s.awaiting_full_text) == (4, 1)
    assert s.excluded_full_text == {"Wrong study design": 1} and s.reports_excluded == 1
    assert (s.studies_included, s.reports_of_included) == (2, 3)  # s2 and s3: one study
    # the boxes add up as the flow diagram draws them
    assert s.records_screened == s.records_excluded + s.undecided + s.reports_sought
    assert s.reports_sought == (s.reports_not_retrieved + s.reports_assessed + s.awaiting_full_text)
    flow = prisma.project_flow(project)
    rows = dict(zip(prisma.prisma_table(flow)["detail"], prisma.prisma_table(flow)["n"],
                    strict=True))  # fmt: skip
    assert rows["Records identified from Scopus"] == 12
    assert rows["Records identified from PubMed"] == 2
    assert rows["Records screened"] == 10 and rows["Records excluded"] == 3
    assert rows["Reports excluded: Wrong study design"] == 1
    assert rows["Studies included in review"] == 2
    assert rows["Reports of included studies"] == 3
    dec.undo(project, dec.last_decision(project).decision_id)  # counts follow an undo
    after = flow_counts(project)
    assert (after.reports_not_retrieved, after.awaiting_full_text) == (0, 2)


def test_before_any_decision_the_flow_says_so_rather_than_zeros(project) -> None:
    flow = prisma.project_flow(project)
    table = prisma.prisma_table(flow)
    assert list(table["stage"]).count("Screening") == 1
    assert "not screened yet" in table["detail"].iloc[-1]
    assert table["n"].iloc[-1] == 12
    text = " ".join(ElementTree.fromstring(prisma.prisma_svg(flow)).itertext())
    assert "Not screened yet" in text and "Records to screen (n = 12)" in text
    assert "Records excluded" not in text and "Studies included" not in text


def test_before_any_decision_the_counted_flow_equals_the_walked_one(project) -> None:
    """A project nobody screened yet is counted without reading every record's group (a
    cold start's Overview): the count must be what walking the studies gives."""
    from lib.screening.queue import current

    counted = flow_counts(project)
    walked = flow_counts(project, current(project))
    assert counted == walked
    assert counted.records == 12 and not counted.started


def test_a_full_text_exclusion_for_a_missing_report_counts_as_not_retrieved() -> None:
    assert not_retrieved("Full text not available")
    assert not_retrieved("Report could not be retrieved")
    assert not_retrieved("no full-text")
    assert not not_retrieved("Wrong population")
    assert not not_retrieved("Retrieved, wrong outcome")


def test_counts_that_disagree_with_identification_are_refused() -> None:
    counts = {"identified": {"Scopus": 10}, "duplicates_removed": 2, "studies": 8}
    with pytest.raises(ValueError, match="9 records counted for screening but 8 left"):
        prisma.full_flow(counts, ScreeningFlow(records=9))


# -- every label inside its box ----------------------------------------------------------------
LONG_DB = "Web of Science Core Collection (Science Citation Index Expanded, 1900-present)"
LONG_REASON = (
    "Wrong population: participants were not people in prison or on probation but "
    "staff, volunteers or visitors, which the protocol excludes"
)


def big_flow(n_reasons: int) -> prisma.Flow:
    reasons = {LONG_REASON: 7, "Supercalifragilisticexpialidocious-unbroken-word-" * 3: 2}
    reasons |= {f"Reason number {i} with some words": 1 for i in range(n_reasons)}
    identified = {LONG_DB: 12_000, "PubMed": 9_000, "Ovid MEDLINE(R) ALL 1946 to present": 4_000}
    screening = ScreeningFlow(
        records=20_000, records_screened=19_000, records_excluded=18_000, undecided=100,
        reports_sought=900, reports_not_retrieved=20, reports_assessed=800,
        awaiting_full_text=80, excluded_full_text=reasons, studies_included=300,
        reports_of_included=320, decisions=20_000,
    )  # fmt: skip
    return prisma.full_flow(
        {"identified": identified, "duplicates_removed": 5_000, "studies": 19_000}, screening
    )


def boxes_and_lines(svg: str):
    """Each box (x, y, w, h) with the lines of text drawn inside it (text, bold)."""
    root = ElementTree.fromstring(svg)
    rects = [
        tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
        for r in root.findall(f"{SVG}rect")
        if r.get("width") != "100%" and r.get("fill") != "#DCE6F2"  # not the phase bands
    ]
    out: dict[tuple[float, ...], list[tuple[str, bool]]] = {r: [] for r in rects}
    for t in root.findall(f"{SVG}text"):
        x, y = float(t.get("x")), float(t.get("y"))
        [box] = [r for r in rects if r[0] <= x <= r[0] + r[2] and r[1] <= y <= r[1] + r[3]]
        out[box].append((t.text or "", t.get("font-weight") == "bold"))
    return out


def _font(bold: bool) -> ImageFont.FreeTypeFont | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"):
        if (Path(folder) / name).exists():
            return ImageFont.truetype(str(Path(folder) / name), 13)
    return None


@pytest.mark.parametrize("n_reasons", [0, 3, 40])
def test_every_line_fits_its_box_even_in_a_wider_font(n_reasons: int) -> None:
    """Each line, measured in Helvetica with room for a 22% wider font, is within its box's
    padding; measured in DejaVu Sans (the widest common fallback, when installed), it is
    within the box: a viewer that ignores textLength still keeps it inside."""
    svg = prisma.prisma_svg(big_flow(n_reasons))
    laid = boxes_and_lines(svg)
    assert sum(len(lines) for lines in laid.values()) > 20 + n_reasons
    drawn = " ".join(text for lines in laid.values() for text, _ in lines)
    assert "Web of Science" in drawn and "(n = 7)" in drawn and "Included" not in drawn
    for (_, _, width, _), lines in laid.items():
        for text, bold in lines:
            assert text_width(text, bold=bold) * SLACK <= width - 2 * PAD + 0.5, text
            font = _font(bold)
            if font is not None:
                assert font.getlength(text) <= width, text
    text = " ".join(ElementTree.fromstring(svg).itertext())
    for phrase in ("Records screened (n = 19,000)", "Reports not retrieved (n = 20)",
                   "Reports of included studies (n = 320)", "Reason number"):  # fmt: skip
        assert phrase in text or n_reasons == 0


def test_the_png_is_the_diagram_at_twice_its_size() -> None:
    svg = prisma.prisma_svg(big_flow(3))
    root = ElementTree.fromstring(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    image = Image.open(io.BytesIO(prisma.prisma_png(svg)))
    assert image.format == "PNG"
    assert image.size == (round(width * 2), round(height * 2))
    grey = image.convert("L")
    dark = sum(grey.histogram()[:100])
    assert dark > 5_000  # boxes, arrows and text are drawn, not a blank page


# -- on the pages --------------------------------------------------------------------------------
@pytest.fixture()
def offered(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:
    """label -> the arguments of every download button a page draws (its file and name)."""
    from streamlit.delta_generator import DeltaGenerator

    seen: dict[str, dict] = {}
    original = DeltaGenerator.download_button

    def spy(self, label, data=None, file_name=None, mime=None, **kwargs):
        seen[label] = {"data": data, "file_name": file_name, "mime": mime}
        return original(self, label, data=data, file_name=file_name, mime=mime, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    return seen


@pytest.mark.parametrize("page", ["app_pages/0_Overview.py", "app_pages/9_Export.py"])
def test_the_pages_show_the_whole_flow_and_offer_csv_svg_and_png(
    demo_project: Path,  # noqa: F811
    page: str,
    offered: dict[str, dict],
) -> None:
    from lib.screening.queue import current

    with open_project(demo_project) as project:
        table = prisma.prisma_table(prisma.project_flow(project))
        assert "Records not screened yet (no screening decision made)" in set(table["detail"])
        group_of = duplicates.members_of(project)
        members = current(project).studies.members
        # studies of one report each (a study of two reports counts as two records)
        units = [u for u, ids in members.items() if len({group_of[r] for r in ids}) == 1]
        dec.decide(project, units[0], "include")
        dec.decide(project, units[1], "exclude")
        dec.decide(project, units[0], "exclude", stage="full-text", reason="Wrong outcome")
        stem = prisma.prisma_file_name(project.meta("name"), "")
    at = open_page(demo_project, page)
    assert not errors(at)
    if at.dataframe and any("detail" in d.value for d in at.dataframe):  # Export: a grid
        shown = next(d.value for d in at.dataframe if "detail" in d.value)
        rows = dict(zip(shown["detail"], shown["n"], strict=True))
    else:  # Overview: a Markdown table (no data grid to load on a cold start)
        table = next(m.value for m in at.markdown if m.value.startswith("| stage | detail"))
        cells = [line.strip("|").split(" | ") for line in table.splitlines()[2:]]
        # escape_markdown's backslashes and zero-width breaks are display only
        unescape = {ord("\\"): None, ord("\u200b"): None}
        rows = {detail.strip().translate(unescape): int(n) for _, detail, n in cells}
    assert rows["Records screened"] == 2 and rows["Records excluded"] == 1
    assert rows["Reports excluded: Wrong outcome"] == 1
    assert {"PRISMA counts (CSV)", "PRISMA diagram (SVG)", "PRISMA diagram (PNG)"} <= set(offered)
    made = {label: args for label, args in offered.items() if "PRISMA" in label}
    files = {args["file_name"]: args for args in made.values()}
    assert set(files) == {f"{stem}csv", f"{stem}svg", f"{stem}png"}
    assert stem.startswith("demo")  # named for the project
    the_csv = files[f"{stem}csv"]["data"].decode("utf-8-sig")
    assert "Reports excluded: Wrong outcome,1" in the_csv
    svg = files[f"{stem}svg"]["data"]
    assert "Records screened (n = 2)" in " ".join(ElementTree.fromstring(svg).itertext())
    png = files[f"{stem}png"]["data"]()  # made when clicked
    width = float(ElementTree.fromstring(svg).get("width"))
    assert Image.open(io.BytesIO(png)).size[0] == round(width * 2)


def test_the_csv_of_the_whole_flow_is_the_table(project) -> None:
    screen(project)
    flow = prisma.project_flow(project)
    rows = list(csv.reader(io.StringIO(prisma.prisma_csv(flow).decode("utf-8-sig"))))
    assert rows[0] == ["stage", "detail", "n"]
    assert ["Included", "Studies included in review", "2"] in rows
    assert ["Screening", "Reports not retrieved", "1"] in rows


def test_the_excel_export_carries_the_prisma_counts(project) -> None:
    from python_calamine import CalamineWorkbook

    from lib.pipeline import refresh
    from lib.views.exports import export_file
    from lib.views.studies import study_table

    refresh(project)
    screen(project)
    data = export_file(str(project.path), study_table(project), "study", "xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names[0] == "Studies" and "PRISMA" in book.sheet_names
    rows = book.get_sheet_by_name("PRISMA").to_python()
    assert rows[0] == ["stage", "detail", "n"]
    assert ["Included", "Studies included in review", 2] in [list(r) for r in rows]
    assert ["Screening", "Reports excluded: Wrong study design", 1] in [list(r) for r in rows]


# -- any sequence of decisions -------------------------------------------------------------------

_REASONS = ["Wrong setting", "Full text not available", "Wrong outcome"]
steps = st.lists(
    st.one_of(
        st.tuples(
            st.integers(0, 5),
            st.sampled_from(["title-abstract", "full-text"]),
            st.sampled_from(["include", "exclude", "maybe"]),
            st.sampled_from(_REASONS),
        ),
        st.just("undo"),
    ),
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps)
def test_the_boxes_add_up_after_any_decisions(tmp_path_factory, sequence) -> None:
    path = tmp_path_factory.mktemp("seq") / "review.sqlite"
    rows = [f"r{i},Title number {i} about topic {i * 7},Author{i} B,{1990 + i}," for i in range(6)]
    with open_project(path) as project:
        project.add_import(read_bytes(_csv(rows), "s.csv", database="Scopus"))
        duplicates.refresh(project)
        made = []
        for step in sequence:
            if step == "undo":
                if made:
                    dec.undo(project, made.pop())
                continue
            i, stage, verdict, reason = step
            made.append(dec.decide(project, f"r{i}", verdict, stage=stage, reason=reason))
        s = flow_counts(project)
        assert s.records == 6 == s.records_screened + s.awaiting_screening
        assert s.records_screened == s.records_excluded + s.undecided + s.reports_sought
        assert s.reports_sought == (
            s.reports_not_retrieved + s.reports_assessed + s.awaiting_full_text
        )
        assert s.reports_assessed == s.reports_of_included + s.reports_excluded
        assert s.studies_included == s.reports_of_included  # no linked reports here
        assert "Full text not available" not in s.excluded_full_text
        assert s.started == bool(made)
        table = prisma.prisma_table(prisma.project_flow(project))
        assert (table["n"] >= 0).all()
