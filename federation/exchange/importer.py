"""An instance's importer of spreadsheets for one of its departments: the same `Cataloguing`
the API's mutations use (the instance's rulebook, every version with its change event)."""

from __future__ import annotations

from graph import Actor, CatalogStore, Cataloguing, NotFound
from graph.codes import check_credit_code
from graph.exchange.importing import Importer, Progress
from graph.exchange.reading import Limits
from graph.sharing import Rulebook
from sync.events import outbox_record

__all__ = ["importer_for"]


async def importer_for(
    store: CatalogStore,
    rulebook: Rulebook,
    department_code: str,
    *,
    limits: Limits | None = None,
    progress: Progress | None = None,
    audit: bool = True,
) -> Importer:
    """The importer of `department_code`'s drafts; `NotFound` unless it is registered here."""
    code = check_credit_code(department_code, "department")
    found = await store.departments([code])
    if not found:
        raise NotFound("department", code)
    cataloguing = Cataloguing(store, outbox=outbox_record, rulebook=rulebook, audit=audit)
    return Importer(
        cataloguing, store, Actor(code), found[0].name, limits=limits, progress=progress
    )
