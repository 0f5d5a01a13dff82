"""Discovery across levels: this instance's answer merged with its peers' (parent and direct
children, same zone), asked concurrently, each within the peer timeout.

PEERS asks the parent with scope ANCESTORS and the children with AGGREGATED. ANCESTORS asks
the parent only, again with ANCESTORS, within half the timeout (so that the child asking it
hears the answer — or the grandparent's absence — before its own wait runs out): a question
goes up the chain of parents, one hop down at most, and never comes back.

A peer's answer passes this instance's own visibility rules again before it is shown: on the
extranet nothing but UNCLASSIFIED entries, whatever a peer sent; only published entries (or the
caller's own); and for an anonymous extranet caller, only what is open to the public. Peers
are asked for published entries only: unpublished ones are never shown outside their own
instance and department.

    cross = CrossLevel("510100/intranet", peer_client)
    page, failures = await cross.resources(store, viewer, where, search, first=20, after=None)
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from federation.discovery.merge import MergedPage, Position, SourcePage, merge
from federation.discovery.wire import (
    PEER_RESOURCE,
    PEER_RESOURCES,
    filter_variables,
    resource_from_json,
)
from federation.peers import PeerClient, PeerFailure, PeerFailureReason, PeerResults
from graph.enums import Classification, LifecycleState, Zone
from graph.model import Resource
from graph.queries import ResourceFilter, ResourcePage, encode_cursor
from graph.store import CatalogStore
from sync.instances import zone_of

if TYPE_CHECKING:
    from federation.api.identity import Viewer

__all__ = ["CrossLevel", "should_show_peer_entry"]

_PUBLISHED = LifecycleState.PUBLISHED
DEPARTMENT_HEADER = "X-Mulu-Dev-Department"


def should_show_peer_entry(entry: Resource, viewer: Viewer, zone: Zone) -> bool:
    """Whether an entry a peer sent may be shown to `viewer` of an instance in `zone`."""
    if zone is Zone.EXTRANET and entry.classification is not Classification.UNCLASSIFIED:
        return False
    if entry.state is not _PUBLISHED and entry.provider_code != viewer.department_code:
        return False
    return not (viewer.is_anonymous and zone is Zone.EXTRANET and not entry.open_to_public)


@dataclass(frozen=True, slots=True)
class CrossLevel:
    """Cross-level discovery for `instance` over `peers`. With `forward_identity` (the
    development identity headers are on), the caller's department is named to peers so their
    rules apply to the same caller; otherwise peers see this instance, anonymous."""

    instance: str
    peers: PeerClient
    forward_identity: bool = False
    parent: str | None = None

    @property
    def zone(self) -> Zone:
        return zone_of(self.instance)

    def _asked(self, upward_only: bool) -> list[str]:
        """The peers a query asks, parent first: the parent alone when `upward_only`."""
        if upward_only:
            return [self.parent] if self.parent in self.peers.peers else []
        return sorted(self.peers.peers, key=lambda p: p != self.parent)

    def _scope_for(self, peer: str) -> str:
        return "ANCESTORS" if peer == self.parent else "AGGREGATED"

    def _wait(self, upward_only: bool) -> float:
        return self.peers.timeout / 2 if upward_only else self.peers.timeout

    def _headers(self, viewer: Viewer) -> dict[str, str]:
        if self.forward_identity and viewer.department_code:
            return {DEPARTMENT_HEADER: viewer.department_code}
        return {}

    async def resources(
        self,
        store: CatalogStore,
        viewer: Viewer,
        where: ResourceFilter,
        search: str | None,
        first: int,
        after: str | None,
        *,
        upward_only: bool = False,
    ) -> tuple[MergedPage, tuple[PeerFailure, ...]]:
        """One merged page (see `federation.discovery.merge`) and the peers that did not
        answer; `upward_only` asks the parent alone (scope ANCESTORS). `where` is already
        restricted to what `viewer` may list here."""
        start = Position.decode(after)
        published = where.states & {_PUBLISHED}
        peer_ids = [
            p for p in self._asked(upward_only) if p not in start.exhausted and published and first
        ]
        variables: dict[str, Any] = {
            "filter": filter_variables(dataclasses.replace(where, states=frozenset(published))),
            "search": search,
            "first": first,
        }
        per_peer = {
            p: {"after": start.cursors.get(p), "scope": self._scope_for(p)} for p in peer_ids
        }
        local = (
            store.find(where, search, first, start.cursors.get(self.instance))
            if self.instance not in start.exhausted
            else None
        )
        asked = self.peers.ask(
            PEER_RESOURCES,
            variables,
            only=peer_ids,
            headers=self._headers(viewer),
            per_peer=per_peer,
            wait_seconds=self._wait(upward_only),
        )
        if local is not None:
            own, answered = await asyncio.gather(local, asked)
        else:
            own, answered = None, await asked
        pages: list[SourcePage] = []
        if own is not None:
            pages.append(_local_page(self.instance, own))
        read, failures = self._peer_pages(answered, peer_ids, viewer)
        pages.extend(read)
        merged = merge(pages, start, first, searching=bool(search and search.strip()))
        return merged, failures

    def _peer_pages(
        self, answered: PeerResults, order: Sequence[str], viewer: Viewer
    ) -> tuple[list[SourcePage], tuple[PeerFailure, ...]]:
        pages: list[SourcePage] = []
        failures = list(answered.failures)
        for peer in order:  # parent first, then children: the order of the topology
            answer = answered.answers.get(peer)
            if answer is None:
                continue
            try:
                read = self._peer_page(peer, answer.data["resources"], viewer)
                relayed = _relayed_failures(peer, answer.data["resources"])
            except (KeyError, TypeError, ValueError) as exc:
                failures.append(
                    PeerFailure(peer, PeerFailureReason.BAD_ANSWER, f"unreadable page: {exc!r}")
                )
                continue
            pages.append(read)
            failures.extend(relayed)
        return pages, tuple(failures)

    def _peer_page(self, peer: str, page: Mapping[str, Any], viewer: Viewer) -> SourcePage:
        edges = page["edges"]
        items = tuple(resource_from_json(edge["node"]) for edge in edges)
        scores = tuple(edge.get("score") for edge in edges)
        return SourcePage(
            source=peer,
            items=items,
            holders=tuple(str(edge.get("instance") or peer) for edge in edges),
            cursors=tuple(str(edge["cursor"]) for edge in edges),
            has_next_page=bool(page["pageInfo"]["hasNextPage"]),
            total_count=int(page["totalCount"]),
            total_is_lower_bound=bool(page.get("totalIsLowerBound")),
            scores=scores if any(s is not None for s in scores) else (),
            hidden=tuple(not should_show_peer_entry(e, viewer, self.zone) for e in items),
        )

    async def resource(
        self, code: str, viewer: Viewer, *, upward_only: bool = False
    ) -> tuple[Resource | None, tuple[PeerFailure, ...]]:
        """Entry `code` as the peers hold it — the origin's copy when it answered, else the
        first answer (the parent's, then the children's) — and the peers that did not answer."""
        asked = self._asked(upward_only)
        answered = await self.peers.ask(
            PEER_RESOURCE,
            {"code": code},
            only=asked,
            headers=self._headers(viewer),
            per_peer={p: {"scope": self._scope_for(p)} for p in asked},
            wait_seconds=self._wait(upward_only),
        )
        failures = list(answered.failures)
        copies: list[tuple[str, Resource]] = []
        for peer in asked:
            answer = answered.answers.get(peer)
            if answer is None:
                continue
            # The peers the parent could not ask in turn (its own parent): what they hold is
            # missing from this answer, so the answer names them, as for a page.
            failures.extend(_relayed_failures(peer, answer.extensions))
            node = answer.data.get("resource")
            if node is None:
                continue
            try:
                entry = resource_from_json(node)
            except (KeyError, TypeError, ValueError) as exc:
                failures.append(
                    PeerFailure(peer, PeerFailureReason.BAD_ANSWER, f"unreadable entry: {exc!r}")
                )
                continue
            if should_show_peer_entry(entry, viewer, self.zone):
                copies.append((peer, entry))
        # A parent relays its ancestors' copies: the origin's is the one whose origin is
        # the instance asked, or, relayed from above, the one from the parent.
        chosen = next((e for p, e in copies if e.origin == p), copies[0][1] if copies else None)
        return chosen, tuple(failures)


def _relayed_failures(peer: str, page: Mapping[str, Any]) -> list[PeerFailure]:
    """The peers `peer` could not ask for this page (the parent's own parent, say): what they
    hold is missing from the answer too, so the answer names them."""
    return [
        PeerFailure(
            str(failure["instance"]),
            PeerFailureReason(failure["reason"]),
            f"asked through {peer}: {failure['detail']}",
        )
        for failure in page.get("unreachablePeers") or ()
    ]


def _local_page(instance: str, page: ResourcePage) -> SourcePage:
    """This instance's own page, each entry with the cursor the store would give it."""
    scores = tuple(page.scores)
    cursors = [
        encode_cursor(e.code, scores[i] if scores else None) for i, e in enumerate(page.items)
    ]
    if cursors and page.end_cursor:
        cursors[-1] = page.end_cursor
    return SourcePage(
        source=instance,
        items=tuple(page.items),
        cursors=tuple(cursors),
        has_next_page=page.has_next_page,
        total_count=page.total_count,
        scores=scores,
        total_is_lower_bound=page.total_is_lower_bound,
    )
