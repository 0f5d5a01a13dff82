"""Errors of the exchange formats.

    CatalogError (graph.errors)
    └── ExchangeError
        ├── FileRefused       the file as a whole: too large, not xlsx or CSV, no header,
        │                     an encoding it does not keep to
        └── EventRefused      an OpenLineage run event that records nothing, and why

A row a rule refuses is no error of the file: it is a `Problem` of the import's report
(`graph.exchange.importing`), naming sheet, row, column, value and what would be accepted.
"""

from __future__ import annotations

from graph.errors import CatalogError

__all__ = ["EventRefused", "ExchangeError", "FileRefused"]


class ExchangeError(CatalogError):
    code = "EXCHANGE_ERROR"


class FileRefused(ExchangeError):
    """The file cannot be imported at all; the message says why and what would do."""

    code = "FILE_REFUSED"


class EventRefused(ExchangeError):
    """An OpenLineage run event that records no lineage; the message says why."""

    code = "EVENT_REFUSED"
