"""Share requests (and objections) across levels: a request lives at its entry's origin,
whichever instance the department asks at; an instance that does not hold the entry as its own
forwards the question there.

The rules:

1. Where: the origin of a request (or an objection) for an entry is the entry's `origin` —
   its copy's here, else the one the peers answer with (`CrossLevel.resource`); the origin of
   a request already made is named by its id — ids are made ``<origin>:<uuid>``
   (``national/intranet:0b6c…``, `request_id`), so any instance routes a question about a
   request (its state, its clocks, a withdrawal, a dispute) or an objection (its answers)
   without a table of its own.
2. The route: to the origin when it is a peer (the parent or a direct child), else to the
   parent, which forwards on by the same rule; ``X-Mulu-Forward-To`` names the origin and
   ``X-Mulu-Hops`` counts the instances passed — at most `MAX_HOPS` (a district asking the
   nation passes three), past that the question is refused (`InvalidValue`, naming the
   header). Neither header proves anything: they say where to go, and who asks is decided
   at every instance as for any call.
3. Who asks: the requester's department, acting as itself. With TLS the forwarding instance
   authenticates with its instance certificate and names the department in
   ``X-Mulu-On-Behalf-Of``, which the origin believes from an admitted peer alone
   (`federation.identity.peering`, rule 6); without TLS (development) the development
   headers are forwarded, as discovery forwards them (`CrossLevel.forward_identity`). A
   reviewer, an administrator or an auditor is never forwarded: those roles are an
   instance's own; and an anonymous caller has nothing to forward.
4. The answer: the origin's, relayed whole — the request with its state and clocks, or the
   origin's refusal with its `extensions` (`ForwardedError`: code, field, accepted, and
   ``origin``). An origin that does not answer is `OriginUnreachable` (retriable): nothing
   was decided here.

    forwarding = Forwarding(cross_level)
    data = await forwarding.send(origin, viewer, query, variables, received_headers)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from federation.discovery import CrossLevel
from federation.identity.peering import ON_BEHALF_HEADER
from federation.peers import PeerFailure
from graph import CatalogError, InvalidValue, NotPermitted, Role
from graph.model import parse_catalog_id

if TYPE_CHECKING:
    from federation.api.identity import Viewer

__all__ = [
    "FORWARD_TO_HEADER",
    "HOPS_HEADER",
    "MAX_HOPS",
    "REQUESTED_FROM_HEADER",
    "ForwardedError",
    "Forwarding",
    "OriginUnreachable",
    "origin_of",
    "request_id",
]

FORWARD_TO_HEADER = "X-Mulu-Forward-To"
HOPS_HEADER = "X-Mulu-Hops"
REQUESTED_FROM_HEADER = "X-Mulu-Requested-From"
MAX_HOPS = 4
_DEV_DEPARTMENT = "X-Mulu-Dev-Department"


class ForwardedError(CatalogError):
    """The origin refused: its message, and its extensions with the origin named."""

    def __init__(self, origin: str, message: str, extensions: Mapping[str, Any]) -> None:
        self.origin = origin
        self._extensions = dict(extensions)
        self.code = str(self._extensions.get("code") or "CATALOG_ERROR")
        relayed = message.startswith(f"{origin}: ")  # through an instance on the way
        super().__init__(message if relayed else f"{origin}: {message}")

    def extensions(self) -> dict[str, Any]:
        return {**self._extensions, "code": self.code, "origin": self.origin}


class OriginUnreachable(CatalogError):
    """The origin (or the peer on the way to it) did not answer; nothing was decided."""

    code = "ORIGIN_UNREACHABLE"
    retriable = True

    def __init__(self, failure: PeerFailure, origin: str) -> None:
        self.failure = failure
        self.origin = origin
        super().__init__(
            f"the origin {origin} holds this request, and {failure.instance} on the way to it "
            f"did not answer ({failure.reason.value}: {failure.detail}); ask again later"
        )

    def extensions(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "origin": self.origin,
            "instance": self.failure.instance,
            "reason": self.failure.reason.value,
        }


def request_id(origin: str) -> str:
    """A new id of a request or objection held at `origin` (rule 1)."""
    return f"{origin}:{uuid.uuid4()}"


def origin_of(id: str) -> str | None:
    """The instance an id names as its origin (rule 1), None when it names none."""
    origin, sep, _ = id.rpartition(":")
    if not sep:
        return None
    try:
        parse_catalog_id(origin, "id")
    except InvalidValue:
        return None
    return origin


def _hops(headers: Mapping[str, str]) -> int:
    raw = headers.get(HOPS_HEADER.lower()) or headers.get(HOPS_HEADER) or "0"
    if not raw.isdigit() or int(raw) >= MAX_HOPS:
        raise InvalidValue(
            HOPS_HEADER,
            raw,
            f"fewer than {MAX_HOPS} instances passed: a request reaches its origin through the "
            "parents, never further",
        )
    return int(raw)


@dataclass(frozen=True, slots=True)
class Forwarding:
    """Forwarding of sharing questions from the instance of `cross_level` (rules 2–4)."""

    cross_level: CrossLevel

    def next_hop(self, origin: str) -> str:
        """The peer a question for `origin` goes to: the origin itself, else the parent."""
        peers = self.cross_level.peers.peers
        if origin in peers:
            return origin
        parent = self.cross_level.parent
        if parent is None or parent not in peers:
            raise InvalidValue(
                "origin",
                origin,
                f"an instance {self.cross_level.instance} reaches: a peer ("
                + (", ".join(sorted(peers)) or "none")
                + ") or one above its parent",
            )
        return parent

    def _identity(self, viewer: Viewer) -> dict[str, str]:
        if viewer.department_code is None or viewer.role is not Role.PROVIDER:
            raise NotPermitted(
                "a share request is forwarded to its origin for a department acting as itself; "
                + (
                    "an anonymous caller has none"
                    if viewer.department_code is None
                    else f"{viewer.department_code} acts as {viewer.role.value} here, a role "
                    "of this instance alone"
                )
            )
        if self.cross_level.forward_identity:
            return {_DEV_DEPARTMENT: viewer.department_code}
        return {ON_BEHALF_HEADER: viewer.department_code}

    async def send(
        self,
        origin: str,
        viewer: Viewer,
        query: str,
        variables: Mapping[str, Any],
        received: Mapping[str, str],
        requested_from: str | None = None,
    ) -> Mapping[str, Any]:
        """The `data` of the origin's answer to `query`, sent on toward `origin` for `viewer`;
        `received` are the headers this instance was asked with (their hop count)."""
        hops = _hops(received)
        headers = {
            **self._identity(viewer),
            FORWARD_TO_HEADER: origin,
            HOPS_HEADER: str(hops + 1),
            REQUESTED_FROM_HEADER: requested_from or self.cross_level.instance,
        }
        peer = self.next_hop(origin)
        answer = await self.cross_level.peers.exchange(peer, query, variables, headers=headers)
        if isinstance(answer, PeerFailure):
            raise OriginUnreachable(answer, origin)
        errors = answer.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else {}
            first = first if isinstance(first, dict) else {"message": str(first)}
            extensions = first.get("extensions")
            raise ForwardedError(
                str(first.get("origin") or (extensions or {}).get("origin") or origin),
                str(first.get("message", "refused")),
                extensions if isinstance(extensions, dict) else {},
            )
        data = answer.get("data")
        if not isinstance(data, dict):
            raise ForwardedError(origin, "no data in the answer", {"code": "BAD_ANSWER"})
        return data
