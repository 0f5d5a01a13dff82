"""Download a server's jars from Maven Central into the cache, once.

A generated ``pom.xml`` names the server's root artifacts (from `infra.versions`), and
``mvn dependency:copy-dependencies`` copies them with their runtime closure into
``<cache>/<server>-<version>/lib``. A ``COMPLETE`` marker holding the pom's digest is written
last, so an interrupted fetch, or one made for a different artifact list, is redone. A file
lock keeps two processes from fetching the same server at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

from infra.errors import FetchError
from infra.jvm.java import java_env
from infra.locations import cache_root
from infra.versions import MAVEN_DEPENDENCY_PLUGIN_VERSION, ServerArtifacts

__all__ = ["classpath", "fetch", "is_fetched", "lib_dir", "render_pom"]

MARKER = "COMPLETE"


def server_dir(server: ServerArtifacts, cache: Path | None = None) -> Path:
    """``<cache>/<server>-<version>``."""
    return (cache or cache_root()) / server.key


def lib_dir(server: ServerArtifacts, cache: Path | None = None) -> Path:
    """The directory holding the server's jars once fetched."""
    return server_dir(server, cache) / "lib"


def render_pom(server: ServerArtifacts) -> str:
    """A throw-away pom whose dependencies are the server's root artifacts."""
    deps = "\n".join(
        "    <dependency>\n"
        f"      <groupId>{escape(a.group_id)}</groupId>\n"
        f"      <artifactId>{escape(a.artifact_id)}</artifactId>\n"
        f"      <version>{escape(a.version)}</version>\n"
        "    </dependency>"
        for a in server.artifacts
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>mulu.infra</groupId>
  <artifactId>{escape(server.name)}-runtime</artifactId>
  <version>{escape(server.version)}</version>
  <packaging>pom</packaging>
  <dependencies>
{deps}
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>{MAVEN_DEPENDENCY_PLUGIN_VERSION}</version>
      </plugin>
    </plugins>
  </build>
</project>
"""


def _digest(pom: str) -> str:
    return hashlib.sha256(pom.encode("utf-8")).hexdigest()


def is_fetched(server: ServerArtifacts, cache: Path | None = None) -> bool:
    """Whether a complete fetch of exactly this artifact list is in the cache."""
    marker = server_dir(server, cache) / MARKER
    try:
        return marker.read_text(encoding="utf-8").strip() == _digest(render_pom(server))
    except OSError:
        return False


def classpath(server: ServerArtifacts, cache: Path | None = None) -> str:
    """The ``-cp`` value for a fetched server (``<lib>/*``)."""
    return str(lib_dir(server, cache) / "*")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _mvn() -> str:
    named = os.environ.get("MULU_MVN")
    found = named or shutil.which("mvn")
    if not found:
        raise FetchError("Maven ('mvn') is not on PATH; install Maven 3.6+ or set MULU_MVN to it")
    return found


def fetch(
    server: ServerArtifacts,
    *,
    cache: Path | None = None,
    maven_repo: Path | None = None,
    force: bool = False,
) -> Path:
    """Make sure the server's jars are in the cache; return the ``lib`` directory.

    `maven_repo` overrides Maven's local repository (``-Dmaven.repo.local``), e.g. to measure a
    cold download. `force` fetches again even when the cache is complete.
    """
    home = server_dir(server, cache)
    with _locked(home.parent / f"{server.key}.lock"):
        if not force and is_fetched(server, cache):
            return lib_dir(server, cache)
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
        pom = render_pom(server)
        (home / "pom.xml").write_text(pom, encoding="utf-8")
        partial = home / "lib.partial"
        command = [
            _mvn(),
            "-B",
            "-q",
            "-f",
            str(home / "pom.xml"),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={partial}",
        ]
        if maven_repo is not None:
            command.append(f"-Dmaven.repo.local={maven_repo}")
        result = subprocess.run(
            command,
            cwd=home,
            env=java_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
            raise FetchError(
                f"fetching {server.key} failed (exit {result.returncode}) running "
                f"{' '.join(command)}:\n{tail}"
            )
        jars = list(partial.glob("*.jar"))
        if not jars:
            raise FetchError(f"fetching {server.key} copied no jars into {str(partial)!r}")
        partial.rename(home / "lib")
        (home / MARKER).write_text(_digest(pom) + "\n", encoding="utf-8")
        return lib_dir(server, cache)
