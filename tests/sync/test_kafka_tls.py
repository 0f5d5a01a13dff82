"""The sync's Kafka clients over SASL_SSL: the broker's certificate is verified with the
platform CA, a client that does not trust it (or does not speak TLS) is refused at once with
an error naming the setting to change, and the SCRAM principals and their ACLs still decide
what each end may do."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import ssl
import time
from pathlib import Path
from typing import Any

import pytest

from federation.identity import PlatformCA
from infra.kafka import KafkaAdmin
from sync.acls import principal, provision_links
from sync.errors import LogError, LogNotPermitted, LogNotTrusted, UnknownTopic
from sync.log.kafka import KafkaClientSettings, KafkaLog
from tests import servers
from tests.sync.conftest import MakeLink, kafka_settings

# A refusal is said within this many seconds: never a wait for the request timeout.
AT_ONCE = 10.0

CI, CE, PI = "510100/intranet", "510100/extranet", "510000/intranet"


# -- without a broker -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ssl_cafile", "ssl_certfile", "ssl_keyfile"])
def test_tls_files_without_sasl_ssl_are_refused_by_name(name: str) -> None:
    with pytest.raises(ValueError, match=f"{name} given but security_protocol is SASL_PLAINTEXT"):
        KafkaClientSettings("127.0.0.1:9092", "u", "p", **{name: "x.pem"})


def test_an_unknown_security_protocol_is_refused_saying_what_is_accepted() -> None:
    with pytest.raises(ValueError, match=r"'SSL' is not accepted; use 'SASL_SSL' or"):
        KafkaClientSettings("127.0.0.1:9092", "u", "p", security_protocol="SSL")


def test_a_client_certificate_needs_its_key() -> None:
    with pytest.raises(ValueError, match="ssl_certfile and ssl_keyfile together"):
        KafkaClientSettings(
            "127.0.0.1:9092", "u", "p", security_protocol="SASL_SSL", ssl_certfile="c.pem"
        )


def test_a_missing_ca_file_is_a_log_error_naming_ssl_cafile(tmp_path: Path) -> None:
    settings = KafkaClientSettings(
        "127.0.0.1:9092",
        "u",
        "p",
        security_protocol="SASL_SSL",
        ssl_cafile=tmp_path / "missing.crt",
    )
    with pytest.raises(LogError, match=r"ssl_cafile '.*missing\.crt' is not a usable PEM"):
        settings.client()


# -- over the suite's SASL_SSL broker -------------------------------------------------------

kafka = pytest.mark.kafka


async def _topics(settings: KafkaClientSettings) -> float:
    """Seconds until the brokers refused `settings` (they must); the error is re-raised."""
    began = time.monotonic()
    try:
        async with KafkaLog.open(settings) as log:
            await log.end_offset("no-such-topic")
    finally:
        assert time.monotonic() - began < AT_ONCE
    return time.monotonic() - began


@kafka
def test_the_suites_broker_speaks_sasl_ssl_with_a_ca(kafka_server: Any) -> None:
    assert kafka_server.security_protocol == "SASL_SSL"
    assert kafka_server.ssl_cafile is not None


@kafka
async def test_a_client_that_trusts_another_ca_is_refused_naming_ssl_cafile(
    tmp_path: Path, kafka_server: Any
) -> None:
    other = PlatformCA.init(tmp_path / "other-ca", name="another CA")
    settings = kafka_settings(kafka_server, ssl_cafile=other.cert_path)
    with pytest.raises(LogNotTrusted) as refused:
        await _topics(settings)
    message = str(refused.value)
    assert "is not trusted" in message
    assert f"ssl_cafile={str(other.cert_path)!r}" in message
    assert not refused.value.retriable  # a wrong CA does not get better by waiting


@kafka
async def test_the_broker_is_reached_by_a_name_its_certificate_holds(
    kafka_server: Any, unique_topic: Any
) -> None:
    """The certificate names 127.0.0.1 and localhost (subjectAltNames) and the client checks
    the name it dialled; `localhost` is a DNS name, so this is the name check, not the IP's."""
    port = kafka_server.bootstrap_servers.rpartition(":")[2]
    settings = kafka_settings(kafka_server, bootstrap_servers=f"localhost:{port}")
    context = settings.client()["ssl_context"]
    assert context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED
    async with KafkaLog.open(settings) as log:
        topic = unique_topic("by-name")
        await log.create_topic(topic)
        assert await log.end_offset(topic) == 0


@kafka
async def test_a_plaintext_client_cannot_talk_to_the_sasl_ssl_listener(kafka_server: Any) -> None:
    settings = dataclasses.replace(
        kafka_settings(kafka_server), security_protocol="SASL_PLAINTEXT", ssl_cafile=None
    )
    with pytest.raises(LogNotTrusted, match="speaks TLS but security_protocol is SASL_PLAINTEXT"):
        await _topics(settings)


@kafka
async def test_a_client_certificate_of_another_ca_is_refused(
    tmp_path: Path, kafka_server: Any
) -> None:
    other = PlatformCA.init(tmp_path / "other-ca", name="another CA")
    cert, key = other.issue_instance(CI)
    settings = kafka_settings(kafka_server, ssl_certfile=cert, ssl_keyfile=key)
    with pytest.raises(LogNotTrusted, match="refused the TLS handshake"):
        await _topics(settings)


@kafka
async def test_a_client_certificate_of_the_platform_ca_is_accepted(
    kafka_server: Any, kafka_admin: KafkaAdmin, unique_topic: Any
) -> None:
    if servers.kafka_from_env() is not None:
        pytest.skip("the broker is named by MULU_TEST_KAFKA_*: its CA is not the suite's to use")
    directory = Path(kafka_server.ssl_cafile).parent  # the CA the suite made for its broker
    cert, key = PlatformCA.open(directory).issue_instance(PI)
    topic = unique_topic("mtls")
    async with KafkaLog.open(
        kafka_settings(kafka_server, ssl_certfile=cert, ssl_keyfile=key)
    ) as log:
        await log.create_topic(topic)
        assert await log.append(topic, [("k", b"v")]) == [0]


@kafka
async def test_over_sasl_ssl_a_links_principal_cannot_read_another_links_topic(
    kafka_server: Any, kafka_admin: KafkaAdmin, link: MakeLink
) -> None:
    """The handshake is TLS; who may do what is still the SCRAM principal's ACLs."""
    mirror, upward = link(CI, CE), link(CI, PI)
    passwords = {instance: secrets.token_urlsafe(18) for instance in (CI, CE, PI)}
    await asyncio.to_thread(provision_links, kafka_admin, [mirror, upward], passwords)

    def as_instance(instance: str) -> KafkaClientSettings:
        return kafka_settings(kafka_server.as_user(principal(instance), passwords[instance]))

    async with KafkaLog.open(as_instance(CI)) as source:
        await source.append(upward.topic, [("301001001/000001", b"for the province")])
    async with KafkaLog.open(as_instance(CE)) as extranet:
        # Its own link's topic: allowed.
        async with extranet.reader(mirror.topic, mirror.group) as reader:
            assert await reader.getmany(timeout_ms=2000) == []
        # The upward link's topic, even with the upward link's group: refused.
        with pytest.raises((LogNotPermitted, UnknownTopic)):
            async with extranet.reader(upward.topic, upward.group) as reader:
                await reader.getmany(timeout_ms=2000)
    async with (
        KafkaLog.open(as_instance(PI)) as province,
        province.reader(upward.topic, upward.group) as reader,
    ):
        records = await reader.getmany(timeout_ms=10_000)
        assert [r.value for r in records] == [b"for the province"]
