"""Realistic studies tables (the columns of `lib.views.studies`) of any size, from a seed.

The app's pages and the explore/export library read one table; these factories make one
without a project file, so the pure functions can be tested on 50 rows and benchmarked on
50,000. Values follow the coding vocabulary and the shapes `lib.views.studies` documents (lists
for multi-valued facets, ``Int64`` years with some missing, sorted unique databases).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.views.studies import FACETS, STUDY_COLUMNS

__all__ = ["HOSTILE_TITLES", "VOCABULARY", "make_studies"]

VOCABULARY: dict[str, tuple[str, ...]] = {
    "method": (
        "systematic-review",
        "narrative-review",
        "rct",
        "quasi-experimental",
        "pre-post",
        "survey",
        "qualitative",
        "mixed-methods",
        "case-study",
        "commentary",
        "unclear",
    ),
    "population": (
        "sexual-offences",
        "violent-offences",
        "women",
        "young-people",
        "older-people",
        "mental-health",
        "substance-use",
        "long-sentence",
        "general-prison",
        "reentry",
        "staff",
    ),
    "perspective": ("peer-supporters", "recipients", "staff"),
    "direction": ("benefit", "mixed", "challenge", "null", "unclear"),
    "themes": (
        "identity-desistance",
        "wellbeing",
        "suicide-self-harm",
        "physical-health",
        "substance-use",
        "reoffending",
        "treatment-engagement",
        "prison-climate",
        "education-employment",
        "institutional-barriers",
        "relationships",
    ),
    "setting": ("prison", "jail", "youth-custody", "secure-hospital", "community"),
    "country": (
        "United Kingdom",
        "England",
        "Wales",
        "Scotland",
        "Ireland",
        "USA",
        "Canada",
        "Australia",
        "New Zealand",
        "South Africa",
        "Belgium",
        "Netherlands",
        "Norway",
        "Sweden",
        "Germany",
        "Spain",
        "Brazil",
        "India",
        "Japan",
        "Côte d'Ivoire",
    ),
    "peer_role": (
        "listener",
        "mentor",
        "educator",
        "buddy-carer",
        "peer-worker",
        "reading-mentor",
        "therapeutic-community",
        "recovery",
    ),
}
# Weights make the distribution lopsided, as real corpora are (most studies qualitative,
# most findings positive, most in prisons in the UK or USA).
_WEIGHTS: dict[str, tuple[float, ...]] = {
    "method": (3, 4, 2, 5, 6, 8, 30, 10, 8, 6, 4),
    "direction": (50, 20, 10, 5, 15),
    "setting": (70, 8, 10, 4, 20),
    "country": (20, 15, 5, 5, 3, 25, 8, 8, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1),
}
DATABASES = ("EBSCOhost", "PubMed", "Scopus", "Web of Science", "Zotero")
_DB_PREFIX = {"EBSCOhost": "eb", "PubMed": "pm", "Scopus": "sc", "Web of Science": "wos"}

_WORDS = (
    "peer support prison listeners mentoring desistance wellbeing suicide self-harm "
    "custody staff recovery identity wounded healer evaluation programme outcomes "
    "qualitative interviews survey trial prisoners offenders women young people "
    "rehabilitation community reentry education employment relationships climate "
    "mental health substance use reoffending engagement barriers institutional "
    "therapeutic sexual violent long sentence older jail hospital secure insider "
    "experiences perspectives impact review systematic narrative mixed methods case "
    "study commentary effect benefit challenge role meaning hope agency trust safety"
).split()
_FAMILIES = (
    *"Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson".split(),
    *"Evans Walker White Roberts Green Hall Wood Jackson Clarke Müller García O'Brien".split(),
    *"Nguyen Kowalski Dubois Rossi Andersson Okafor Perrin".split(),
    "Ó Súilleabháin",
    "van der Berg",
)
_GIVEN = ("A.", "J.", "K. L.", "M.", "S.", "D. R.", "E.", "L.-L.", "C.", "P. T.")
_JOURNALS = (
    "Prison Journal",
    "Howard Journal of Crime and Justice",
    "Criminal Justice and Behavior",
    "International Journal of Offender Therapy and Comparative Criminology",
    "Journal of Forensic Psychiatry & Psychology",
    "Health & Justice",
    "Crisis",
    "Probation Journal",
)
# Titles that must render as text and export inert (issue 7, hostile content).
HOSTILE_TITLES: tuple[str, ...] = (
    "**bold** [x](javascript:alert(1))",
    "<script>alert('title')</script> Peer support in prison",
    '<img src=x onerror="alert(1)"> Listeners and wellbeing',
    '=HYPERLINK("http://evil.example","click")',
    "+1 peer mentors; -2 staff; @SUM(A1:A9)",
    "\tTabbed title with :red[colour] and $x^2$ and # heading",
    "Title with {braces} and 100% of \\commands & ampersands_under",
)


def _pick_many(
    rng: np.random.Generator, values: tuple[str, ...], n: int, max_k: int, p_empty: float
) -> list[list[str]]:
    """``n`` lists of 0..max_k distinct values, in vocabulary order."""
    k = rng.integers(1, max_k + 1, size=n)
    k[rng.random(n) < p_empty] = 0
    order = np.argsort(rng.random((n, len(values))), axis=1)
    out: list[list[str]] = []
    for row, kk in zip(order, k, strict=True):
        out.append([values[j] for j in sorted(row[:kk])])
    return out


def _choice(rng: np.random.Generator, facet: str, n: int) -> np.ndarray:
    values = VOCABULARY[facet]
    weights = np.asarray(_WEIGHTS.get(facet, (1,) * len(values)), dtype=float)
    return rng.choice(np.asarray(values, dtype=object), size=n, p=weights / weights.sum())


_KEYWORDS = (
    "peer support",
    "prison",
    "Listeners",
    "desistance",
    "mentoring",
    "suicide prevention",
    "wounded healer",
    "reentry",
    "qualitative research",
    "sexual offending",
)


def _keywords(seed: int, n: int) -> list[list[str]]:
    """0-4 keywords per study, most with some (from a generator of their own, so adding
    them changed no other column of an existing seed)."""
    rng = np.random.default_rng(seed + 1_000_003)
    counts = rng.choice(5, size=n, p=[0.15, 0.2, 0.3, 0.2, 0.15])
    return [list(rng.choice(_KEYWORDS, size=int(k), replace=False)) for k in counts]


def make_studies(n: int, seed: int = 0, *, hostile: bool = False) -> pd.DataFrame:
    """A studies table of ``n`` rows with every column of `lib.views.studies.STUDY_COLUMNS`.

    The same ``(n, seed)`` always gives the same table. With ``hostile`` the first rows
    carry `HOSTILE_TITLES` (and an abstract and author name of the same kind).
    """
    rng = np.random.default_rng(seed)
    words = np.asarray(_WORDS, dtype=object)
    title_len = rng.integers(5, 16, size=n)
    abstract_len = rng.integers(60, 220, size=n)
    title_words = rng.integers(0, len(words), size=int(title_len.sum()))
    abstract_words = rng.integers(0, len(words), size=int(abstract_len.sum()))
    titles = [
        " ".join(chunk).capitalize()
        for chunk in np.split(words[title_words], np.cumsum(title_len)[:-1])
    ]
    abstracts = [
        " ".join(chunk).capitalize() + "."
        for chunk in np.split(words[abstract_words], np.cumsum(abstract_len)[:-1])
    ]
    n_authors = rng.integers(1, 7, size=n)
    fam_idx = rng.integers(0, len(_FAMILIES), size=int(n_authors.sum()))
    giv_idx = rng.integers(0, len(_GIVEN), size=int(n_authors.sum()))
    author_lists: list[list[str]] = []
    pos = 0
    for k in n_authors:
        author_lists.append(
            [f"{_FAMILIES[fam_idx[j]]}, {_GIVEN[giv_idx[j]]}" for j in range(pos, pos + k)]
        )
        pos += k

    years = pd.array(
        np.clip(np.round(2025 - rng.gamma(2.0, 5.0, size=n)), 1975, 2025).astype("int64"),
        dtype="Int64",
    )
    years[rng.random(n) < 0.03] = pd.NA

    db_masks = rng.random((n, len(DATABASES))) < np.array([0.35, 0.45, 0.6, 0.5, 0.15])
    db_masks[~db_masks.any(axis=1), 2] = True  # every study was found somewhere
    databases = [[DATABASES[j] for j in np.flatnonzero(row)] for row in db_masks]
    study_ids: list[str] = []
    record_ids: list[list[str]] = []
    for i, dbs in enumerate(databases):
        ids = [f"{_DB_PREFIX.get(db, 'zot')}-{i + 1}" for db in dbs]
        study_ids.append(ids[0])
        record_ids.append(ids)

    has_doi = rng.random(n) < 0.8
    dois = [f"10.{1000 + i % 9000}/pj.{seed}.{i}" if has_doi[i] else "" for i in range(n)]
    overridden = [["method"] if r < 0.05 else [] for r in rng.random(n)]

    data: dict[str, object] = {
        "study_id": study_ids,
        "title": titles,
        "authors": ["; ".join(a) for a in author_lists],
        "first_author": [a[0].split(",")[0] for a in author_lists],
        "year": years,
        "journal": rng.choice(np.asarray(_JOURNALS, dtype=object), size=n),
        "volume": [str(v) for v in rng.integers(1, 90, size=n)],
        "issue": [str(v) for v in rng.integers(1, 6, size=n)],
        "pages": [
            f"{p}-{p + q}"
            for p, q in zip(rng.integers(1, 900, size=n), rng.integers(5, 30, size=n), strict=True)
        ],
        "doi": dois,
        "abstract": abstracts,
        "entrytype": np.where(rng.random(n) < 0.9, "article", "chapter"),
        "n_records": [len(r) for r in record_ids],
        "record_ids": record_ids,
        "databases": databases,
        "keywords": _keywords(seed, n),
        "other_reports": [[] for _ in range(n)],
        "other_record_ids": [[] for _ in range(n)],
        "method": _choice(rng, "method", n),
        "population": _pick_many(rng, VOCABULARY["population"], n, 3, 0.1),
        "perspective": _pick_many(rng, VOCABULARY["perspective"], n, 2, 0.15),
        "direction": _choice(rng, "direction", n),
        "themes": _pick_many(rng, VOCABULARY["themes"], n, 4, 0.05),
        "setting": [[s] for s in _choice(rng, "setting", n)],
        "country": _pick_many(rng, VOCABULARY["country"], n, 2, 0.3),
        "peer_role": _pick_many(rng, VOCABULARY["peer_role"], n, 2, 0.1),
        "overridden": overridden,
        "checked": rng.random(n) < 0.1,
    }
    table = pd.DataFrame(data)
    for column in (
        "title",
        "authors",
        "first_author",
        "journal",
        "volume",
        "issue",
        "pages",
        "doi",
        "abstract",
        "entrytype",
        "study_id",
        "method",
        "direction",
    ):
        table[column] = table[column].astype("str")
    table["n_records"] = table["n_records"].astype("int64")
    if hostile:
        for i, title in enumerate(HOSTILE_TITLES[: min(n, len(HOSTILE_TITLES))]):
            table.loc[i, "title"] = title
            table.loc[i, "abstract"] = f"{title} — an abstract that repeats the title."
            table.loc[i, "authors"] = "=cmd|' /C calc'!A0, X.; Smith, J."
            table.loc[i, "first_author"] = "=cmd|' /C calc'!A0"
    assert tuple(table.columns) == STUDY_COLUMNS, "factory out of step with lib.views.studies"
    assert set(FACETS) <= set(table.columns)
    return table
