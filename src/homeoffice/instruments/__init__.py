"""Instruments as data: the file format, its loader and the built-in instruments."""

from homeoffice.instruments.loader import (
    Instrument,
    builtin_ids,
    instrument_from_dict,
    load_instrument,
    load_instrument_file,
)

__all__ = ["Instrument", "builtin_ids", "instrument_from_dict", "load_instrument", "load_instrument_file"]
