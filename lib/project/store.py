"""Open, write and read the project file (SQLite).

Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``) that also bumps the
project version, so a reader's cache keyed by the version is invalidated by any decision,
and a crash mid-write leaves the file at the last committed state. The file runs in WAL
mode with a busy timeout, so two app sessions (or processes) can write to it in turn; an
import waits for another one with a message (`ProjectBusy` when it waits too long), and
checks "already imported" inside its own write, so the same file imported twice at once
is stored once.

An import can be removed and the removal undone (`remove_import`, `undo_removal`): its
records move to `removed_records` and back, so every count, group and code follows once
derived state is refreshed (`lib.pipeline.refresh`), while decisions that name them stay
in the file and apply again when they return.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lib import limits
from lib.ingest import FileRead, make_ids_unique
from lib.model import Record
from lib.project.schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from lib.report import ImportReport
from lib.textsafe import neutralise

__all__ = ["AlreadyImported", "Project", "ProjectBusy", "ProjectError", "open_project"]

BUSY_TIMEOUT_MS = 10_000
# How long the first try to start a write waits before saying that it is waiting.
_FIRST_TRY_MS = 300
_CHOOSE_PROJECT = "choose a project file made by this tool, or a new file name to start one"


class ProjectError(ValueError):
    """The project file cannot be opened or written; the message says which and why."""


class ProjectBusy(ProjectError):
    """Another session kept writing to the project for longer than we would wait."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _begin(
    conn: sqlite3.Connection,
    path: Path,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> None:
    """``BEGIN IMMEDIATE``, waiting for another session's write to finish.

    Without ``wait`` this waits the connection's busy timeout. With it, a first short try
    tells ``on_wait`` (once) that another session is writing, then waits up to ``wait``
    seconds in all; `ProjectBusy` (one clear line) if the other write is still going on.
    """
    if wait is None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise ProjectBusy(
                    f"{path}: another session is writing to this project; "
                    "wait a moment and try again"
                ) from None
            raise
    deadline = time.monotonic() + wait
    conn.execute(f"PRAGMA busy_timeout = {_FIRST_TRY_MS}")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProjectBusy(
                        f"{path}: another session kept writing to this project for "
                        f"{wait:.0f} s (another import?); try again when it has finished"
                    ) from None
                if on_wait is not None:
                    on_wait(
                        f"{path}: another session is writing to this project (another "
                        "import?); waiting for it to finish"
                    )
                    on_wait = None
                conn.execute(f"PRAGMA busy_timeout = {int(min(left, 5.0) * 1000) + 1}")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


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
    "incomplete",
)
# Every stored column of `records` (and `removed_records`), for moving rows between them.
_STORED_COLUMNS = ", ".join(("rid", *_RECORD_COLUMNS))


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
    def transaction(
        self, *, wait: float | None = None, on_wait: Callable[[str], None] | None = None
    ) -> Iterator[sqlite3.Connection]:
        """One atomic write that bumps the project version; rolled back on any error.

        ``wait``/``on_wait``: how long to wait for another session's write, and what to
        tell the user meanwhile (see `_begin`); by default the busy timeout.
        """
        conn = self.conn
        _begin(conn, self.path, wait, on_wait)
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
        """The first import (not removed) of a file with this content, if any."""
        return _find_import(self.conn, sha256)

    def add_import(
        self,
        read: FileRead,
        *,
        allow_repeat: bool = False,
        wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> int:
        """Store one file's records and report in one transaction; returns the import id.

        Raises `AlreadyImported` when a file with the same content was imported before
        (unless ``allow_repeat``), checked inside the write so that the same file imported
        twice at once is stored once. Record ids already in the project (removed imports
        included, so an undo never clashes) are renamed (``id~2``) and the renames added to
        the stored report. Waits for another session's write (another import) up to
        ``wait`` seconds (default `limits.BUSY_WAIT_SECONDS`), telling ``on_wait``.
        """
        report = read.report
        wait = limits.BUSY_WAIT_SECONDS if wait is None else wait
        with self.transaction(wait=wait, on_wait=on_wait) as conn:
            previous = _find_import(conn, report.sha256) if report.sha256 else None
            if previous and not allow_repeat:
                raise AlreadyImported(report.file_name, previous)
            taken = {r for (r,) in conn.execute("SELECT record_id FROM records")}
            taken |= {r for (r,) in conn.execute("SELECT record_id FROM removed_records")}
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
            # rids count on past those of removed imports: a rid is never given twice, so
            # a removal can be undone in arrival order and the groups' fingerprint changes
            first_rid = (
                1
                + conn.execute(
                    "SELECT MAX(COALESCE((SELECT MAX(rid) FROM records), 0), "
                    "COALESCE((SELECT MAX(rid) FROM removed_records), 0))"
                ).fetchone()[0]
            )
            conn.executemany(
                f"INSERT INTO records ({_STORED_COLUMNS}) "
                f"VALUES ({', '.join('?' * (len(_RECORD_COLUMNS) + 1))})",
                (
                    (rid, *_record_row(r, import_id))
                    for rid, r in enumerate(read.records, start=first_rid)
                ),
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
                records_incomplete=report.records_incomplete,
            )
        return import_id

    def imports(self) -> list[dict[str, Any]]:
        """Every import, oldest first, with its report as an `ImportReport`.

        ``removed_at`` is when a person removed it (None while it is in force);
        ``records`` is how many of its records are in the project now.
        """
        rows = self.conn.execute(
            "SELECT import_id, file_name, database, format, encoding, records_read, "
            "records_skipped, imported_at, "
            "(SELECT removed_at FROM import_removals m WHERE m.import_id = i.import_id "
            " AND m.undone_at IS NULL ORDER BY removal_id DESC LIMIT 1), "
            "(SELECT COUNT(*) FROM records r WHERE r.import_id = i.import_id), "
            "report FROM imports i ORDER BY import_id"
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
            "removed_at",
            "records",
        )
        out = []
        for row in rows:
            item = dict(zip(keys, row[:-1], strict=True))
            item["report"] = ImportReport.from_dict(json.loads(row[-1]))
            out.append(item)
        return out

    def remove_import(self, import_id: int, note: str = "") -> int:
        """Take an import out of the project (undoable); returns the removal's id.

        Its records leave `records` for `removed_records`, so the project's counts, PRISMA
        flow, duplicate groups and codes no longer hold them once `lib.pipeline.refresh`
        has run. Decisions naming them stay in the file (harmless while they are away) and
        apply again on `undo_removal`. Logged. Raises `ProjectError` for an unknown import
        or one already removed.
        """
        row = self.conn.execute(
            "SELECT file_name FROM imports WHERE import_id = ?", (import_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(f"{self.path}: there is no import {import_id}")
        # Foreign keys are off for the move: a table that names records (another part's
        # decisions) keeps its rows while they are away, as the removal promises.
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction() as conn:
                if _removal(conn, import_id) is not None:
                    raise ProjectError(f"import {import_id} ({row[0]}) is already removed")
                ids = [r for (r,) in conn.execute(
                    "SELECT record_id FROM records WHERE import_id = ?", (import_id,)
                )]  # fmt: skip
                # derived from the records, recomputed by the next refresh
                conn.execute(
                    "DELETE FROM dedupe_groups WHERE record_id IN "
                    "(SELECT record_id FROM records WHERE import_id = ?)",
                    (import_id,),
                )
                conn.execute(
                    f"INSERT INTO removed_records ({_STORED_COLUMNS}) "
                    f"SELECT {_STORED_COLUMNS} FROM records WHERE import_id = ?",
                    (import_id,),
                )
                conn.execute("DELETE FROM records WHERE import_id = ?", (import_id,))
                _derived_state_changed(conn)
                cur = conn.execute(
                    "INSERT INTO import_removals (import_id, note, removed_at) VALUES (?, ?, ?)",
                    (import_id, note, now()),
                )
                removal_id = int(cur.lastrowid or 0)
                self.log(
                    conn,
                    "remove_import",
                    import_id=import_id,
                    removal_id=removal_id,
                    file_name=row[0],
                    records=len(ids),
                    note=note,
                )
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")
        return removal_id

    def undo_removal(self, import_id: int) -> None:
        """Bring a removed import's records back (see `remove_import`). Logged.

        Raises `ProjectError` when the import is not removed, or when the same file was
        imported again meanwhile (its records would then be in the project twice).
        """
        with self.transaction() as conn:
            removal = _removal(conn, import_id)
            if removal is None:
                raise ProjectError(f"import {import_id} is not removed; nothing to undo")
            sha = conn.execute(
                "SELECT sha256 FROM imports WHERE import_id = ?", (import_id,)
            ).fetchone()[0]
            again = _find_import(conn, sha) if sha else None
            if again is not None:
                raise ProjectError(
                    f"the same file was imported again as import {again['import_id']}; "
                    "remove that import first, then undo this removal"
                )
            # back with their rids, so in arrival order (rids are never given twice)
            conn.execute(
                f"INSERT INTO records ({_STORED_COLUMNS}) "
                f"SELECT {_STORED_COLUMNS} FROM removed_records WHERE import_id = ?",
                (import_id,),
            )
            moved = conn.execute(
                "DELETE FROM removed_records WHERE import_id = ?", (import_id,)
            ).rowcount
            conn.execute(
                "UPDATE import_removals SET undone_at = ? WHERE removal_id = ?",
                (now(), removal),
            )
            _derived_state_changed(conn)
            self.log(
                conn, "undo_remove_import", import_id=import_id, removal_id=removal, records=moved
            )

    # -- records ---------------------------------------------------------------------------
    def records(self, import_id: int | None = None, *, incomplete: bool = False) -> list[Record]:
        """Every record (or one import's; or, with ``incomplete``, only those marked
        incomplete), in arrival order."""
        sql = RECORDS_SQL
        where: list[str] = []
        args: tuple[Any, ...] = ()
        if import_id is not None:
            where.append("r.import_id = ?")
            args = (import_id,)
        if incomplete:
            where.append("r.incomplete != ''")
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [row_record(row) for row in self.conn.execute(sql + " ORDER BY r.rid", args)]

    def count_records(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def incomplete_records(self, import_id: int | None = None) -> list[Record]:
        """The records marked incomplete (all, or one import's), in arrival order."""
        return self.records(import_id, incomplete=True)


def _find_import(conn: sqlite3.Connection, sha256: str) -> dict[str, Any] | None:
    """The first import of a file with this content that is not removed, if any."""
    row = conn.execute(
        "SELECT import_id, file_name, database, imported_at FROM imports i WHERE sha256 = ? "
        "AND NOT EXISTS (SELECT 1 FROM import_removals m WHERE m.import_id = i.import_id "
        "AND m.undone_at IS NULL) ORDER BY import_id LIMIT 1",
        (sha256,),
    ).fetchone()
    if row is None:
        return None
    return dict(zip(("import_id", "file_name", "database", "imported_at"), row, strict=True))


def _derived_state_changed(conn: sqlite3.Connection) -> None:
    """Make the next `lib.pipeline.refresh` regroup and recode, whatever the counts say.

    Groups are fingerprinted by the number of records and the largest rid; a removal
    undone before any refresh would give back the fingerprint of the groups stored
    before it, whose rows for the returning records the removal deleted.
    """
    conn.execute("UPDATE meta SET value = '' WHERE key = 'dedupe_state'")


def _removal(conn: sqlite3.Connection, import_id: int) -> int | None:
    """The id of the removal in force for this import, if it is removed."""
    row = conn.execute(
        "SELECT removal_id FROM import_removals WHERE import_id = ? AND undone_at IS NULL",
        (import_id,),
    ).fetchone()
    return int(row[0]) if row else None


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
        rec.incomplete,
    )


# Every field of a stored record, in the order `row_record` reads them.
RECORDS_SQL = (
    "SELECT r.record_id, r.import_id, r.entrytype, r.title, r.authors, r.year, "
    "r.journal, r.volume, r.issue, r.pages, r.doi, r.abstract, r.keywords, "
    "r.language, r.url, r.issn, r.isbn, r.line, r.original, r.source_db, i.file_name, "
    "r.incomplete FROM records r JOIN imports i USING (import_id)"
)


def row_record(row: tuple[Any, ...]) -> Record:
    """A record from a row of `RECORDS_SQL`."""
    (rid, import_id, etype, title, authors, year, journal, volume, issue, pages, doi,
     abstract, keywords, language, url, issn, isbn, line, original, database, file_name,
     incomplete) = row  # fmt: skip
    return Record(
        record_id=rid,
        import_id=import_id,
        entrytype=etype,
        # records imported before ingest neutralised bidirectional controls are shown
        # and exported neutral all the same (cheap: `neutralise` skips ASCII at once)
        title=neutralise(title),
        authors=[neutralise(a) for a in json.loads(authors)],
        year=year,
        journal=neutralise(journal),
        volume=volume,
        issue=issue,
        pages=pages,
        doi=doi,
        abstract=neutralise(abstract),
        keywords=[neutralise(k) for k in json.loads(keywords)],
        language=language,
        url=url,
        issn=issn,
        isbn=isbn,
        line=line,
        original=json.loads(original),
        source_db=database,
        source_file=file_name,
        incomplete=incomplete,
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
        _use_wal(conn)
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


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting for another connection doing the same.

    SQLite answers "database is locked" at once, without calling the busy handler, when
    two connections switch a new file to WAL at the same moment (two sessions opening a
    new project): try again until the busy timeout has passed.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    tables = {r for (r,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "meta" not in tables:
        if tables:
            raise ProjectError(f"{path}: a SQLite file, but not a project file; {_CHOOSE_PROJECT}")
        _begin(conn, path, limits.BUSY_WAIT_SECONDS)
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
