"""The pages' view layer: what a page shows, computed without Streamlit.

Each module turns project data into something a page renders (tables, figures, text
spans) or turns a page's input into a call into the library, so the pages stay thin
scripts of widgets and rendering:

| module | what |
|---|---|
| `studies` | the studies table every page reads (one row per study, with its codes) |
| `study_cache` | that table kept current study by study for the app |
| `study_file` | that table saved between runs of the app, and read back |
| `scope` | which studies the pages work on (included, + maybe, all), as rows of that table |
| `compare` | two records side by side, field by field, for the Duplicates page |
| `bulk_decisions` | "accept every pair at or above a score" on the Duplicates page |
| `duplicate_review` | the Duplicates page's decisions, questions and lists, in words |
| `highlight` | evidence spans in a study's text, coloured by facet, as text-safe Markdown |
| `study` | one study for the Study page: merged record, evidence lines, tables |
| `codebook` | the codebook as tables and facts, history and previews, for the Codebook page |
| `codebook_edit` | one code or one facet changed in the codebook's YAML, versions moved on |
| `flow` | a flow diagram (boxes, side boxes, phase bands) as an SVG that scales whole |
| `prisma` | PRISMA 2020 counts from the project, drawn as a flow diagram and a table |
"""
