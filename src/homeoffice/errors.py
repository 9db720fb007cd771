"""Errors the user can fix; shells show the message and exit with status 2.

    HomeofficeError(ValueError)
      +-- InstrumentError   a bad instrument, catalogue or norm file (file, key path)
      +-- AnswersError      bad survey data (file, row, column, item)
      +-- PolicyError       bad cut policy or cut values

Each error has a stable ``code`` (tests and callers check it, never the message text),
the human message, its ``params`` and a ``where`` naming the location.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Where:
    """Location of a problem. Rows are 1-based file lines (header is line 1)."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    item: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.item and self.item != self.column:
            parts.append(f"item {self.item}")
        if self.key:
            parts.append(f"at {self.key}")
        return ", ".join(parts)


class HomeofficeError(ValueError):
    """A problem in the user's input, with a stable code and a location."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        params: Mapping[str, object] | None = None,
        where: Where | None = None,
    ) -> None:
        self.code = code
        self.params = dict(params or {})
        self.where = where
        self.message = message % self.params if self.params else message
        super().__init__(self.describe())

    def describe(self) -> str:
        """The message with its location in front, as shells print it."""
        if self.where and str(self.where):
            return f"{self.where}: {self.message}"
        return self.message


class InstrumentError(HomeofficeError):
    """An instrument, measure catalogue or norm table file is invalid."""


class AnswersError(HomeofficeError):
    """Survey answers cannot be read or do not fit the instrument."""


class PolicyError(HomeofficeError):
    """A cut policy or its cut values are invalid."""
