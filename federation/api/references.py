"""Which of the codes an entry names (related codes, derived-from) a caller is shown.

An entry may name codes that this instance does not hold — another level's entries, or one
that was reclassified 涉密 and redacted after the naming copy was mirrored — and codes of
entries the caller may not see (another department's draft; for an anonymous extranet caller,
an entry not open to the public). A reference is shown only when the entry it names is held
here and `Viewer.can_see` it, so no answer reveals a code the caller could not look up: the
extranet reveals no code it does not hold. Every reader goes through here — related codes and
entries, lineage nodes and edges, `_entities`, and the copies a peer sent, whose references
are checked against what this instance holds.

(Not to be confused with `federation.api.reference`, the cache of reference data.)

    codes = [e.code for e in await visible_entries(loaders, viewer, entry.related_codes)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from federation.api.identity import Viewer
from federation.api.loaders import Loaders
from graph.model import Resource

__all__ = ["visible", "visible_entries"]


def visible(
    codes: Iterable[str], held: Mapping[str, Resource | None], viewer: Viewer
) -> list[Resource]:
    """The entries `codes` name, in their order and each once, that are in `held` (None or
    absent: not held here) and that `viewer` may see."""
    shown: list[Resource] = []
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            continue
        seen.add(code)
        entry = held.get(code)
        if entry is not None and viewer.can_see(entry):
            shown.append(entry)
    return shown


async def visible_entries(loaders: Loaders, viewer: Viewer, codes: Iterable[str]) -> list[Resource]:
    """`visible`, reading the entries through the request's loader: the references of every
    entry on a page are read in one batch, and a code already read is not read again."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return []
    found = await loaders.resources.load_many(wanted)
    return visible(wanted, dict(zip(wanted, found, strict=True)), viewer)
