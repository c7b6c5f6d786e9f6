"""Open, write and read the project file (SQLite).

Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``) that also bumps the
project version, so a reader's cache keyed by the version is invalidated by any decision,
and a crash mid-write leaves the file at the last committed state. The file runs in WAL
mode with a busy timeout, so two app sessions (or processes) can write to it in turn.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lib.ingest import FileRead, make_ids_unique
from lib.model import Record
from lib.project.schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from lib.report import ImportReport

__all__ = ["AlreadyImported", "Project", "ProjectError", "open_project"]

BUSY_TIMEOUT_MS = 10_000
_CHOOSE_PROJECT = "choose a project file made by this tool, or a new file name to start one"


class ProjectError(ValueError):
    """The project file cannot be opened or written; the message says which and why."""


class AlreadyImported(ProjectError):
    """The same file (by content) was imported before."""

    def __init__(self, file_name: str, previous: dict[str, Any]) -> None:
        self.previous = previous
        super().__init__(
            f"{file_name}: already imported as import {previous['import_id']} "
            f"({previous['file_name']}, {previous['database']}, {previous['imported_at'][:16]}); "
            "not imported again"
        )


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_RECORD_COLUMNS = (
    "record_id",
    "import_id",
    "source_db",
    "entrytype",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "abstract",
    "keywords",
    "language",
    "url",
    "issn",
    "isbn",
    "line",
    "original",
)


class Project:
    """An open project file. Use `open_project`; close it (or use ``with``) when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write that bumps the project version; rolled back on any error."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise ProjectError(
                    f"{self.path}: another session is writing to this project; "
                    "wait a moment and try again"
                ) from None
            raise
        try:
            yield conn
            conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @property
    def version(self) -> int:
        """Grows with every committed write: the key for caches of anything read here."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0])

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def log(self, conn: sqlite3.Connection, event: str, **detail: Any) -> None:
        """Append to the project log inside the caller's transaction."""
        conn.execute(
            "INSERT INTO log (at, event, detail) VALUES (?, ?, ?)",
            (now(), event, json.dumps(detail, ensure_ascii=False)),
        )

    def events(self, event: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, at, event, detail FROM log"
        args: tuple[Any, ...] = ()
        if event:
            sql += " WHERE event = ?"
            args = (event,)
        rows = self.conn.execute(sql + " ORDER BY id", args).fetchall()
        return [{"id": i, "at": at, "event": ev, **json.loads(d)} for i, at, ev, d in rows]

    # -- imports ---------------------------------------------------------------------------
    def find_import(self, sha256: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT import_id, file_name, database, imported_at FROM imports WHERE sha256 = ? "
            "ORDER BY import_id LIMIT 1",
            (sha256,),
        ).fetchone()
        if row is None:
            return None
        return dict(zip(("import_id", "file_name", "database", "imported_at"), row, strict=True))

    def add_import(self, read: FileRead, *, allow_repeat: bool = False) -> int:
        """Store one file's records and report in one transaction; returns the import id.

        Raises `AlreadyImported` when a file with the same content was imported before
        (unless ``allow_repeat``). Record ids already in the project are renamed
        (``id~2``) and the renames added to the stored report.
        """
        report = read.report
        previous = self.find_import(report.sha256) if report.sha256 else None
        if previous and not allow_repeat:
            raise AlreadyImported(report.file_name, previous)
        with self.transaction() as conn:
            taken = {r for (r,) in conn.execute("SELECT record_id FROM records")}
            report.renamed_ids += make_ids_unique(read.records, taken)
            for rec in read.records:
                rec.source_db = rec.source_db or report.database
            cur = conn.execute(
                "INSERT INTO imports (file_name, database, format, encoding, sha256, size, "
                "records_read, records_skipped, report, imported_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    report.file_name,
                    report.database,
                    report.format,
                    report.encoding,
                    report.sha256,
                    report.size,
                    report.records_read,
                    report.records_skipped,
                    json.dumps(report.to_dict(), ensure_ascii=False),
                    now(),
                ),
            )
            import_id = int(cur.lastrowid or 0)
            conn.executemany(
                f"INSERT INTO records ({', '.join(_RECORD_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_RECORD_COLUMNS))})",
                (_record_row(r, import_id) for r in read.records),
            )
            for rec in read.records:
                rec.import_id = import_id
            self.log(
                conn,
                "import",
                import_id=import_id,
                file_name=report.file_name,
                database=report.database,
                records_read=report.records_read,
                records_skipped=report.records_skipped,
            )
        return import_id

    def imports(self) -> list[dict[str, Any]]:
        """Every import, oldest first, with its report as an `ImportReport`."""
        rows = self.conn.execute(
            "SELECT import_id, file_name, database, format, encoding, records_read, "
            "records_skipped, imported_at, report FROM imports ORDER BY import_id"
        ).fetchall()
        keys = (
            "import_id",
            "file_name",
            "database",
            "format",
            "encoding",
            "records_read",
            "records_skipped",
            "imported_at",
        )
        out = []
        for row in rows:
            item = dict(zip(keys, row[:-1], strict=True))
            item["report"] = ImportReport.from_dict(json.loads(row[-1]))
            out.append(item)
        return out

    # -- records ---------------------------------------------------------------------------
    def records(self, import_id: int | None = None) -> list[Record]:
        """Every record (or one import's), in arrival order."""
        sql = (
            "SELECT r.record_id, r.import_id, r.entrytype, r.title, r.authors, r.year, "
            "r.journal, r.volume, r.issue, r.pages, r.doi, r.abstract, r.keywords, "
            "r.language, r.url, r.issn, r.isbn, r.line, r.original, r.source_db, i.file_name "
            "FROM records r JOIN imports i USING (import_id)"
        )
        args: tuple[Any, ...] = ()
        if import_id is not None:
            sql += " WHERE r.import_id = ?"
            args = (import_id,)
        return [_row_record(row) for row in self.conn.execute(sql + " ORDER BY r.rid", args)]

    def count_records(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])


