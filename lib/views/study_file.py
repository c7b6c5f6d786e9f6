"""The app's studies table saved in a file between runs (Arrow IPC), and read back.

`lib.views.study_cache` saves its table here after a full build and every so often, so
a new process starts from it and patches only what changed since, instead of reading
50k studies and 400k codes from the project. The file is derived data: a file of another
format, another project or unreadable is simply not used (None), never an error.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from lib.views import studies as study_module

__all__ = ["FORMAT", "read", "read_columns", "write"]

FORMAT = "studies-1"  # of the file; another value: not read


def write(path: Path, table: pd.DataFrame, order: np.ndarray, marks: str) -> bool:
    """Save ``table`` (with each row's arrival ``order`` and the ``marks`` it was read
    from, as text) to ``path``, atomically; False when it could not be written."""
    try:
        data = pa.Table.from_pandas(table, preserve_index=False)
        data = data.append_column("_order", pa.array(order, pa.int64()))
        meta = {b"format": FORMAT.encode(), b"marks": marks.encode()}
        data = data.replace_schema_metadata({**(data.schema.metadata or {}), **meta})
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        feather.write_feather(data, partial, compression="uncompressed")
        os.replace(partial, path)
    except (OSError, pa.ArrowException, ValueError, TypeError):
        return False
    return True


def read(path: Path) -> tuple[pd.DataFrame, np.ndarray, str] | None:
    """``(table, order, marks)`` as `write` saved them, or None (no file, another format,
    unreadable)."""
    if not path.exists():
        return None
    with contextlib.suppress(OSError, pa.ArrowException, ValueError, KeyError, TypeError):
        data = feather.read_table(path, memory_map=False)
        meta = data.schema.metadata or {}
        if meta.get(b"format") != FORMAT.encode():
            return None
        order = data.column("_order").to_numpy()
        lists = [c for c in study_module.LIST_COLUMNS if c in data.column_names]
        frame = data.drop_columns(["_order", *lists]).to_pandas()
        for column in lists:  # the table's contract: Python lists, not arrays
            frame[column] = data.column(column).to_pylist()
        frame["study_id"] = frame["study_id"].astype(object)
        return frame[list(study_module.STUDY_COLUMNS)], order, meta[b"marks"].decode()
    return None


def read_columns(path: Path, columns: list[str]) -> tuple[pd.DataFrame, str] | None:
    """``(some columns of the table, marks)`` as `write` saved them, or None."""
    if not path.exists():
        return None
    with contextlib.suppress(OSError, pa.ArrowException, ValueError, KeyError, TypeError):
        data = feather.read_table(path, columns=columns, memory_map=True)
        meta = data.schema.metadata or {}
        if meta.get(b"format") != FORMAT.encode():
            return None
        lists = [c for c in study_module.LIST_COLUMNS if c in columns]
        frame = data.drop_columns(lists).to_pandas()
        for column in lists:  # the table's contract: Python lists, not arrays
            frame[column] = data.column(column).to_pylist()
        if "study_id" in frame:
            frame["study_id"] = frame["study_id"].astype(object)
        return frame[columns], meta[b"marks"].decode()
    return None
