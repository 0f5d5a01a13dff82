"""Where the test suite's Neo4j and Kafka come from, in this order:

1. servers named by environment variables (never started or stopped by the tests):
   ``MULU_TEST_NEO4J_URI``, ``MULU_TEST_NEO4J_USER`` (default ``neo4j``),
   ``MULU_TEST_NEO4J_PASSWORD``; ``MULU_TEST_KAFKA_BOOTSTRAP``, ``MULU_TEST_KAFKA_USER``,
   ``MULU_TEST_KAFKA_PASSWORD``, ``MULU_TEST_KAFKA_MECHANISM`` (default ``SCRAM-SHA-512``),
   ``MULU_TEST_KAFKA_SECURITY_PROTOCOL`` (``SASL_SSL`` or ``SASL_PLAINTEXT``; default
   ``SASL_SSL`` when ``MULU_TEST_KAFKA_CAFILE`` names the CA bundle of the broker's
   certificate, else ``SASL_PLAINTEXT``) — the Kafka user must be a super user (the tests
   create users and ACLs);
2. a Docker container (testcontainers), when a Docker engine answers a ping within a second
   (``MULU_TEST_DOCKER=0`` skips this);
3. a server started through infra/ on free loopback ports, in a temporary home that is
   deleted after the server stops. Its JVM is told to stop when the test process dies.

The Kafka the suite starts (2 and 3) has a SASL_SSL client listener: a platform CA
(`federation.identity.PlatformCA`) made in its temporary home issues the broker's certificate
(`platform_tls`), and the connection verifies the broker with that CA.

Whatever the source, the server has answered a real authenticated request before a test gets
it; when it cannot be had, the fixture raises (the test errors with the reason), never skips.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from infra.errors import InfraError
from infra.kafka import KafkaConnection, KafkaServer
from infra.kafka.config import new_cluster_id, server_properties
from infra.kafka.connection import SCRAM_MECHANISM, check_kafka
from infra.kafka.tls import KafkaTls
from infra.neo4j import Neo4jConnection, Neo4jServer
from infra.neo4j.connection import NEO4J_USER, check_neo4j
from infra.net import HOST, free_port, free_ports

__all__ = [
    "KAFKA_IMAGE",
    "NEO4J_IMAGE",
    "ServerUnavailableError",
    "docker_engine_answers",
    "kafka_from_env",
    "kafka_server",
    "neo4j_from_env",
    "neo4j_server",
    "platform_tls",
]

T = TypeVar("T")

NEO4J_IMAGE = "neo4j:5.26-community"
KAFKA_IMAGE = "apache/kafka:4.1.1"
READY_TIMEOUT = 120.0


class ServerUnavailableError(InfraError):
    """A test server could not be reached or started."""


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _required(name: str, because: str) -> str:
    value = _env(name)
    if value is None:
        raise ServerUnavailableError(f"{because} is set but {name} is not; set it as well")
    return value


def neo4j_from_env() -> Neo4jConnection | None:
    """The Neo4j named by ``MULU_TEST_NEO4J_*``, if ``MULU_TEST_NEO4J_URI`` is set."""
    uri = _env("MULU_TEST_NEO4J_URI")
    if uri is None:
        return None
    return Neo4jConnection(
        uri,
        _env("MULU_TEST_NEO4J_USER") or NEO4J_USER,
        _required("MULU_TEST_NEO4J_PASSWORD", "MULU_TEST_NEO4J_URI"),
    )


def kafka_from_env() -> KafkaConnection | None:
    """The Kafka named by ``MULU_TEST_KAFKA_*``, if ``MULU_TEST_KAFKA_BOOTSTRAP`` is set."""
    bootstrap = _env("MULU_TEST_KAFKA_BOOTSTRAP")
    if bootstrap is None:
        return None
    cafile = _env("MULU_TEST_KAFKA_CAFILE")
    protocol = _env("MULU_TEST_KAFKA_SECURITY_PROTOCOL") or (
        "SASL_SSL" if cafile else "SASL_PLAINTEXT"
    )
    try:
        return KafkaConnection(
            bootstrap,
            _required("MULU_TEST_KAFKA_USER", "MULU_TEST_KAFKA_BOOTSTRAP"),
            _required("MULU_TEST_KAFKA_PASSWORD", "MULU_TEST_KAFKA_BOOTSTRAP"),
            mechanism=_env("MULU_TEST_KAFKA_MECHANISM") or SCRAM_MECHANISM,
            security_protocol=protocol,
            ssl_cafile=cafile,
        )
    except ValueError as error:
        raise ServerUnavailableError(
            f"MULU_TEST_KAFKA_SECURITY_PROTOCOL / MULU_TEST_KAFKA_CAFILE: {error}"
        ) from error


@cache
def docker_engine_answers(timeout: float = 1.0) -> bool:
    """Whether a Docker engine answers ``GET /_ping`` on its unix socket or TCP address."""
    if _env("MULU_TEST_DOCKER") == "0":
        return False
    host = _env("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        if host.startswith("unix://"):
            path = host.removeprefix("unix://")
            if not Path(path).exists():
                return False
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(timeout)
            conn.connect(path)
        elif host.startswith("tcp://"):
            address, _, port = host.removeprefix("tcp://").rpartition(":")
            conn = socket.create_connection((address, int(port)), timeout=timeout)
        else:
            return False
        with conn:
            conn.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return conn.recv(64).split(b"\r\n", 1)[0].endswith(b"200 OK")
    except (OSError, ValueError):
        return False


def _wait(what: str, check: Callable[[], T | None], timeout: float) -> T:
    """Retry `check` until it returns a value; raise with the last failure at `timeout`."""
    deadline = time.monotonic() + timeout
    last = "no attempt finished"
    while True:
        try:
            result = check()
        except Exception as error:
            last = f"{type(error).__name__}: {error}"
        else:
            if result is not None:
                return result
            last = "not ready"
        if time.monotonic() >= deadline:
            raise ServerUnavailableError(f"{what} did not answer within {timeout:.0f} s: {last}")
        time.sleep(0.25)


# -- Neo4j ----------------------------------------------------------------------------------


def _neo4j_ready(info: Neo4jConnection) -> Neo4jConnection:
    check_neo4j(info)
    return info


@contextmanager
def neo4j_server() -> Iterator[Neo4jConnection]:
    """A Neo4j that answers, from the first source available (see the module docstring)."""
    named = neo4j_from_env()
    if named is not None:
        _wait(f"Neo4j named by MULU_TEST_NEO4J_URI={named.uri}", lambda: _neo4j_ready(named), 30)
        yield named
    elif docker_engine_answers():
        with _neo4j_container() as info:
            yield info
    else:
        with _neo4j_local() as info:
            yield info


@contextmanager
def _neo4j_local() -> Iterator[Neo4jConnection]:
    home = Path(tempfile.mkdtemp(prefix="mulu-test-neo4j-"))
    server = Neo4jServer(
        home,
        free_port(),
        secrets.token_urlsafe(18),
        owner_pid=os.getpid(),
        start_timeout=READY_TIMEOUT,
    )
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def _neo4j_container() -> Iterator[Neo4jConnection]:
    from testcontainers.core.container import DockerContainer

    password = secrets.token_urlsafe(18)
    port = free_port()
    container = (
        DockerContainer(NEO4J_IMAGE)
        .with_env("NEO4J_AUTH", f"{NEO4J_USER}/{password}")
        .with_env("NEO4J_dbms_usage__report_enabled", "false")
        .with_env("NEO4J_server_http_enabled", "false")
        .with_env("NEO4J_server_memory_heap_max__size", "512m")
        .with_env("NEO4J_server_memory_pagecache_size", "256m")
    )
    _bind_loopback(container, 7687, port)
    with _running(container, "Neo4j container") as started:
        info = Neo4jConnection(f"bolt://{HOST}:{port}", NEO4J_USER, password)
        _wait_container(started, "Neo4j container", lambda: _neo4j_ready(info))
        yield info


# -- Kafka ----------------------------------------------------------------------------------


def platform_tls(directory: Path) -> KafkaTls:
    """A platform CA in `directory` and the broker's server certificate, issued by it (SAN
    127.0.0.1 and localhost: `mulu pki issue server`)."""
    from federation.identity import PlatformCA

    ca = PlatformCA.init(directory, name="mulu test platform CA")
    cert, key = ca.issue_server("kafka", days=7)
    return KafkaTls(cert=cert, key=key, ca=ca.cert_path)


@contextmanager
def kafka_server() -> Iterator[KafkaConnection]:
    """A Kafka that answers, from the first source available (see the module docstring)."""
    named = kafka_from_env()
    if named is not None:
        what = f"Kafka named by MULU_TEST_KAFKA_BOOTSTRAP={named.bootstrap_servers}"
        _wait(what, lambda: named if check_kafka(named) else None, 30)
        yield named
    elif docker_engine_answers():
        with _kafka_container() as info:
            yield info
    else:
        with _kafka_local() as info:
            yield info


@contextmanager
def _kafka_local() -> Iterator[KafkaConnection]:
    home = Path(tempfile.mkdtemp(prefix="mulu-test-kafka-"))
    port, controller_port = free_ports(2)
    server = KafkaServer(
        home,
        port,
        controller_port,
        secrets.token_urlsafe(18),
        owner_pid=os.getpid(),
        start_timeout=READY_TIMEOUT,
        tls=platform_tls(home / "pki"),
    )
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def _kafka_container() -> Iterator[KafkaConnection]:
    """apache/kafka configured exactly like infra's server (same server.properties, SASL_SSL
    with a platform CA's certificate, its PEM files handed over in the environment)."""
    from testcontainers.core.container import DockerContainer

    password = secrets.token_urlsafe(18)
    port = free_port()
    pki = Path(tempfile.mkdtemp(prefix="mulu-test-kafka-pki-"))
    tls = platform_tls(pki / "ca")
    properties = server_properties(
        listen_host="0.0.0.0",
        advertised_host=HOST,
        port=9092,
        advertised_port=port,
        controller_port=9093,
        data_dir="/tmp/kafka-data",
        admin_user="admin",
        admin_password=password,
        controller_secret=secrets.token_urlsafe(18),
        keystore="/tmp/client-listener.pem",
        truststore="/tmp/ca.crt",
    )
    script = (
        'printf "%s" "$MULU_KEYSTORE" > /tmp/client-listener.pem'
        ' && printf "%s" "$MULU_TRUSTSTORE" > /tmp/ca.crt'
        ' && printf "%s" "$MULU_SERVER_PROPERTIES" > /tmp/server.properties'
        " && /opt/kafka/bin/kafka-storage.sh format --config /tmp/server.properties"
        f" --cluster-id {new_cluster_id()}"
        f" --add-scram 'SCRAM-SHA-512=[name=admin,password={password}]'"
        " && exec /opt/kafka/bin/kafka-server-start.sh /tmp/server.properties"
    )
    container = (
        DockerContainer(KAFKA_IMAGE)
        .with_env("MULU_SERVER_PROPERTIES", properties)
        .with_env("MULU_KEYSTORE", tls.keystore_pem().decode("ascii"))
        .with_env("MULU_TRUSTSTORE", tls.ca.read_text(encoding="ascii"))
        .with_env("KAFKA_HEAP_OPTS", "-Xms512m -Xmx512m")
        .with_command(["sh", "-c", script])
    )
    _bind_loopback(container, 9092, port)
    try:
        with _running(container, "Kafka container") as started:
            info = KafkaConnection(
                f"{HOST}:{port}",
                "admin",
                password,
                security_protocol="SASL_SSL",
                ssl_cafile=str(tls.ca),
            )
            _wait_container(started, "Kafka container", lambda: info if check_kafka(info) else None)
            yield info
    finally:
        shutil.rmtree(pki, ignore_errors=True)


# -- containers -----------------------------------------------------------------------------


def _bind_loopback(container: Any, container_port: int, host_port: int) -> None:
    """Publish `container_port` on 127.0.0.1:`host_port` only (with_bind_ports would bind
    every interface); the Docker SDK takes an ``(address, port)`` pair."""
    container.ports[f"{container_port}/tcp"] = (HOST, host_port)


@contextmanager
def _running(container: Any, what: str) -> Iterator[Any]:
    try:
        started = container.start()
    except Exception as error:
        raise ServerUnavailableError(f"{what} did not start: {error}") from error
    try:
        yield started
    finally:
        started.stop()


def _wait_container(container: Any, what: str, check: Callable[[], T | None]) -> T:
    try:
        return _wait(what, check, READY_TIMEOUT)
    except ServerUnavailableError as error:
        stdout, stderr = container.get_logs()
        logs = (stdout + stderr).decode("utf-8", errors="replace").splitlines()[-40:]
        tail = "\n".join(logs)
        raise ServerUnavailableError(f"{error}\n--- container log tail ---\n{tail}") from error
