"""infra/ without servers: configuration, validation, caching, detection, the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from infra import Acl, KafkaConnection, KafkaServer, Neo4jServer, free_port, free_ports
from infra.cli import app
from infra.cli.common import STOPPED_EXIT_CODE
from infra.errors import FetchError, JavaNotFoundError
from infra.jvm.fetch import MARKER, fetch, is_fetched, lib_dir, render_pom, server_dir
from infra.jvm.java import java_feature_version, java_home
from infra.jvm.process import JavaProcess
from infra.kafka.config import server_properties
from infra.kafka.tls import KafkaTls, self_signed_tls
from infra.versions import KAFKA, MAVEN_DEPENDENCY_PLUGIN_VERSION, NEO4J
from tests import servers

# -- versions and fetching -----------------------------------------------------------------


def test_pom_names_every_pinned_artifact_and_the_plugin_version() -> None:
    pom = render_pom(KAFKA)
    for artifact in KAFKA.artifacts:
        assert f"<artifactId>{artifact.artifact_id}</artifactId>" in pom
        assert f"<version>{artifact.version}</version>" in pom
    assert f"<version>{MAVEN_DEPENDENCY_PLUGIN_VERSION}</version>" in pom
    assert "<version>5.26.30</version>" in render_pom(NEO4J)


def _fake_complete_fetch(cache: Path) -> None:
    from infra.jvm.fetch import _digest

    lib_dir(NEO4J, cache).mkdir(parents=True)
    (lib_dir(NEO4J, cache) / "neo4j.jar").write_bytes(b"")
    (server_dir(NEO4J, cache) / MARKER).write_text(_digest(render_pom(NEO4J)))


def test_a_complete_cache_is_reused_without_maven(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_complete_fetch(tmp_path)
    monkeypatch.setenv("MULU_MVN", str(tmp_path / "no-such-mvn"))
    assert is_fetched(NEO4J, tmp_path)
    assert fetch(NEO4J, cache=tmp_path) == lib_dir(NEO4J, tmp_path)


def test_a_half_finished_or_outdated_fetch_is_not_complete(tmp_path: Path) -> None:
    _fake_complete_fetch(tmp_path)
    marker = server_dir(NEO4J, tmp_path) / MARKER
    marker.write_text("digest-of-another-artifact-list")
    assert not is_fetched(NEO4J, tmp_path)
    marker.unlink()
    assert not is_fetched(NEO4J, tmp_path)


def test_a_failing_maven_is_reported_with_its_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MULU_MVN", "/bin/false")
    with pytest.raises(FetchError, match=r"fetching neo4j-5\.26\.30 failed \(exit 1\)"):
        fetch(NEO4J, cache=tmp_path)
    assert not is_fetched(NEO4J, tmp_path)


# -- Java ------------------------------------------------------------------------------------


def test_java_is_17_or_21_whatever_java_home_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", "/nonexistent")
    assert java_feature_version(java_home()) in (17, 21)


def test_an_unsupported_java_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "java").touch()
    (tmp_path / "release").write_text('JAVA_VERSION="25.0.1"\n')
    monkeypatch.setenv("MULU_JAVA_HOME", str(tmp_path))
    with pytest.raises(JavaNotFoundError, match=r"found version 25"):
        java_home()


# -- configuration and validation ----------------------------------------------------------


def test_neo4j_config_has_only_loopback_bolt_with_auth(tmp_path: Path) -> None:
    config = Neo4jServer(tmp_path, 17001, "long-enough").config()
    assert "server.bolt.listen_address=127.0.0.1:17001" in config
    assert "server.http.enabled=false" in config
    assert "server.https.enabled=false" in config
    assert "dbms.security.auth_enabled=true" in config
    assert "dbms.usage_report.enabled=false" in config


def test_kafka_properties_deny_by_default_with_scram_clients() -> None:
    text = server_properties(
        listen_host="127.0.0.1",
        advertised_host="127.0.0.1",
        port=19001,
        advertised_port=19001,
        controller_port=19002,
        data_dir="/tmp/data",
        admin_user="admin",
        admin_password="admin-password",
        controller_secret="controller-secret",
    )
    settings = dict(line.split("=", 1) for line in text.splitlines() if "=" in line[:60])
    assert settings["authorizer.class.name"].endswith("StandardAuthorizer")
    assert settings["allow.everyone.if.no.acl.found"] == "false"
    assert settings["super.users"] == "User:admin;User:controller"
    assert settings["listener.name.client.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert settings["sasl.mechanism.controller.protocol"] == "PLAIN"
    assert settings["controller.quorum.voters"] == "1@127.0.0.1:19002"
    assert settings["offsets.topic.replication.factor"] == "1"
    assert settings["listener.security.protocol.map"] == (
        "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
    )
    assert not any(key.startswith("listener.name.client.ssl.") for key in settings)


def _properties(**tls: str) -> dict[str, str]:
    text = server_properties(
        listen_host="127.0.0.1",
        advertised_host="127.0.0.1",
        port=19001,
        advertised_port=19001,
        controller_port=19002,
        data_dir="/tmp/data",
        admin_user="admin",
        admin_password="admin-password",
        controller_secret="controller-secret",
        **tls,
    )
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line[:80])


def test_kafka_properties_with_a_keystore_make_the_client_listener_sasl_ssl_from_pem() -> None:
    settings = _properties(keystore="/home/conf/client-listener.pem", truststore="/pki/ca.crt")
    assert settings["listener.security.protocol.map"] == (
        "CLIENT:SASL_SSL,CONTROLLER:SASL_PLAINTEXT"
    )
    assert settings["listener.name.client.ssl.keystore.type"] == "PEM"
    assert settings["listener.name.client.ssl.keystore.location"] == (
        "/home/conf/client-listener.pem"
    )
    assert settings["listener.name.client.ssl.truststore.type"] == "PEM"
    assert settings["listener.name.client.ssl.truststore.location"] == "/pki/ca.crt"
    assert settings["listener.name.client.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert not any("password" in key and "ssl" in key for key in settings)  # no JKS anywhere


def test_kafka_properties_need_both_a_keystore_and_a_truststore() -> None:
    with pytest.raises(ValueError, match="both a keystore and a truststore"):
        _properties(keystore="/home/conf/client-listener.pem")


def test_a_self_signed_tls_is_made_once_with_private_keys(tmp_path: Path) -> None:
    tls = self_signed_tls(tmp_path / "tls")
    assert (tls.key.stat().st_mode & 0o777) == 0o600
    assert ((tmp_path / "tls" / "ca.key").stat().st_mode & 0o777) == 0o600
    certificate = x509.load_pem_x509_certificate(tls.cert.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    again = self_signed_tls(tmp_path / "tls")
    assert again.ca.read_bytes() == tls.ca.read_bytes()  # clients keep trusting the same CA
    keystore = tls.keystore_pem().decode()
    assert keystore.startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as Kafka reads it
    assert "-----BEGIN CERTIFICATE-----" in keystore


def test_a_traditional_key_is_written_to_the_keystore_as_pkcs8(tmp_path: Path) -> None:
    tls = self_signed_tls(tmp_path / "tls")
    key = serialization.load_pem_private_key(tls.key.read_bytes(), password=None)
    traditional = tmp_path / "traditional.key"
    traditional.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    assert b"BEGIN EC PRIVATE KEY" in traditional.read_bytes()
    converted = KafkaTls(cert=tls.cert, key=traditional, ca=tls.ca).keystore_pem()
    assert converted.startswith(b"-----BEGIN PRIVATE KEY-----")


def test_tls_files_that_kafka_could_not_use_are_named(tmp_path: Path) -> None:
    tls = self_signed_tls(tmp_path / "tls")
    key = serialization.load_pem_private_key(tls.key.read_bytes(), password=None)
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        )
    )
    with pytest.raises(ValueError, match=r"TLS key .*encrypted\.key is encrypted"):
        KafkaTls(cert=tls.cert, key=encrypted, ca=tls.ca)
    with pytest.raises(ValueError, match=r"TLS CA bundle .*broker\.key holds no PEM certificate"):
        KafkaTls(cert=tls.cert, key=tls.key, ca=tls.key)
    with pytest.raises(ValueError, match=r"TLS certificate .*missing\.crt cannot be read"):
        KafkaTls(cert=tmp_path / "missing.crt", key=tls.key, ca=tls.ca)


def test_a_kafka_server_with_tls_is_reached_over_sasl_ssl_with_its_ca(tmp_path: Path) -> None:
    tls = self_signed_tls(tmp_path / "tls")
    server = KafkaServer(tmp_path / "home", 19092, 19093, "long-enough", tls=tls)
    info = server.connection
    assert (info.security_protocol, info.ssl_cafile) == ("SASL_SSL", str(tls.ca))
    assert info.confluent()["ssl.ca.location"] == str(tls.ca)
    assert info.aiokafka()["ssl_context"].check_hostname
    assert "SASL_SSL" in server.properties("controller-secret")
    plain = KafkaServer(tmp_path / "plain", 19094, 19095, "long-enough").connection
    assert (plain.security_protocol, plain.ssl_cafile) == ("SASL_PLAINTEXT", None)
    assert "ssl_context" not in plain.aiokafka()


def test_a_ca_file_without_sasl_ssl_is_refused() -> None:
    with pytest.raises(ValueError, match="a CA is used over SASL_SSL only"):
        KafkaConnection("127.0.0.1:9092", "admin", "pw", ssl_cafile="/ca.crt")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: Neo4jServer(p, 7687, "short"), "too short"),
        (lambda p: Neo4jServer(p, 70000, "long-enough"), "bolt_port=70000"),
        (lambda p: Neo4jServer(p, 7687, "long-enough", heap="lots"), "heap='lots'"),
        (lambda p: KafkaServer(p, 9092, 9092, "long-enough"), "both 9092"),
        (lambda p: KafkaServer(p, 9092, 9093, "has space!"), r"contains ' !'"),
        (lambda p: KafkaServer(p, 9092, 9093, "long-enough", admin_user="x y"), "'x y'"),
        (lambda p: KafkaServer(p, 9092, 9093, "long-enough", admin_user="controller"), "reserved"),
        (lambda p: Acl("alice", "topic", "t", "fly"), "operation 'fly'"),  # type: ignore[arg-type]
        (lambda p: Acl("alice", "cluster", "c", "alter"), "'kafka-cluster'"),
    ],
)
def test_bad_values_are_named_in_the_error(tmp_path: Path, make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(tmp_path)  # type: ignore[operator]


def test_acl_survives_a_round_trip_through_a_binding() -> None:
    acl = Acl("alice", "group", "sync-", "read", pattern="prefixed", permission="deny")
    assert Acl.from_binding(acl.binding()) == acl


# -- processes and status ------------------------------------------------------------------


def test_a_pid_file_naming_another_process_is_not_trusted(tmp_path: Path) -> None:
    process = JavaProcess(tmp_path, tmp_path / "x.pid", tmp_path / "console.log")
    (tmp_path / "x.pid").write_text(f"{os.getpid()}\n")  # alive, but not our JVM
    assert not process.state().running
    (tmp_path / "x.pid").write_text("not a pid\n")
    assert not process.state().running


def test_stop_kills_a_process_that_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = tmp_path / "java"
    stubborn.write_text("#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n")
    stubborn.chmod(0o755)
    process = JavaProcess(tmp_path, tmp_path / "run" / "x.pid", tmp_path / "console.log")
    pid = process.spawn(stubborn, [], "Main", [], classpath="lib/*", env=os.environ)
    assert process.state().pid == pid
    assert process.stop(timeout=0.5) is True
    assert not process.alive(pid)
    assert not process.state().running
    assert not (tmp_path / "run" / "x.pid").exists()


def test_status_of_a_server_never_started(tmp_path: Path) -> None:
    port, controller_port = free_ports(2)
    status = KafkaServer(tmp_path, port, controller_port, "long-enough").status()
    assert not status.running
    assert not status.answering
    assert "stopped" in status.describe()


# -- where test servers come from -------------------------------------------------------------


def test_docker_detection_falls_through_fast_without_an_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    servers.docker_engine_answers.cache_clear()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/docker.sock")
    assert servers.docker_engine_answers() is False
    servers.docker_engine_answers.cache_clear()
    monkeypatch.setenv("MULU_TEST_DOCKER", "0")
    assert servers.docker_engine_answers() is False
    servers.docker_engine_answers.cache_clear()


def test_env_named_servers_need_their_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULU_TEST_NEO4J_URI", "bolt://127.0.0.1:7687")
    monkeypatch.delenv("MULU_TEST_NEO4J_PASSWORD", raising=False)
    with pytest.raises(servers.ServerUnavailableError, match="MULU_TEST_NEO4J_PASSWORD"):
        servers.neo4j_from_env()
    monkeypatch.setenv("MULU_TEST_NEO4J_PASSWORD", "pw")
    named = servers.neo4j_from_env()
    assert named is not None
    assert (named.uri, named.user) == ("bolt://127.0.0.1:7687", "neo4j")

    monkeypatch.setenv("MULU_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    monkeypatch.setenv("MULU_TEST_KAFKA_USER", "admin")
    monkeypatch.delenv("MULU_TEST_KAFKA_PASSWORD", raising=False)
    with pytest.raises(servers.ServerUnavailableError, match="MULU_TEST_KAFKA_PASSWORD"):
        servers.kafka_from_env()
    monkeypatch.setenv("MULU_TEST_KAFKA_PASSWORD", "pw")
    named_kafka = servers.kafka_from_env()
    assert named_kafka is not None
    assert (named_kafka.security_protocol, named_kafka.ssl_cafile) == ("SASL_PLAINTEXT", None)
    monkeypatch.setenv("MULU_TEST_KAFKA_CAFILE", "/pki/ca.crt")
    named_kafka = servers.kafka_from_env()
    assert named_kafka is not None
    assert (named_kafka.security_protocol, named_kafka.ssl_cafile) == ("SASL_SSL", "/pki/ca.crt")
    monkeypatch.setenv("MULU_TEST_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    with pytest.raises(servers.ServerUnavailableError, match="SASL_SSL only"):
        servers.kafka_from_env()


# -- the CLI ---------------------------------------------------------------------------------


def test_cli_status_exits_3_for_a_stopped_server(tmp_path: Path) -> None:
    port = str(free_port())
    result = CliRunner().invoke(app, ["neo4j", "status", "--port", port, "--home", str(tmp_path)])
    assert result.exit_code == STOPPED_EXIT_CODE
    assert "stopped" in result.output


def test_cli_rejects_a_bad_acl_naming_the_value() -> None:
    result = CliRunner().invoke(
        app, ["kafka", "acl", "add", "--user", "alice", "--operation", "fly", "--topic", "t"]
    )
    assert result.exit_code == 1
    assert "operation 'fly'" in result.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--tls-cert", "c.crt"], "give --tls-cert, --tls-key and --tls-ca together"),
        (["--tls-self", "--tls-ca", "ca.crt"], "drop --tls-ca or --tls-self"),
    ],
)
def test_cli_start_refuses_an_incomplete_tls_before_starting(
    tmp_path: Path, options: list[str], message: str
) -> None:
    arguments = ["kafka", "start", "--port", str(free_port()), "--home", str(tmp_path), *options]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "conf").exists()


def test_a_password_beginning_with_a_dash_is_set(tmp_path: Path) -> None:
    """secrets.token_urlsafe draws a password beginning with '-' now and then; Neo4j's admin
    tool must take it as the password, not as an unknown option (it ran for real here)."""
    server = Neo4jServer(tmp_path / "home", 17687, "-looks-like-an-option")
    server._prepare()  # writes the configuration and sets the initial password
    assert (tmp_path / "home" / "data" / "dbms" / "auth.ini").is_file()
