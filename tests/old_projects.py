"""Project files as earlier versions of the tool wrote them, for the migration tests.

Every schema change after version 1 is undone here, so a test of one migration opens a
genuine version-1 file (and every later migration runs over it too). A new migration adds
its undo to `downgrade_to_schema_1`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# what each migration added, undone newest first (an index before its column)
_UNDO = (
    "DROP TABLE IF EXISTS code_checks",  # 6: issue 13, Check codes (drops its indexes)
    "ALTER TABLE dedupe_decisions DROP COLUMN leaving",  # 5: issue 12
    "DROP INDEX IF EXISTS auto_codes_confidence",
    "ALTER TABLE auto_codes DROP COLUMN confidence",  # 3: issue 13
    "ALTER TABLE records DROP COLUMN incomplete",  # 2: issue 16
    "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
)


def downgrade_to_schema_1(path: Path) -> None:
    """Make a closed project file look as the tool of schema version 1 left it."""
    conn = sqlite3.connect(path)
    try:
        for statement in _UNDO:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
