"""The project file's tables. One SQLite file holds everything a user decided.

`SCHEMA_VERSION` is stored in ``meta``; `lib.project.store.open_project` refuses a file
written by a newer version and upgrades an older one with `MIGRATIONS`. Each part of the
library owns its own section below (imports/records, deduplication, coding); the tables
are created together so a project file is always complete.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

CORE = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per imported file. `report` is the ImportReport as JSON.
CREATE TABLE IF NOT EXISTS imports (
    import_id       INTEGER PRIMARY KEY,
    file_name       TEXT NOT NULL,
    database        TEXT NOT NULL,
    format          TEXT NOT NULL,
    encoding        TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size            INTEGER NOT NULL,
    records_read    INTEGER NOT NULL,
    records_skipped INTEGER NOT NULL,
    report          TEXT NOT NULL,
    imported_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS imports_sha256 ON imports (sha256);

-- One row per record read; `rid` gives arrival order. List fields are JSON arrays,
-- `original` is the JSON object of every field as the file gave it.
CREATE TABLE IF NOT EXISTS records (
    rid        INTEGER PRIMARY KEY,
    record_id  TEXT NOT NULL UNIQUE,
    import_id  INTEGER NOT NULL REFERENCES imports (import_id),
    entrytype  TEXT NOT NULL,
    title      TEXT NOT NULL,
    authors    TEXT NOT NULL,
    year       INTEGER,
    journal    TEXT NOT NULL,
    volume     TEXT NOT NULL,
    issue      TEXT NOT NULL,
    pages      TEXT NOT NULL,
    doi        TEXT NOT NULL,
    abstract   TEXT NOT NULL,
    keywords   TEXT NOT NULL,
    language   TEXT NOT NULL,
    url        TEXT NOT NULL,
    issn       TEXT NOT NULL,
    isbn       TEXT NOT NULL,
    line       INTEGER,
    original   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_import ON records (import_id);

-- What happened, in order: the PRISMA flow and the audit trail are read from here.
CREATE TABLE IF NOT EXISTS log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    event  TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""

# ---- deduplication (owned by lib.project.duplicates) --------------------------------------
DEDUPE = """
"""

# ---- coding (owned by lib.project.coding) ------------------------------------------------
CODING = """
"""

SCHEMA = CORE + DEDUPE + CODING

# version -> SQL that upgrades a file from version-1 to version. Empty until version 2.
MIGRATIONS: dict[int, str] = {}
