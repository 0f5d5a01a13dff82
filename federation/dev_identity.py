"""The warning that instances trust the development identity headers.

Until department certificates come, ``dev_identity_header`` makes an instance believe the
caller's ``X-Mulu-Dev-Department`` and ``X-Mulu-Dev-Role``: whoever reaches its port can act as
any department or as a reviewer — read unpublished entries, change and publish the catalog.
Every command that starts instances with it on (`mulu demo --no-tls`, `mulu up`, `mulu serve`)
says so before they listen, in two places: a framed block on stderr for the person at the
terminal, and one WARNING record of the ``mulu.identity`` logger for whoever reads the log.
When TLS (or a trusted reverse proxy) proves callers, the headers are ignored and nothing is
said.

    warn_dev_identity({"510100/intranet": ("127.0.0.1", 8000)})
"""

from __future__ import annotations

import ipaddress
import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from federation.settings import Settings

__all__ = ["believes_dev_headers", "dev_identity_warning", "is_loopback", "warn_dev_identity"]

_log = logging.getLogger("mulu.identity")

# instance id → (host, port) it listens on
Addresses = Mapping[str, tuple[str, int]]

_RULE = "!" * 88


def believes_dev_headers(settings: Settings) -> bool:
    """Whether an instance of `settings` believes the headers: ``dev_identity_header`` on and
    no TLS (nor trusted proxy) proving callers — what `viewer` and the explorer's page say."""
    return settings.dev_identity_header and not settings.tls.identifies


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name: it may resolve to anything
        return False


def dev_identity_warning(addresses: Addresses) -> str:
    """The block printed on stderr: what is exposed, where, and to whom."""
    width = max(len(instance) for instance in addresses)
    exposed = [instance for instance, (host, _) in addresses.items() if not is_loopback(host)]
    rows = []
    for instance, (host, port) in addresses.items():
        reach = "this machine only" if is_loopback(host) else "REACHABLE FROM OTHER MACHINES"
        rows.append(f"    {instance:<{width}}  {host}:{port}  ({reach})")
    who = (
        "ANYONE ON THE NETWORK who reaches " + ", ".join(exposed)
        if exposed
        else "every user and program on this machine"
    )
    return "\n".join(
        [
            _RULE,
            "  WARNING: development identity headers are ON: callers are not authenticated.",
            "  A request that sends X-Mulu-Dev-Department: <统一社会信用代码> and",
            "  X-Mulu-Dev-Role: REVIEWER is believed as it stands, so " + who,
            "  can act as ANY department or reviewer — see entries not yet published, change",
            "  and publish the catalog — at every instance below, the extranet ones included:",
            *rows,
            "  For development only. Never give other people access to these ports; deploy",
            "  with dev_identity_header = false (MULU_DEV_IDENTITY_HEADER=false).",
            _RULE,
        ]
    )


def warn_dev_identity(addresses: Addresses, *, stream: TextIO | None = None) -> None:
    """Say that the instances at `addresses` trust the development identity headers: the
    block on `stream` (stderr), and a WARNING record for the log."""
    print(dev_identity_warning(addresses), file=stream or sys.stderr, flush=True)
    _log.warning(
        "development identity headers are on: any caller that reaches these instances can act "
        "as any department or reviewer",
        extra={
            "instances": {i: f"{host}:{port}" for i, (host, port) in addresses.items()},
            "loopback_only": all(is_loopback(host) for host, _ in addresses.values()),
        },
    )