def _record_row(rec: Record, import_id: int) -> tuple[Any, ...]:
    return (
        rec.record_id,
        import_id,
        rec.source_db,
        rec.entrytype,
        rec.title,
        json.dumps(rec.authors, ensure_ascii=False),
        rec.year,
        rec.journal,
        rec.volume,
        rec.issue,
        rec.pages,
        rec.doi,
        rec.abstract,
        json.dumps(rec.keywords, ensure_ascii=False),
        rec.language,
        rec.url,
        rec.issn,
        rec.isbn,
        rec.line,
        json.dumps(rec.original, ensure_ascii=False),
    )


def _row_record(row: tuple[Any, ...]) -> Record:
    (rid, import_id, etype, title, authors, year, journal, volume, issue, pages, doi,
     abstract, keywords, language, url, issn, isbn, line, original, database, file_name,
     ) = row  # fmt: skip
    return Record(
        record_id=rid,
        import_id=import_id,
        entrytype=etype,
        title=title,
        authors=json.loads(authors),
        year=year,
        journal=journal,
        volume=volume,
        issue=issue,
        pages=pages,
        doi=doi,
        abstract=abstract,
        keywords=json.loads(keywords),
        language=language,
        url=url,
        issn=issn,
        isbn=isbn,
        line=line,
        original=json.loads(original),
        source_db=database,
        source_file=file_name,
    )


def open_project(path: str | Path, *, create: bool = True) -> Project:
    """Open (or create) a project file, upgrading its schema if it is older.

    Raises `ProjectError` for a file that is not a project, is from a newer version of
    this tool, or cannot be opened.
    """
    path = Path(path)
    if not path.exists() and not create:
        raise ProjectError(f"{path}: no such project file")
    if path.exists() and path.is_dir():
        raise ProjectError(f"{path}: is a folder, not a project file")
    # No Python-level peek at the file header here: opening and closing the file from
    # Python drops every POSIX lock this process holds on it, including the locks of its
    # live SQLite connections, and another process may then delete the WAL under them.
    # SQLite itself says "file is not a database" on the first statement instead.
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise ProjectError(f"{path}: cannot be opened ({exc}); {_CHOOSE_PROJECT}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _ensure_schema(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc) or "encrypted" in str(exc):
            raise ProjectError(
                f"{path}: not a project file (not SQLite); {_CHOOSE_PROJECT}"
            ) from None
        raise ProjectError(f"{path}: cannot be opened as a project ({exc})") from None
    except BaseException:
        conn.close()
        raise
    return Project(path, conn)


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    tables = {r for (r,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" not in tables:
        if tables:
            raise ProjectError(f"{path}: a SQLite file, but not a project file; {_CHOOSE_PROJECT}")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(SCHEMA):
                conn.execute(statement)
            conn.executemany(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                [("schema_version", str(SCHEMA_VERSION)), ("version", "0"), ("created_at", now())],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    found = int(row[0]) if row else 0
    if found > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: written by a newer version of this tool (schema {found}, this one "
            f"reads up to {SCHEMA_VERSION}); update the tool to open it"
        )
    if found < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS.get(version, "")):
                    conn.execute(statement)
            conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    # Tables added within the current version. Only when some are missing: taking the write
    # lock on every open would make a reader wait for another session's long write.
    present = {r for (r,) in conn.execute("SELECT name FROM sqlite_master")}
    if not present >= _SCHEMA_NAMES:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(SCHEMA):
                conn.execute(statement)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


_SCHEMA_NAMES = frozenset(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", SCHEMA))


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (no semicolons inside our DDL strings)."""
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
