"""Find the Java both servers run on, and the environment to run it with.

Neo4j 5.26 supports Java 17 and 21 only, so infra/ never takes whatever ``java`` is on the
PATH or in ``$JAVA_HOME``: it uses ``$MULU_JAVA_HOME`` if set, else the Debian OpenJDK 17,
else the first JDK 17 or 21 under ``/usr/lib/jvm``, and checks the version in its ``release``
file. Every subprocess gets ``JAVA_HOME`` pinned to that directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from infra.errors import JavaNotFoundError
from infra.versions import JAVA_FEATURE_VERSIONS

__all__ = ["java_env", "java_executable", "java_feature_version", "java_home"]

DEFAULT_JAVA_HOME = Path("/usr/lib/jvm/java-17-openjdk-amd64")
JVM_DIR = Path("/usr/lib/jvm")


def java_feature_version(home: Path) -> int | None:
    """The feature release (17, 21, …) of the JDK at `home`, from its ``release`` file."""
    try:
        text = (home / "release").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r'^JAVA_VERSION="(\d+)', text, re.MULTILINE)
    return int(found.group(1)) if found else None


def _usable(home: Path) -> bool:
    return (home / "bin" / "java").is_file() and java_feature_version(home) in JAVA_FEATURE_VERSIONS


@cache
def _find(named: str | None) -> Path:
    accepted = " or ".join(str(v) for v in JAVA_FEATURE_VERSIONS)
    if named:
        home = Path(named).expanduser()
        if not _usable(home):
            raise JavaNotFoundError(
                f"MULU_JAVA_HOME={named!r} is not a JDK {accepted} (found version "
                f"{java_feature_version(home)}); point it at a Java {accepted} home"
            )
        return home
    if _usable(DEFAULT_JAVA_HOME):
        return DEFAULT_JAVA_HOME
    candidates = sorted(JVM_DIR.iterdir()) if JVM_DIR.is_dir() else []
    for home in candidates:
        if not home.is_symlink() and _usable(home):
            return home
    raise JavaNotFoundError(
        f"no Java {accepted} found at {str(DEFAULT_JAVA_HOME)!r} or under {str(JVM_DIR)!r}; "
        f"install OpenJDK 17 or set MULU_JAVA_HOME to a Java {accepted} home"
    )


def java_home() -> Path:
    """The JDK home infra/ runs servers and Maven with."""
    return _find(os.environ.get("MULU_JAVA_HOME") or None)


def java_executable() -> Path:
    """``<java_home>/bin/java``."""
    return java_home() / "bin" / "java"


def java_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment with ``JAVA_HOME`` pinned and its ``bin`` first on ``PATH``."""
    home = java_home()
    env = dict(os.environ)
    env["JAVA_HOME"] = str(home)
    env["PATH"] = f"{home / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    if extra:
        env.update(extra)
    return env
