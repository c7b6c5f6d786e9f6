"""Limits that protect the machine from a file that would exhaust memory.

Change them here (or through the environment, for a server deployment); the messages
that enforce them say what the limit is and what to do.
"""

from __future__ import annotations

import os

__all__ = ["MAX_FILE_BYTES", "MAX_RECORDS"]

# The largest file read at all (an export of 100k records with abstracts is ~200 MB).
MAX_FILE_BYTES: int = int(os.environ.get("LITREVIEW_MAX_FILE_MB", "300")) * 1_000_000
# The most records one file may hold.
MAX_RECORDS: int = int(os.environ.get("LITREVIEW_MAX_RECORDS", "1000000"))
