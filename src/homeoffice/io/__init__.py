"""Reading survey answers (CSV, XLSX, SAV, column mappings) and writing result tables.

Data out (answers and scores with a codebook) is :mod:`homeoffice.io.exports`; data in from other
survey tools (proposed mapping, preview, all-or-nothing import) is :mod:`homeoffice.io.imports`,
with the tools' presets in :mod:`homeoffice.io.presets`.
"""

from homeoffice.io.mapping import ColumnMapping, load_mapping, mapping_from_dict, mapping_to_dict, save_mapping
from homeoffice.io.readers import (
    EXPORT_MARKERS,
    ID_COLUMNS,
    METADATA_COLUMNS,
    UNIT_COLUMNS,
    Answers,
    read_answers,
    read_answers_checked,
)
from homeoffice.io.writers import FORMATS, write_table

__all__ = [
    "EXPORT_MARKERS",
    "FORMATS",
    "ID_COLUMNS",
    "METADATA_COLUMNS",
    "UNIT_COLUMNS",
    "Answers",
    "ColumnMapping",
    "load_mapping",
    "mapping_from_dict",
    "mapping_to_dict",
    "read_answers",
    "read_answers_checked",
    "save_mapping",
    "write_table",
]
