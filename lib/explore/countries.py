"""Studies per country on a world map (a Plotly choropleth), the UK's nations rolled up.

Country codes are names ("United Kingdom", "England", "USA"); the map needs ISO 3166
alpha-3 codes, which `pycountry` gives for most names. The codebook also names the UK's
nations, which are not countries on a world map: England, Scotland, Wales and Northern
Ireland count as the United Kingdom (a study coded England and United Kingdom counts
once there), and the hover says which names were rolled up. A name with no code, or a
country too small for the map's scale (Malta, Singapore), is listed rather than dropped.

The map's shapes are Plotly's own world map at 1:110m, served by the app itself
(`static/topojson/`, see `TOPOJSON_URL`): without it Plotly fetches them from its CDN.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pycountry

from lib.explore.charts import base_layout, empty_figure, figure
from lib.explore.filters import Filters, mask
from lib.explore.index import StudyIndex
from lib.explore.labels import count_text, plot_text

__all__ = [
    "MAP_CONFIG",
    "TOPOJSON_URL",
    "UK_NATIONS",
    "country_map",
    "country_table",
    "iso3",
    "on_the_map",
]

# Relative to the page's address, so it works under any base URL path of the server.
TOPOJSON_URL = "app/static/topojson/"
MAP_CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False}
_TOPOJSON = Path(__file__).resolve().parents[2] / "static" / "topojson" / "world_110m.json"
UK_NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")
# Names in common use that pycountry does not know (it has "Russian Federation",
# "Türkiye", "Côte d'Ivoire" ...). Kosovo has no ISO code; XKX is the one in common use.
_ALIASES = {
    **dict.fromkeys(UK_NATIONS, "GBR"),
    "UK": "GBR",
    "Great Britain": "GBR",
    "Britain": "GBR",
    "US": "USA",
    "United States of America": "USA",
    "Russia": "RUS",
    "Turkey": "TUR",
    "Ivory Coast": "CIV",
    "Democratic Republic of the Congo": "COD",
    "DR Congo": "COD",
    "Republic of the Congo": "COG",
    "Kosovo": "XKX",
    "South Korea": "KOR",
    "North Korea": "PRK",
    "Iran": "IRN",
    "Syria": "SYR",
    "Vietnam": "VNM",
    "Laos": "LAO",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Tanzania": "TZA",
    "Moldova": "MDA",
    "Taiwan": "TWN",
    "Palestine": "PSE",
    "Czech Republic": "CZE",
    "Swaziland": "SWZ",
    "Macedonia": "MKD",
}
_SCALE = [[0.0, "#C6DBEF"], [1.0, "#08306B"]]  # light but visible blue to dark blue


@lru_cache(maxsize=4096)
def iso3(name: str) -> str | None:
    """The ISO 3166 alpha-3 code of a country name (UK nations: GBR), or None."""
    text = name.strip()
    if text in _ALIASES:
        return _ALIASES[text]
    try:
        return str(pycountry.countries.lookup(text).alpha_3)
    except LookupError:
        return None


@lru_cache(maxsize=1)
def on_the_map() -> frozenset[str]:
    """The alpha-3 codes of the countries the world map draws."""
    data = json.loads(_TOPOJSON.read_text(encoding="utf-8"))
    shapes = data["objects"]["countries"]["geometries"]
    return frozenset(str(g["id"]) for g in shapes if g.get("id"))


def _name(code: str, names: list[str]) -> str:
    """How a map country is called: its usual name when it was coded by it."""
    if code == "GBR":
        return "United Kingdom"
    if len(names) == 1:
        return names[0]
    found = pycountry.countries.get(alpha_3=code)
    return str(getattr(found, "common_name", None) or found.name) if found else names[0]


def country_table(
    studies: pd.DataFrame, filters: Filters, index: StudyIndex | None = None
) -> pd.DataFrame:
    """One row per country on the map, most studies first, then the names the map cannot
    show: ``country`` (label), ``iso3`` ("" when not on the map), ``studies`` (each study
    once), ``names`` (the coded names counted there, e.g. ``["England", "Wales"]``)."""
    index = index if index is not None else StudyIndex(studies)
    chosen = mask(studies, filters, index)
    values = index.facet("country")
    keep = chosen[values.rows]
    rows, codes = values.rows[keep], values.codes[keep]
    drawn = on_the_map()
    by_place: dict[str, tuple[set[int], list[str]]] = {}
    for name_code, name in enumerate(values.categories):
        code = iso3(name)
        place = code if code in drawn else f"\x00{name}"  # not on the map: by its own name
        in_name = set(rows[codes == name_code].tolist())
        if not in_name:
            continue
        seen, names = by_place.setdefault(place, (set(), []))
        seen |= in_name
        names.append(name)
    out = [
        {
            "country": place[1:] if place.startswith("\x00") else _name(place, names),
            "iso3": "" if place.startswith("\x00") else place,
            "studies": len(seen),
            "names": names,
        }
        for place, (seen, names) in by_place.items()
    ]
    table = pd.DataFrame(out, columns=["country", "iso3", "studies", "names"])
    table["on_map"] = table["iso3"] != ""
    table = table.sort_values(
        ["on_map", "studies", "country"], ascending=[False, False, True], kind="stable"
    )
    return table.drop(columns="on_map").reset_index(drop=True)


def country_map(table: pd.DataFrame) -> go.Figure:
    """A world map of a `country_table`: each country shaded by its studies; a click
    selects the country (every name counted there)."""
    shown = table[table["iso3"] != ""]
    if shown.empty:
        return empty_figure("No study among these names a country on the map")
    hover = [
        f"{plot_text(row.country)}: {count_text(int(row.studies))}"
        + (f"<br>coded as {plot_text(', '.join(row.names))}" if row.names != [row.country] else "")
        for row in shown.itertuples()
    ]
    # per country every name counted there, as field/value pairs (see charts.customdata)
    points = [[item for n in names for item in ("country", n)] for names in shown["names"]]
    trace = {
        "type": "choropleth",
        "locationmode": "ISO-3",
        "locations": shown["iso3"].to_numpy(dtype=object),
        "z": shown["studies"].to_numpy(),
        "zmin": 0,
        "zmax": max(int(shown["studies"].max()), 1),
        "colorscale": _SCALE,
        "marker": {"line": {"color": "#666666", "width": 0.5}},
        "colorbar": {"title": {"text": "Studies"}, "tickformat": ",d", "outlinewidth": 1},
        "customdata": points,
        "hovertext": np.asarray(hover, dtype=object),
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    layout = base_layout(
        "Studies per country (UK nations shown as the United Kingdom)",
        480,
        geo={
            "projection": {"type": "natural earth"},
            "showframe": False,
            "showcountries": True,
            "countrycolor": "#BBBBBB",
            "showland": True,
            "landcolor": "#F4F4F4",
            "showocean": False,
            "lataxis": {"range": [-58, 85]},
        },
    )
    return figure([trace], layout)
