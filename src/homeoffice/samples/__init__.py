"""Sample data sets shipped with the package.

``thesis-2023``: table 4.2 of the thesis (8 informants x 8 category means on 1-5), read with
the ``thesis-2023`` instrument's scale-level input.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from homeoffice.errors import HomeofficeError

SAMPLES = {
    "thesis-2023": ("thesis-2023-table-4-2.csv", "thesis-2023", "Master's thesis (2023), table 4.2"),
}


def sample_names() -> list[str]:
    return sorted(SAMPLES)


def sample_text(name: str) -> str:
    """The sample's CSV text; unknown names get the list of known ones."""
    if name not in SAMPLES:
        raise HomeofficeError(
            "unknown_sample",
            "unknown sample '%(name)s'; known samples: %(known)s",
            params={"name": name, "known": ", ".join(sample_names())},
        )
    return resources.files(__name__).joinpath(SAMPLES[name][0]).read_text(encoding="utf-8")


def write_sample(name: str, out: str | Path) -> Path:
    """Write a sample as CSV to ``out``."""
    path = Path(out)
    path.write_text(sample_text(name), encoding="utf-8")
    return path
