"""Errors of the exchange formats.

    CatalogError (graph.errors)
    └── ExchangeError
        ├── FileRefused       the file as a whole: too large, not xlsx or CSV, no header,
        │                     an encoding it does not keep to
        ├── EventRefused      an OpenLineage run event that records nothing, and why
        └── ImportInterrupted the write of a checked import failed part-way: how many
                              entries were written, and the failure (`retriable` as its)

A row a rule refuses is no error of the file: it is a `Problem` of the import's report
(`graph.exchange.importing`), naming sheet, row, column, value and what would be accepted.
"""

from __future__ import annotations

from typing import Any

from graph.errors import CatalogError

__all__ = ["EventRefused", "ExchangeError", "FileRefused", "ImportInterrupted"]


class ExchangeError(CatalogError):
    code = "EXCHANGE_ERROR"


class FileRefused(ExchangeError):
    """The file cannot be imported at all; the message says why and what would do."""

    code = "FILE_REFUSED"


class EventRefused(ExchangeError):
    """An OpenLineage run event that records no lineage; the message says why."""

    code = "EVENT_REFUSED"


class ImportInterrupted(ExchangeError):
    """The write of an import whose rows all passed failed part-way (the store went away, a
    concurrent writer took a code): `written` entries are held, the rest are not; the
    failure is `__cause__`, and retrying is worth it when it was."""

    code = "IMPORT_INTERRUPTED"

    def __init__(self, written: int, cause: BaseException) -> None:
        self.written = written
        self.retriable = isinstance(cause, CatalogError) and cause.retriable
        super().__init__(
            f"the import stopped after {written} entries were written "
            f"(each batch whole or not at all): {cause}"
        )

    def extensions(self) -> dict[str, Any]:
        return {**super().extensions(), "written": self.written}
