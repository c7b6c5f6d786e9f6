"""Automatic coding of records with an editable codebook (``data/codebook.yaml``).

Public API (a contract others rely on):

- `load_codebook(path_or_text) -> Codebook` (raises `CodebookError` naming the facet, code
  and rule), `Codebook.to_yaml()`, `default_codebook_path()`;
- `code_record(record, codebook) -> Coding` and `code_records(records, codebook)`;
  a `Coding` holds per facet its codes, its ``confidence`` (0 to 1; 0.5 a coin, "unclear"
  0.5 or less) and `evidence: list[Evidence]`, each with ``facet, code, phrase, field,
  start, end, rule, sentence_start, sentence_end, role`` (``Evidence.sentence(text)``
  gives the sentence);
- `sentence_roles(abstract, codebook)`: the sentences of an abstract and their roles, as
  the coder reads them;
- `FACETS` (the facet names, in output order) and `CSV_COLUMNS` (the ``code`` command's
  output columns).
"""

from lib.coding.codebook import (
    FACETS,
    FIELDS,
    Code,
    Codebook,
    CodebookError,
    Facet,
    default_codebook_path,
    facet_column,
    load_codebook,
)
from lib.coding.engine import (
    CSV_COLUMNS,
    Coding,
    Evidence,
    code_record,
    code_records,
    code_texts,
    record_texts,
    sentence_roles,
)

__all__ = [
    "CSV_COLUMNS",
    "FACETS",
    "FIELDS",
    "Code",
    "Codebook",
    "CodebookError",
    "Coding",
    "Evidence",
    "Facet",
    "code_record",
    "code_records",
    "code_texts",
    "default_codebook_path",
    "facet_column",
    "load_codebook",
    "record_texts",
    "sentence_roles",
]
