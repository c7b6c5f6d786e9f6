"""The pages' view layer: what a page shows, computed without Streamlit.

Each module turns project data into something a page renders (tables, figures, text
spans) or turns a page's input into a call into the library, so the pages stay thin
scripts of widgets and rendering:

| module | what |
|---|---|
| `studies` | the studies table every page reads (one row per study, with its codes) |
| `compare` | two records side by side, field by field, for the Duplicates page |
| `bulk_decisions` | "accept every pair at or above a score" on the Duplicates page |
| `highlight` | evidence spans in a study's text, rendered as text-safe Markdown |
| `codebook` | the codebook as tables and facts for the Codebook page |
| `prisma` | PRISMA 2020 counts from the project, drawn as a figure and a table |
"""
