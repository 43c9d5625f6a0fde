"""The reading list's pages, one module per part: browse, item, curation, exports, bibtex_import."""

from reading.views.bibtex_import import import_bibtex
from reading.views.browse import item_list, shelf
from reading.views.curation import item_curate, item_move, item_reject
from reading.views.exports import export_bib, export_csv
from reading.views.item import item_detail, item_edit, item_endorse, item_new, item_progress
from reading.views.topics import home_topics

__all__ = [
    "export_bib",
    "export_csv",
    "home_topics",
    "import_bibtex",
    "item_curate",
    "item_detail",
    "item_edit",
    "item_endorse",
    "item_list",
    "item_move",
    "item_new",
    "item_progress",
    "item_reject",
    "shelf",
]
