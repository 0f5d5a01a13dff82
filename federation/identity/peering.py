"""Which instance may ask this one: peers are proved by their instance certificates.

Cross-level discovery sends ``X-Mulu-Instance: <id>`` with every call and, with TLS on, the
calling instance's certificate (`mulu pki issue instance ID`). The answering instance decides
here, before GraphQL runs; the rules:

1. With TLS off (development), ``X-Mulu-Instance`` is a name, not a proof: the caller is
   whoever else the request says it is (`federation.api.identity`).
2. With TLS on, a call is a peer's when its verified certificate names an instance. The
   header, when sent, must name that same instance — a department's certificate or no
   certificate with the header set is refused: a header proves nothing.
3. A peer is of this instance's zone: an extranet instance's certificate gets nothing from an
   intranet instance (nor the other way round) — DESIGN "Instances and sync": the zones meet
   only through the guarded sync.
4. A peer is one the topology lets ask: its parent or a direct child (`peers`), nothing else
   — another instance of the platform, however valid its certificate, is refused.
5. Every refusal is a `PeerRefused` that says why; the server answers 403 and audits it
   (PEER_REFUSED).
6. A peer forwarding a department's share request (`federation.sharing.forwarding`) names
   the department in ``X-Mulu-On-Behalf-Of: <统一社会信用代码>``. The header is believed from
   an admitted peer alone, never from anyone else (ignored: a header proves nothing); the
   caller is then that department acting as itself (PROVIDER), reached through the peer
   (`Viewer.instance` kept) — it requests and follows its requests, and changes no entry.

    decision = admit_peer("510100/intranet", claimed, certified, peers={"510000/intranet"})
"""

from __future__ import annotations

from collections.abc import Collection

from federation.api.identity import Viewer
from graph import Role, Zone
from graph.codes import check_credit_code
from graph.errors import NotPermitted
from sync.instances import zone_of

__all__ = ["ON_BEHALF_HEADER", "PeerRefused", "admit_peer", "on_behalf_of"]

ON_BEHALF_HEADER = "X-Mulu-On-Behalf-Of"


class PeerRefused(NotPermitted):
    """A call that names or proves an instance this one does not answer as a peer."""

    code = "PEER_REFUSED"


def admit_peer(
    me: str, claimed: str | None, certified: str | None, peers: Collection[str]
) -> str | None:
    """The peer instance a TLS call comes from (None: not a peer's call), or `PeerRefused`.

    `claimed` is the ``X-Mulu-Instance`` header, `certified` the instance the verified client
    certificate names, `peers` the instances the topology lets ask `me`."""
    claimed = (claimed or "").strip() or None
    if certified is None:
        if claimed is not None:
            raise PeerRefused(
                f"X-Mulu-Instance names {claimed}, but no instance certificate proves it: a "
                "peer connects with its instance certificate (mulu pki issue instance)"
            )
        return None
    if claimed is not None and claimed != certified:
        raise PeerRefused(
            f"X-Mulu-Instance names {claimed}, but the certificate names {certified}: they "
            "must be the same instance"
        )
    own_zone, their_zone = _zone(me), _zone(certified)
    if their_zone is not own_zone:
        raise PeerRefused(
            f"{certified} is an instance of the {their_zone.value} zone; {me} answers peers of "
            f"the {own_zone.value} zone only — the zones meet through the guarded sync alone"
        )
    if certified not in peers:
        allowed = ", ".join(sorted(peers)) or "none"
        raise PeerRefused(
            f"the topology does not let {certified} ask {me}; its peers are its parent and "
            f"direct children: {allowed}"
        )
    return certified


def _zone(instance: str) -> Zone:
    try:
        return zone_of(instance)
    except ValueError:
        raise PeerRefused(f"{instance!r} is not an instance id such as 510100/intranet") from None


def on_behalf_of(peer: str | None, named: str | None, zone: Zone) -> Viewer | None:
    """The department an admitted `peer` names in ``X-Mulu-On-Behalf-Of`` (`named`), as the
    caller (rule 6); None when the call is no peer's or names no one."""
    named = (named or "").strip()
    if peer is None or not named:
        return None
    code = check_credit_code(named, field=ON_BEHALF_HEADER)
    return Viewer(zone, code, Role.PROVIDER, instance=peer)
