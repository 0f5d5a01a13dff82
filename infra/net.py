"""Loopback ports: find free ones, check whether one answers."""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

__all__ = [
    "HOST",
    "free_port",
    "free_port_range",
    "free_ports",
    "listener_pid",
    "port_answers",
    "validate_port",
]

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports (each held open until all are chosen)."""
    probes = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind((HOST, 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def free_port_range(count: int, low: int = 20000, high: int = 60000) -> int:
    """The first of `count` consecutive ports in [low, high) that are free right now (a
    cluster's nodes take consecutive ports)."""
    rng = random.SystemRandom()
    for _ in range(200):
        first = rng.randrange(low, high - count)
        probes: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                probes.append(probe)
                probe.bind((HOST, port))
            return first
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise OSError(f"no {count} consecutive free ports found between {low} and {high}")


def port_answers(port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:`port`."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def listener_pid(port: int) -> int | None:
    """The pid of a process listening on TCP `port` (any address), from /proc: the socket's
    inode in /proc/net/tcp{,6}, then the process holding it. None when nothing listens or the
    process is not ours to see."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{inode}]")
    if not inodes:
        return None
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            for handle in (process / "fd").iterdir():
                if os.readlink(handle) in inodes:
                    return int(process.name)
        except OSError:
            continue
    return None


def validate_port(name: str, port: int) -> int:
    """`port` if it is a usable TCP port number, else a ValueError naming it."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"{name}={port!r} is not a TCP port; give an integer from 1 to 65535")
    return port
