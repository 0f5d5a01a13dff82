"""Peers that did not answer a cross-level query: a field of the answer and its `extensions`.

{"data": {"resources": {"unreachablePeers": [{"instance": "510000/intranet",
                                               "reason": "TIMEOUT", "detail": "…"}]}},
 "extensions": {"unreachablePeers": [...the same...]}}
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension

from federation import peers
from federation.peers import PeerFailureReason

__all__ = ["PeerFailure", "UnreachablePeers"]

strawberry.enum(PeerFailureReason, description="Why a peer gave no answer.")


@strawberry.type(description="A peer instance that did not answer, and why.")
class PeerFailure:
    instance: str
    reason: PeerFailureReason
    detail: str

    @classmethod
    def of(cls, failure: peers.PeerFailure) -> PeerFailure:
        return cls(instance=failure.instance, reason=failure.reason, detail=failure.detail)


class UnreachablePeers(SchemaExtension):
    """Adds ``extensions.unreachablePeers`` when some peer asked by the request did not answer."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        failures = getattr(context, "unreachable_peers", None)
        if not failures:
            return {}
        return {
            "unreachablePeers": [
                {"instance": f.instance, "reason": f.reason.value, "detail": f.detail}
                for f in failures
            ]
        }
