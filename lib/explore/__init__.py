"""The Explore and Evidence map pages' library: filters, URL state, counts and charts.

Pure functions over the studies table (`lib.views.studies`); the pages only read widgets, call
these and render. Nothing here imports Streamlit.
"""
