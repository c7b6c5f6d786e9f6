"""The app's entry point: its pages in the order of the work, the Overview first.

``streamlit run app.py`` (what ``python run.py app`` does) runs this script before every
page. It only lists the pages: each page is a script of its own under ``app_pages/``,
the Overview too. Listing them with ``st.navigation`` is what names the first page
"Overview" in the navigation (Streamlit names the main script's page after its file,
"app"). The folder is not called ``pages/``: Streamlit discovers a folder of that name
by itself, and a fresh server whose first visitor opened a page other than the Overview
listed the main script as a stray "app" entry above the pages. Every script in
``app_pages/`` is listed, in the order of its leading number, so a new page needs no
change here; its title and address come from its file name ("5_Explore.py": Explore).
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "app_pages"
OVERVIEW = PAGES / "0_Overview.py"


def _order(path: Path) -> tuple[int, str]:
    number = re.match(r"\d+", path.name)
    return (int(number.group()) if number else 1_000_000, path.name.casefold())


others = sorted((p for p in PAGES.glob("[!_.]*.py") if p != OVERVIEW), key=_order)
st.navigation(
    [st.Page(OVERVIEW, title="Overview", default=True), *(st.Page(p) for p in others)]
).run()
