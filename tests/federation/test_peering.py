"""Which instance may ask this one (federation.identity.peering): a peer is proved by its
instance certificate, is of the same zone, and is one the topology lets ask."""

from __future__ import annotations

import pytest

from federation.identity.peering import PeerRefused, admit_peer

ME = "510100/intranet"
PARENT = "510000/intranet"
CHILD = "510104/intranet"
PEERS = {PARENT, CHILD}


def test_a_caller_without_an_instance_certificate_or_header_is_not_a_peer() -> None:
    assert admit_peer(ME, None, None, PEERS) is None
    assert admit_peer(ME, "  ", None, PEERS) is None


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_the_parent_and_a_child_with_their_certificates_are_peers(peer: str) -> None:
    assert admit_peer(ME, peer, peer, PEERS) == peer
    assert admit_peer(ME, None, peer, PEERS) == peer  # the certificate alone proves it


def test_a_header_without_a_certificate_proves_nothing() -> None:
    with pytest.raises(PeerRefused, match="no instance certificate proves it"):
        admit_peer(ME, PARENT, None, PEERS)


def test_the_header_must_name_the_certified_instance() -> None:
    with pytest.raises(PeerRefused, match="must be the same instance"):
        admit_peer(ME, PARENT, CHILD, PEERS)


def test_an_extranet_certificate_gets_nothing_from_an_intranet_instance() -> None:
    """Even the extranet twin of a peer: the zones meet through the guarded sync alone."""
    with pytest.raises(PeerRefused, match="EXTRANET zone"):
        admit_peer(ME, "510000/extranet", "510000/extranet", {*PEERS, "510000/extranet"})
    with pytest.raises(PeerRefused, match="INTRANET zone"):
        admit_peer("510100/extranet", PARENT, PARENT, {PARENT})


def test_an_instance_the_topology_does_not_name_is_refused() -> None:
    with pytest.raises(PeerRefused, match="does not let 440300/intranet ask"):
        admit_peer(ME, None, "440300/intranet", PEERS)


def test_a_certificate_naming_no_instance_id_is_refused() -> None:
    with pytest.raises(PeerRefused, match="not an instance id"):
        admit_peer(ME, None, "not-an-instance", PEERS)


def test_a_refusal_is_an_authorisation_error_with_its_own_code() -> None:
    with pytest.raises(PeerRefused) as refused:
        admit_peer(ME, None, "440300/intranet", PEERS)
    assert refused.value.extensions() == {"code": "PEER_REFUSED"}
