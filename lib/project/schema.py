"""The project file's tables. One SQLite file holds everything a user decided.

`SCHEMA_VERSION` is stored in ``meta``; `lib.project.store.open_project` refuses a file
written by a newer version and upgrades an older one with `MIGRATIONS`. Each part of the
library owns its own section below (imports/records, deduplication, coding); the tables
are created together so a project file is always complete.
"""

from __future__ import annotations

SCHEMA_VERSION = 6

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
-- `original` is the JSON object of every field as the file gave it. `source_db` is the
-- import's database label, or the record's own where the file says it per record (a
-- canonical CSV merged from several databases).
CREATE TABLE IF NOT EXISTS records (
    rid        INTEGER PRIMARY KEY,
    record_id  TEXT NOT NULL UNIQUE,
    import_id  INTEGER NOT NULL REFERENCES imports (import_id),
    source_db  TEXT NOT NULL,
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
    original   TEXT NOT NULL,
    incomplete TEXT NOT NULL DEFAULT ''
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

# ---- removed imports (owned by lib.project.store) ----------------------------------------
IMPORT_REMOVALS = """
-- Imports a person removed, oldest first. Removing moves the import's records out of
-- `records` into `removed_records` (so every count, group and code follows); undoing sets
-- `undone_at` and moves them back. The rows stay for the audit trail.
CREATE TABLE IF NOT EXISTS import_removals (
    removal_id INTEGER PRIMARY KEY,
    import_id  INTEGER NOT NULL REFERENCES imports (import_id),
    note       TEXT NOT NULL,
    removed_at TEXT NOT NULL,
    undone_at  TEXT
);
CREATE INDEX IF NOT EXISTS import_removals_import ON import_removals (import_id);

-- The records of removed imports, as they were in `records`: the same columns (copied
-- from it when the table is made), the same `rid`s (never given twice, see
-- `Project.add_import`).
CREATE TABLE IF NOT EXISTS removed_records AS SELECT * FROM records WHERE 0;
CREATE INDEX IF NOT EXISTS removed_records_import ON removed_records (import_id);
"""

# ---- deduplication (owned by lib.project.duplicates) --------------------------------------
DEDUPE = """
-- A person's deduplication decisions, oldest first. Undoing one sets `undone_at`: the
-- row stays for the audit trail. `record_ids`, `against` and `leaving` are JSON arrays
-- (`against`: for a split, the rest of the group at the time; `leaving`: for a
-- "different" or "other report" between records of one group, those the person chose
-- to take out of it).
CREATE TABLE IF NOT EXISTS dedupe_decisions (
    decision_id INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('same', 'different', 'other-report', 'split')),
    record_ids  TEXT NOT NULL,
    against     TEXT NOT NULL,
    note        TEXT NOT NULL,
    made_at     TEXT NOT NULL,
    undone_at   TEXT,
    leaving     TEXT NOT NULL DEFAULT '[]'
);

-- The automatic groups of the last full run, before any person's decision: undoing a
-- decision applies those still in force to them again.
CREATE TABLE IF NOT EXISTS dedupe_auto (
    record_id  TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dedupe_auto_cluster ON dedupe_auto (cluster_id);

-- Every study (by id) whose merged record was made, changed or dropped, in order; "*"
-- means all of them. Readers that keep a copy of the studies (the coder, the app's
-- tables) remember the last `seq` they read and update only what came after.
CREATE TABLE IF NOT EXISTS dedupe_study_changes (
    seq      INTEGER PRIMARY KEY,
    study_id TEXT NOT NULL
);

-- The groups of the last run: one row per record. `matched_with`, `score` and `reason`
-- say through which pair the record joined its group (empty for a group's only member).
CREATE TABLE IF NOT EXISTS dedupe_groups (
    record_id    TEXT PRIMARY KEY REFERENCES records (record_id),
    cluster_id   TEXT NOT NULL,
    matched_with TEXT NOT NULL,
    score        REAL,
    reason       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dedupe_groups_cluster ON dedupe_groups (cluster_id);

-- Pairs of the last run that the matcher merged (duplicate) or left to a person
-- (possible), as the matcher decided them: a person's decisions are read from
-- dedupe_decisions.
CREATE TABLE IF NOT EXISTS dedupe_pairs (
    a        TEXT NOT NULL,
    b        TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('duplicate', 'possible')),
    score    REAL NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS dedupe_pairs_b ON dedupe_pairs (b);

-- One merged record per group of the last run (derived, like the groups): the studies
-- table reads it instead of merging every group again. `record_ids` (members in arrival
-- order), `databases`, `authors` and `keywords` are JSON arrays. A group whose members
-- did not change keeps its row across runs (records never change once imported).
CREATE TABLE IF NOT EXISTS dedupe_studies (
    study_id     TEXT PRIMARY KEY,
    record_ids   TEXT NOT NULL,
    databases    TEXT NOT NULL,
    n_records    INTEGER NOT NULL,
    title        TEXT NOT NULL,
    authors      TEXT NOT NULL,
    first_author TEXT NOT NULL,
    year         INTEGER,
    journal      TEXT NOT NULL,
    volume       TEXT NOT NULL,
    issue        TEXT NOT NULL,
    pages        TEXT NOT NULL,
    doi          TEXT NOT NULL,
    abstract     TEXT NOT NULL,
    keywords     TEXT NOT NULL,
    entrytype    TEXT NOT NULL
);

-- "Same study, other report" links the matcher found (erratum, preprint, conference
-- abstract and article), also between records now in one group (read them through
-- `lib.project.duplicates.links`, which adds a person's links from the decisions).
CREATE TABLE IF NOT EXISTS dedupe_links (
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    decision_id INTEGER REFERENCES dedupe_decisions (decision_id),
    PRIMARY KEY (a, b)
);
"""

# ---- checks of codes (owned by lib.project.checks) ---------------------------------------
CODE_CHECKS = """
-- A reviewer's checks of automatic codes (the Check codes page), oldest first: per study
-- and facet, "confirmed" (the automatic code is right) or "corrected" (the reviewer's
-- codes, written as an override: `override_id`). `auto` and `codes` are JSON arrays: the
-- automatic codes seen and the codes the reviewer settled on; `confidence` the automatic
-- code's confidence then. The agreement of the coder with a reviewer is read from here.
-- Undoing sets `undone_at`: the row stays as history.
CREATE TABLE IF NOT EXISTS code_checks (
    check_id    INTEGER PRIMARY KEY,
    study_id    TEXT NOT NULL,
    facet       TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('confirmed', 'corrected')),
    auto        TEXT NOT NULL,
    codes       TEXT NOT NULL,
    confidence  REAL,
    override_id INTEGER REFERENCES code_overrides (override_id),
    made_at     TEXT NOT NULL,
    undone_at   TEXT
);
CREATE INDEX IF NOT EXISTS code_checks_study ON code_checks (study_id, facet);
CREATE INDEX IF NOT EXISTS code_checks_facet ON code_checks (facet, check_id);
"""

# ---- coding (owned by lib.project.coding) ------------------------------------------------
CODING = """
-- Codebooks saved in the project, oldest first: the newest is in force (none saved: the
-- default data/codebook.yaml). `yaml` is the reviewer's text as saved, comments included.
CREATE TABLE IF NOT EXISTS codebooks (
    codebook_id INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL,
    yaml        TEXT NOT NULL,
    note        TEXT NOT NULL,
    saved_at    TEXT NOT NULL
);

-- Automatic codes of the last coding run, one row per study and facet, replaced whole by
-- every re-coding. `codes` is a JSON array of codes, `evidence` a JSON array of
-- [code, phrase, field, start, end, rule, sentence_start, sentence_end, role] (offsets
-- into the study's merged field text; rows written before schema 3 have the first six).
-- `confidence` is how sure the coder is of the facet's codes, 0 to 1 (0.5 a coin; an
-- unclear code 0.5 or less; NULL: coded before it was kept; `lib.coding.Coding.confidence`).
CREATE TABLE IF NOT EXISTS auto_codes (
    study_id   TEXT NOT NULL,
    facet      TEXT NOT NULL,
    codes      TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    confidence REAL,
    PRIMARY KEY (study_id, facet)
);
-- The "check codes" queue reads the least sure codes first.
CREATE INDEX IF NOT EXISTS auto_codes_confidence ON auto_codes (confidence);

-- A reviewer's codes, keyed by the study's stable id (the record id of its first-imported
-- record), so they outlive re-coding and new imports. Every change is a new row with the
-- value in force just before (`previous`, JSON) and the time. Undoing sets `undone_at`
-- and the row stays as history. In force: the newest row not undone, per study and facet.
CREATE TABLE IF NOT EXISTS code_overrides (
    override_id INTEGER PRIMARY KEY,
    study_id    TEXT NOT NULL,
    facet       TEXT NOT NULL,
    codes       TEXT NOT NULL,
    previous    TEXT NOT NULL,
    note        TEXT NOT NULL,
    made_at     TEXT NOT NULL,
    undone_at   TEXT
);
CREATE INDEX IF NOT EXISTS code_overrides_study ON code_overrides (study_id, facet);

-- Studies a reviewer marked as checked (every change is also in the log).
CREATE TABLE IF NOT EXISTS study_checks (
    study_id   TEXT PRIMARY KEY,
    checked    INTEGER NOT NULL,
    changed_at TEXT NOT NULL
);
"""

# ---- screening (owned by lib.screening) -------------------------------------------------
SCREENING = """
-- A reviewer's screening decisions, oldest first. `record_ids` (JSON array) are the
-- records of the study as it was when decided: a decision belongs to those records and
-- so follows them into whatever study they form after a regrouping (lib.screening.
-- decisions resolves them). `stage`: title-abstract or full-text; `reason` the exclusion
-- reason ('' when none); `origin` how the study came to be shown (ranked, random,
-- import-order, chosen) or 'import' (from an earlier tool). Undoing sets `undone_at`: the
-- row stays as history.
CREATE TABLE IF NOT EXISTS screen_decisions (
    decision_id INTEGER PRIMARY KEY,
    stage       TEXT NOT NULL CHECK (stage IN ('title-abstract', 'full-text')),
    verdict     TEXT NOT NULL CHECK (verdict IN ('include', 'exclude', 'maybe')),
    reason      TEXT NOT NULL,
    note        TEXT NOT NULL,
    record_ids  TEXT NOT NULL,
    study_id    TEXT NOT NULL,
    origin      TEXT NOT NULL,
    made_at     TEXT NOT NULL,
    undone_at   TEXT
);

-- The relevance ranking the background worker computed last (derived, replaced whole):
-- `record_ids` (JSON array) holds one record per study not yet included or excluded at
-- title/abstract when it was made, most likely relevant first (a study's id is a record id);
-- `trained_on` says from which decisions and groups it was computed.
CREATE TABLE IF NOT EXISTS screen_rankings (
    ranking_id  INTEGER PRIMARY KEY,
    trained_on  TEXT NOT NULL,
    model       TEXT NOT NULL,
    n_included  INTEGER NOT NULL,
    n_excluded  INTEGER NOT NULL,
    record_ids  TEXT NOT NULL,
    seconds     REAL NOT NULL,
    made_at     TEXT NOT NULL
);

-- The one ranking worker of this project file (any app session may start it; the
-- others see its heartbeat and leave it alone). `error`: why its last retraining failed.
CREATE TABLE IF NOT EXISTS screen_worker (
    slot     INTEGER PRIMARY KEY CHECK (slot = 1),
    pid      INTEGER NOT NULL,
    host     TEXT NOT NULL,
    beat_at  REAL NOT NULL,
    error    TEXT NOT NULL DEFAULT ''
);
"""

SCHEMA = CORE + IMPORT_REMOVALS + DEDUPE + CODING + CODE_CHECKS + SCREENING

# version -> SQL that upgrades a file from version-1 to version (gaps are fine).
MIGRATIONS: dict[int, str] = {
    # issue 16: records the file ends inside, or with no title, author or DOI, are kept
    # and say why they may be incomplete
    2: "ALTER TABLE records ADD COLUMN incomplete TEXT NOT NULL DEFAULT ''",
    # issue 13: how sure each automatic code is (NULL until the project is re-coded)
    3: "ALTER TABLE auto_codes ADD COLUMN confidence REAL;",
    # issue 12: which records a "different" decision took out of a group they shared
    5: "ALTER TABLE dedupe_decisions ADD COLUMN leaving TEXT NOT NULL DEFAULT '[]'",
    # issue 13: a reviewer's confirmations and corrections from the Check codes page
    6: CODE_CHECKS,
}
