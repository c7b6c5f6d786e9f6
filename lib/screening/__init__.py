"""Screening: from thousands of search results to the included studies.

| module | what |
|---|---|
| `studies` | which study each record is in now: the one lookup decisions are resolved by |
| `decisions` | include / exclude / maybe, two stages, history, undo; merged records: conflicts |
| `queue` | the screening state, the next study to show (ranked, random or import order), progress |
| `ranking` | TF-IDF features and the linear model that puts the likely relevant first |
| `worker` | the background process that retrains the ranking as decisions come in |
| `simulation` | a labelled set screened by the ranking, and WSS@95 / recall / ATD |
| `stopping` | records since the last include and the relevant still unscreened, with an interval |
| `scope` | which studies the pages work on, and the PRISMA 2020 screening counts |
| `prisma` | the PRISMA 2020 screening boxes (records, reports, studies) from the decisions |
| `terms` | the reviewer's include and exclude terms, saved and found in text |
| `importing` | decisions made earlier (CSV, Rayyan, ASReview, our exports) matched to studies |
"""
