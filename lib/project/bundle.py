"""A whole project as one JSON document, and back: for backups, moving a review to another
machine, and proving that nothing a reviewer did is lost on the way.

The bundle holds what cannot be recomputed: imports with their reports, every record with
its original fields (in arrival order), the duplicate decisions (undone ones too), the
saved codebooks, the coding overrides (with their history) and checked marks, the project
log (the audit trail and PRISMA flow), and the project's own settings (its name). What is
derived from those (duplicate groups, pairs, links, automatic codes) is left out and
recomputed by `lib.pipeline.refresh` after an import, so a bundle made by an older version
of the tool is regrouped and recoded by the engine of the version that reads it. Ids are
kept (import, record, decision, override, codebook, log), so every reference stays valid.

    data = export_bundle(project)                  # bytes (UTF-8 JSON)
    copy = import_bundle(data, "review-copy.sqlite")
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from lib.project.schema import SCHEMA_VERSION
from lib.project.store import Project, ProjectError, now, open_project

__all__ = ["BUNDLE_FORMAT", "BUNDLE_VERSION", "BundleError", "export_bundle", "import_bundle"]

BUNDLE_FORMAT = "litreview-project-bundle"
BUNDLE_VERSION = 1

# Durable tables, in the order they are written back (references first), each with the
# column that orders its rows and the columns that hold JSON text in the file.
_TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("imports", "import_id", ("report",)),
    ("records", "rid", ("authors", "keywords", "original")),
    ("import_removals", "removal_id", ()),
    ("removed_records", "rid", ("authors", "keywords", "original")),
    ("dedupe_decisions", "decision_id", ("record_ids", "against")),
    ("codebooks", "codebook_id", ()),
    ("code_overrides", "override_id", ("codes", "previous")),
    ("study_checks", "study_id", ()),
    ("log", "id", ("detail",)),
)
# Tables a bundle from an older version of the tool lacks: read as empty.
_OPTIONAL = frozenset({"import_removals", "removed_records"})
# Meta keys that are not the user's: versions, and fingerprints of derived state.
_DERIVED_META = frozenset(
    {"schema_version", "version", "dedupe_state", "coding_state", "pipeline_coded",
     "pipeline_codebook", "pipeline_changes_seen"}
)  # fmt: skip


class BundleError(ProjectError):
    """A bundle cannot be imported; the message names it, says why and what to do."""


def export_bundle(project: Project) -> bytes:
    """The project's durable content as UTF-8 JSON (see the module docstring)."""
    conn = project.conn
    meta = {k: v for k, v in conn.execute("SELECT key, value FROM meta") if k not in _DERIVED_META}
    doc: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "bundle_version": BUNDLE_VERSION,
        "schema_version": SCHEMA_VERSION,
        "exported_at": now(),
        "meta": meta,
    }
    conn.execute("BEGIN")  # one consistent snapshot even if another session writes meanwhile
    try:
        for table, order, json_columns in _TABLES:
            cur = conn.execute(f"SELECT * FROM {table} ORDER BY {order}")
            names = [d[0] for d in cur.description]
            rows = []
            for row in cur:
                item = dict(zip(names, row, strict=True))
                for column in json_columns:
                    item[column] = json.loads(item[column])
                rows.append(item)
            doc[table] = rows
    finally:
        conn.execute("COMMIT")
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _load(data: bytes, source: str) -> dict[str, Any]:
    """The bundle document, checked for its format and version (nothing written yet)."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(
            f"{source}: not a project bundle (not valid JSON: {exc}); choose a file made by "
            "this tool's project export"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != BUNDLE_FORMAT:
        raise BundleError(
            f"{source}: not a project bundle (no '{BUNDLE_FORMAT}' marker); choose a file made "
            "by this tool's project export"
        )
    version = doc.get("bundle_version")
    if not isinstance(version, int) or version < 1:
        raise BundleError(f"{source}: the bundle version is missing or unreadable; export it again")
    if version > BUNDLE_VERSION:
        raise BundleError(
            f"{source}: made by a newer version of this tool (bundle version {version}, this "
            f"one reads up to {BUNDLE_VERSION}); update the tool to import it"
        )
    for table in _OPTIONAL:
        doc.setdefault(table, [])
    missing = [table for table, _, _ in _TABLES if not isinstance(doc.get(table), list)]
    if missing:
        raise BundleError(
            f"{source}: the bundle is incomplete (no {', '.join(missing)}); export it again"
        )
    return doc


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _write(project: Project, doc: dict[str, Any], source: str) -> None:
    """Every table of the bundle in one transaction (all of it or nothing)."""
    with project.transaction() as conn:
        for table, _, json_columns in _TABLES:
            known = _columns(conn, table)
            for n, item in enumerate(doc[table], start=1):
                if not isinstance(item, dict):
                    raise BundleError(f"{source}: {table} item {n} is not an object; export again")
                unknown = set(item) - known
                if unknown:
                    raise BundleError(
                        f"{source}: {table} item {n} has fields this version does not know "
                        f"({', '.join(sorted(unknown))}); update the tool to import it"
                    )
                names = list(item)
                values = [
                    json.dumps(item[k], ensure_ascii=False) if k in json_columns else item[k]
                    for k in names
                ]
                conn.execute(
                    f"INSERT INTO {table} ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' * len(names))})",
                    values,
                )
        for key, value in (doc.get("meta") or {}).items():
            if key not in _DERIVED_META:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(key), str(value)),
                )
        project.log(
            conn,
            "bundle_import",
            source=source,
            exported_at=doc.get("exported_at", ""),
            imports=len(doc["imports"]),
            records=len(doc["records"]),
        )


def import_bundle(
    data: bytes, path: str | Path, *, source: str = "bundle", refresh: bool = True
) -> Project:
    """A new project at ``path`` holding the bundle; returns it open.

    ``source`` names the bundle in messages (its file name). The target must be new or an
    empty project. Everything is written in one transaction; on any error nothing is
    stored, a file this call created is removed, and `BundleError` says why. With
    ``refresh`` (the default) groups and codes are recomputed afterwards.
    """
    doc = _load(data, source)
    path = Path(path)
    created = not path.exists()
    project = open_project(path)
    try:
        if (
            project.count_records()
            or project.conn.execute("SELECT COUNT(*) FROM imports").fetchone()[0]
        ):
            raise BundleError(
                f"{path}: already holds a project with imports; choose a new file name to "
                "import the bundle into"
            )
        try:
            _write(project, doc, source)
        except sqlite3.DatabaseError as exc:
            raise BundleError(
                f"{source}: the bundle does not fit together ({exc}); export it again"
            ) from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, BundleError):
                raise
            raise BundleError(f"{source}: a value in the bundle is unreadable ({exc})") from None
    except BaseException:
        project.close()
        if created:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        raise
    if refresh:
        from lib.pipeline import refresh as refresh_derived

        refresh_derived(project)
    return project
