"""Reading survey answers (CSV, XLSX, column mappings) and writing result tables."""

from homeoffice.io.mapping import ColumnMapping, load_mapping, mapping_from_dict
from homeoffice.io.readers import ID_COLUMNS, METADATA_COLUMNS, Answers, read_answers
from homeoffice.io.writers import FORMATS, write_table

__all__ = [
    "FORMATS",
    "ID_COLUMNS",
    "METADATA_COLUMNS",
    "Answers",
    "ColumnMapping",
    "load_mapping",
    "mapping_from_dict",
    "read_answers",
    "write_table",
]
