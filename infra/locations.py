"""Where infra/ keeps downloaded jars (the cache) and server homes (the state).

Both live outside the repository:

- cache: ``$MULU_INFRA_CACHE``, else ``~/.cache/mulu/infra``; one ``<server>-<version>/``
  directory per server, holding ``lib/*.jar`` and a completion marker.
- state: ``$MULU_INFRA_STATE``, else ``~/.local/state/mulu``; one ``<server>-<port>/`` per
  server instance, holding its config, data, logs and pid file.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root", "state_root"]


def cache_root() -> Path:
    """The root of the jar cache."""
    named = os.environ.get("MULU_INFRA_CACHE")
    return Path(named).expanduser() if named else Path.home() / ".cache" / "mulu" / "infra"


def state_root() -> Path:
    """The root under which server homes live by default."""
    named = os.environ.get("MULU_INFRA_STATE")
    return Path(named).expanduser() if named else Path.home() / ".local" / "state" / "mulu"
