"""Limits that protect the machine from a file that would exhaust memory.

Change them here (or through the environment, for a server deployment); the messages
that enforce them say what the limit is and what to do.
"""

from __future__ import annotations

import os

__all__ = ["BUSY_WAIT_SECONDS", "MAX_FILE_BYTES", "MAX_RECORDS"]

# The largest file read at all (an export of 100k records with abstracts is ~200 MB).
MAX_FILE_BYTES: int = int(os.environ.get("LITREVIEW_MAX_FILE_MB", "300")) * 1_000_000
# The most records one file may hold.
MAX_RECORDS: int = int(os.environ.get("LITREVIEW_MAX_RECORDS", "1000000"))
# How long an import waits for another session's write to the same project (another
# import, say) before it gives up with a message; it says it is waiting meanwhile.
BUSY_WAIT_SECONDS: float = float(os.environ.get("LITREVIEW_BUSY_WAIT_S", "600"))
