"""The import report: what one file gave, what it did not, and why.

It is shown by the command line and the Import page, and stored with the import in the
project file, so a reviewer can always answer "where did record 212 go?".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lib.readers.base import Skipped

__all__ = ["ImportReport", "Incomplete"]


class Incomplete(Skipped):
    """A record kept but marked incomplete (`Record.incomplete`), and where it is: its
    line, why, and ``record``, the id the file gave it ("record smith2020")."""


# Incomplete records listed one per line in `ImportReport.lines`; the Import page lists all.
_SHOWN = 20


@dataclass(slots=True)
class ImportReport:
    file_name: str
    format: str = ""  # registry name, e.g. "ris"
    format_label: str = ""  # e.g. "RIS"
    encoding: str = ""
    database: str = ""  # the label the user gave ("Scopus")
    sha256: str = ""
    size: int = 0
    records_read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    unknown_fields: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    renamed_ids: list[tuple[str, str]] = field(default_factory=list)  # (given, used)
    incomplete: list[Incomplete] = field(default_factory=list)  # kept, among records_read

    @property
    def records_skipped(self) -> int:
        return len(self.skipped)

    @property
    def records_incomplete(self) -> int:
        return len(self.incomplete)

    def lines(self) -> list[str]:
        """The report as short human-readable lines (for the terminal and the app)."""
        head = (
            f"{self.file_name}: {self.format_label or self.format}, {self.encoding}"
            f"{f', database {self.database}' if self.database else ''}: "
            f"{self.records_read} read"
            + (f" ({self.records_incomplete} incomplete)" if self.incomplete else "")
            + f", {self.records_skipped} skipped"
        )
        out = [head]
        out += [f"  skipped {s.message()}" for s in self.skipped]
        out += [f"  incomplete, kept: {i.message()}" for i in self.incomplete[:_SHOWN]]
        if len(self.incomplete) > _SHOWN:
            out.append(f"  and {len(self.incomplete) - _SHOWN} more incomplete record(s)")
        if self.unknown_fields:
            fields = ", ".join(f"{k} ({v})" for k, v in sorted(self.unknown_fields.items()))
            out.append(f"  fields kept but not understood: {fields}")
        if self.renamed_ids:
            shown = ", ".join(f"{a} -> {b}" for a, b in self.renamed_ids[:10])
            more = len(self.renamed_ids) - 10
            out.append(
                f"  {len(self.renamed_ids)} record id(s) already used, renamed: {shown}"
                + (f" and {more} more" if more > 0 else "")
            )
        out += [f"  note: {n}" for n in self.notes]
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["renamed_ids"] = [list(p) for p in self.renamed_ids]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        data = dict(data)
        data["skipped"] = [Skipped(**s) for s in data.get("skipped", [])]
        data["incomplete"] = [Incomplete(**i) for i in data.get("incomplete", [])]
        data["renamed_ids"] = [tuple(p) for p in data.get("renamed_ids", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
