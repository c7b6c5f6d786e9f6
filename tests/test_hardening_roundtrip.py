"""Round trip: a project exported as a bundle and imported into a fresh file has the same
studies, groups, links, decisions, codes, overrides, checks, codebook and log.

The project is the demo corpus (data/demo/exports, imported with their database labels),
with a reviewer's work on top: duplicate decisions of every kind (one undone), coding
overrides (one undone), checked marks, and an edited codebook saved in the project.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lib.coding import default_codebook_path
from lib.demo import build_demo_project
from lib.project import ProjectError, coding, duplicates, open_project
from lib.project.bundle import BUNDLE_VERSION, BundleError, export_bundle, import_bundle
from lib.project.store import Project
from lib.views.studies import study_table


def _reviewer_work(project: Project) -> None:
    """Decisions, overrides, checks and a codebook edit, as a reviewer would make them."""
    members = duplicates.members(project)
    groups = sorted(members.values(), key=lambda ids: (-len(ids), ids[0]))
    big = [ids for ids in groups if len(ids) >= 2]
    single = [ids[0] for ids in groups if len(ids) == 1]
    assert len(big) >= 3 and len(single) >= 6, "the demo corpus changed shape"
    duplicates.decide(project, "split", [big[0][-1]], note="a different report")
    duplicates.decide(project, "different", big[1][:2], note="not one publication")
    duplicates.decide(project, "same", single[:2], note="same paper, typo in title")
    duplicates.decide(project, "other-report", single[2:4], note="preprint and article")
    mistake = duplicates.decide(project, "same", single[4:6], note="to be undone")
    duplicates.undo(project, mistake)
    # a codebook edit saved in the project (a comment changes its text and fingerprint)
    text = default_codebook_path().read_text(encoding="utf-8")
    coding.save_codebook(project, text + "\n# edited by the reviewer\n", note="comment")
    coding.refresh(project)
    studies = coding.effective_codes(project)["study_id"].tolist()
    coding.set_override(project, studies[0], "method", ["qualitative"], note="interviews")
    coding.set_override(project, studies[1], "population", ["women", "young-people"])
    coding.set_override(project, studies[2], "method", ["rct"])
    coding.undo_override(project, studies[2], "method")
    coding.set_checked(project, studies[0], True)
    coding.set_checked(project, studies[1], True)
    coding.set_checked(project, studies[1], False)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = build_demo_project(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    _reviewer_work(project)
    duplicates.refresh(project)
    coding.refresh(project)
    yield project
    project.close()


@pytest.fixture(scope="module")
def bundle(original: Project) -> bytes:
    return export_bundle(original)


@pytest.fixture(scope="module")
def copy(bundle: bytes, tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = import_bundle(bundle, tmp_path_factory.mktemp("copy") / "copy.sqlite")
    yield project
    project.close()


def test_bundle_is_json_with_versions_and_every_durable_table(bundle: bytes) -> None:
    doc = json.loads(bundle)
    assert doc["bundle_version"] == BUNDLE_VERSION and doc["schema_version"] >= 1
    assert len(doc["imports"]) == 5 and doc["imports"][0]["report"]["records_read"] > 0
    assert all(isinstance(r["original"], dict) and r["original"] for r in doc["records"])
    assert len(doc["dedupe_decisions"]) == 5
    assert len(doc["code_overrides"]) == 3 and len(doc["codebooks"]) == 1
    assert doc["meta"]["name"].startswith("Demo")


def test_same_records_and_imports(original: Project, copy: Project) -> None:
    assert copy.records() == original.records()
    assert copy.imports() == original.imports()
    assert copy.meta("name") == original.meta("name")


def test_same_decisions_groups_and_links(original: Project, copy: Project) -> None:
    assert duplicates.decisions(copy, include_undone=True) == duplicates.decisions(
        original, include_undone=True
    )
    pd.testing.assert_frame_equal(duplicates.groups(copy), duplicates.groups(original))
    assert duplicates.links(copy) == duplicates.links(original)
    assert duplicates.members(copy) == duplicates.members(original)
    assert duplicates.prisma_counts(copy) == duplicates.prisma_counts(original)
    # the reviewer's work shows in the groups: it is not a no-op round trip
    kinds = {d["kind"] for d in duplicates.decisions(copy)}
    assert kinds == {"split", "different", "same", "other-report"}
    assert sum(1 for d in duplicates.decisions(copy, include_undone=True) if d["undone_at"]) == 1
    assert any(link.decision_id for link in duplicates.links(copy))


def test_same_codes_overrides_checks_and_codebook(original: Project, copy: Project) -> None:
    pd.testing.assert_frame_equal(coding.effective_codes(copy), coding.effective_codes(original))
    assert coding.override_history(copy) == coding.override_history(original)
    assert coding.codebook_history(copy) == coding.codebook_history(original)
    assert coding.project_codebook(copy).sha256 == coding.project_codebook(original).sha256
    codes = coding.effective_codes(copy)
    assert codes["overridden"].map(len).sum() == 2
    assert codes["checked"].sum() == 1


def test_same_studies_table(original: Project, copy: Project) -> None:
    pd.testing.assert_frame_equal(study_table(copy), study_table(original))


def test_same_log_and_a_bundle_import_event(original: Project, copy: Project) -> None:
    before = original.events()
    after = copy.events()
    assert after[: len(before)] == before
    assert after[len(before)]["event"] == "bundle_import"


def test_re_export_gives_the_same_bundle(original: Project, copy: Project, bundle: bytes) -> None:
    first, second = json.loads(bundle), json.loads(export_bundle(copy))
    for doc in (first, second):
        doc.pop("exported_at")
    n = len(first["log"])
    assert second["log"][:n] == first["log"]
    first.pop("log"), second.pop("log")
    assert second == first


# -- refusals -------------------------------------------------------------------------------
def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_newer_bundle_is_refused_and_leaves_no_file(bundle: bytes, tmp_path: Path) -> None:
    doc = json.loads(bundle)
    doc["bundle_version"] = BUNDLE_VERSION + 1
    with pytest.raises(BundleError) as caught:
        import_bundle(json.dumps(doc).encode(), tmp_path / "new.sqlite", source="review.json")
    message = str(caught.value)
    assert message.startswith("review.json: made by a newer version of this tool")
    assert "update the tool" in message
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda data: data[: len(data) // 2], "not valid JSON"),
        (lambda data: b'{"format": "something else"}', "not a project bundle"),
        (lambda data: b"\xff\xfe" + data, "not valid JSON"),
    ],
    ids=["truncated", "not-a-bundle", "not-utf8"],
)
def test_damaged_bundle_is_refused_with_its_name(
    damage, says: str, bundle: bytes, tmp_path: Path
) -> None:
    with pytest.raises(BundleError) as caught:
        import_bundle(damage(bundle), tmp_path / "new.sqlite", source="review.json")
    assert str(caught.value).startswith("review.json: ") and says in str(caught.value)
    assert "\n" not in str(caught.value)
    assert _files(tmp_path) == []


def test_bundle_that_does_not_fit_together_stores_nothing(bundle: bytes, tmp_path: Path) -> None:
    """A record pointing at an import the bundle lacks: one transaction, so nothing."""
    doc = json.loads(bundle)
    doc["records"][-1]["import_id"] = 999
    with pytest.raises(BundleError, match="does not fit together"):
        import_bundle(json.dumps(doc).encode(), tmp_path / "new.sqlite", source="review.json")
    assert _files(tmp_path) == []
    # into an existing empty project: it stays empty (and stays)
    open_project(tmp_path / "empty.sqlite").close()
    with pytest.raises(BundleError):
        import_bundle(json.dumps(doc).encode(), tmp_path / "empty.sqlite")
    with open_project(tmp_path / "empty.sqlite") as project:
        assert project.count_records() == 0 and project.imports() == []


def test_bundle_is_not_imported_over_a_project_with_records(
    bundle: bytes, original: Project
) -> None:
    with pytest.raises(ProjectError, match="choose a new file name"):
        import_bundle(bundle, original.path)
    assert len(original.imports()) == 5
