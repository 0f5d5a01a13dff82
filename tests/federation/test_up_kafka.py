"""`mulu up` over Kafka with wrong or missing credentials: one line on the console that names
the cause (not "Unable to bootstrap" and pages of tracebacks), exit code 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.net import free_ports
from tests.federation.test_up import CITY, CITY_E, PROVINCE, run, write_topology

pytestmark = pytest.mark.kafka


def kafka_env(kafka: Any, **more: str) -> dict[str, str]:
    env = {
        "MULU_LOG": "kafka",
        "MULU_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "MULU_KAFKA__SECURITY_PROTOCOL": kafka.security_protocol,
        **more,
    }
    if kafka.ssl_cafile:
        env["MULU_KAFKA__SSL_CAFILE"] = kafka.ssl_cafile
    return env


def console(stderr: str) -> list[str]:
    """What stderr says besides the JSON log lines."""
    return [line for line in stderr.splitlines() if line and not line.startswith("{")]


def topology(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    write_topology(path, dict(zip((CITY, CITY_E, PROVINCE), free_ports(3), strict=True)))
    return path


def test_a_refused_password_is_one_line_naming_the_cause(tmp_path: Path, kafka_server: Any) -> None:
    env = kafka_env(
        kafka_server, MULU_KAFKA__USER=kafka_server.user, MULU_KAFKA__PASSWORD="not-the-password"
    )
    result = run(tmp_path, "up", str(topology(tmp_path)), env=env)
    assert result.returncode == 1
    said = console(result.stderr)
    assert len(said) == 1, result.stderr[-3000:]
    assert said[0].startswith("mulu up: ")
    assert f"refused the SCRAM-SHA-512 credentials of {kafka_server.user!r}" in said[0]
    assert "Traceback" not in result.stderr


def test_missing_credentials_are_one_line_naming_the_variable(
    tmp_path: Path, kafka_server: Any
) -> None:
    result = run(tmp_path, "up", str(topology(tmp_path)), env=kafka_env(kafka_server))
    assert result.returncode == 1
    said = console(result.stderr)
    assert len(said) == 1, result.stderr[-3000:]
    assert "has no Kafka credentials: set MULU_KAFKA_PASSWORD_" in said[0]
    assert "Traceback" not in result.stderr


def test_serve_says_a_refused_password_in_one_line(tmp_path: Path, kafka_server: Any) -> None:
    env = kafka_env(
        kafka_server,
        MULU_TOPOLOGY=str(topology(tmp_path)),
        MULU_INSTANCE=CITY,
        MULU_PORT=str(free_ports(1)[0]),
        MULU_KAFKA__USER=kafka_server.user,
        MULU_KAFKA__PASSWORD="not-the-password",
    )
    result = run(tmp_path, "serve", env=env)
    assert result.returncode == 1
    said = console(result.stderr)
    assert len(said) == 1, result.stderr[-3000:]
    assert said[0].startswith("mulu serve: ")
    assert "refused the SCRAM-SHA-512 credentials" in said[0]
