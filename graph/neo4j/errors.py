"""Driver errors, translated at the store's boundary into the domain's (`graph.errors`).

    neo4j.exceptions.ServiceUnavailable, SessionExpired,
      TransientError, other DriverError           → StoreUnavailable (retriable)
    neo4j.exceptions.AuthError, ConfigurationError → StoreUnavailable (not retriable)
    neo4j.exceptions.ConstraintError while saving → VersionConflict
    a transaction ended at its timeout            → DeadlinePassed (the caller's deadline)
    any other Neo4jError                          → CatalogError

No driver exception leaves the store: resolvers and the sync only ever see domain errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.errors import CatalogError, DeadlinePassed, StoreUnavailable, VersionConflict

__all__ = ["translated"]


def _describe(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None) or str(exc)
    return f"{code}: {message}" if code else message


@asynccontextmanager
async def translated(action: str, saving: str | None = None) -> AsyncIterator[None]:
    """Run the body, turning a driver error into a domain error that names `action`.

    `saving` is the code of the entry a compare-and-set is creating: a uniqueness violation
    then means another writer created it first.
    """
    try:
        yield
    except ConstraintError as exc:
        if saving is not None:
            raise VersionConflict(saving, 0, 1) from exc
        raise StoreUnavailable(f"Neo4j refused to {action}: {_describe(exc)}") from exc
    except (AuthError, ConfigurationError) as exc:
        unavailable = StoreUnavailable(f"Neo4j refused the configuration to {action}: {exc}")
        unavailable.retriable = False
        raise unavailable from exc
    except (ServiceUnavailable, SessionExpired, TransientError) as exc:
        raise StoreUnavailable(f"Neo4j did not answer to {action}: {_describe(exc)}") from exc
    except Neo4jError as exc:
        if "TransactionTimedOut" in (exc.code or ""):
            raise DeadlinePassed(f"Neo4j ended {action} at the deadline") from exc
        raise CatalogError(f"Neo4j failed to {action}: {_describe(exc)}") from exc
    except DriverError as exc:
        raise StoreUnavailable(f"the Neo4j driver failed to {action}: {exc}") from exc
