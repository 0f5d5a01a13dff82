"""How a client reaches the broker as one SCRAM-SHA-512 principal, and whether it answers.

Over SASL_SSL the client checks the broker's certificate against `ssl_cafile` and its host
name (the address in ``bootstrap_servers``) against the certificate's subjectAltNames; a
certificate that does not verify ends `check_kafka` at once with `KafkaTlsError`.

User names and secrets are kept to characters that need no quoting anywhere Kafka reads them
(``server.properties``, JAAS config, the StorageTool's SCRAM syntax, ACL principals);
`validate_principal` and `validate_secret` say so by name when one does not fit.

    >>> info = KafkaConnection("127.0.0.1:9092", "admin", "change-me-please")
    >>> AIOKafkaProducer(**info.as_user("province-33", "a-long-secret").aiokafka())
"""

from __future__ import annotations

import re
import ssl
import time
from dataclasses import dataclass, field, replace
from typing import Any, Final

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from infra.errors import KafkaAuthenticationError, KafkaTlsError

__all__ = [
    "QUIET_CLIENT",
    "SCRAM_MECHANISM",
    "KafkaConnection",
    "check_kafka",
    "validate_principal",
    "validate_secret",
]

SCRAM_MECHANISM: Final = "SCRAM-SHA-512"
MIN_PASSWORD_LENGTH: Final = 8
_ATTEMPT_SECONDS: Final = 0.5

# Kept to characters that need no quoting in server.properties, JAAS config, the
# StorageTool's SCRAM syntax and ACL principals.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SECRET = re.compile(r"^[A-Za-z0-9_.~@%^+-]+$")

# librdkafka prints every refused connection while the broker starts; a failed start is
# explained by the server log tail instead.
QUIET_CLIENT: Final = {"log_level": "0", "socket.connection.setup.timeout.ms": "2000"}


def validate_principal(name: str) -> str:
    """`name` if it is a usable SCRAM user name, else a ValueError saying what is accepted."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"Kafka user name {name!r} is not accepted; use 1-64 characters from A-Z a-z 0-9 "
            "_ . - starting with a letter or digit"
        )
    return name


def validate_secret(what: str, password: str) -> str:
    """`password` if it is long enough and needs no quoting, else a ValueError."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"{what} must have at least {MIN_PASSWORD_LENGTH} characters "
            f"(got {len(password) if isinstance(password, str) else type(password).__name__})"
        )
    if not _SECRET.match(password):
        bad = sorted({c for c in password if not _SECRET.match(c)})
        raise ValueError(
            f"{what} contains {''.join(bad)!r}; use only A-Z a-z 0-9 and _ . ~ @ % ^ + -"
        )
    return password


@dataclass(frozen=True, slots=True)
class KafkaConnection:
    """How a client reaches the broker, as one principal."""

    bootstrap_servers: str
    user: str
    password: str = field(repr=False)
    mechanism: str = SCRAM_MECHANISM
    security_protocol: str = "SASL_PLAINTEXT"
    ssl_cafile: str | None = None  # the CA bundle (PEM) the broker is verified with, SASL_SSL

    def __post_init__(self) -> None:
        if self.security_protocol not in ("SASL_PLAINTEXT", "SASL_SSL"):
            raise ValueError(
                f"security_protocol {self.security_protocol!r} is not accepted; "
                "use 'SASL_SSL' or 'SASL_PLAINTEXT'"
            )
        if self.ssl_cafile is not None and self.security_protocol != "SASL_SSL":
            raise ValueError(
                f"ssl_cafile {self.ssl_cafile!r} is given but security_protocol is "
                f"{self.security_protocol}; a CA is used over SASL_SSL only"
            )

    @property
    def tls(self) -> bool:
        return self.security_protocol == "SASL_SSL"

    def ssl_context(self) -> ssl.SSLContext:
        """The client side of SASL_SSL: `ssl_cafile` (else the system's CAs), host names
        checked."""
        return ssl.create_default_context(cafile=self.ssl_cafile)

    def as_user(self, user: str, password: str) -> KafkaConnection:
        """The same broker, as another principal."""
        return replace(self, user=user, password=password)

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.user,
            "sasl_plain_password": self.password,
        }
        if self.tls:
            options["ssl_context"] = self.ssl_context()
        return options

    def confluent(self) -> dict[str, str]:
        """A librdkafka (confluent_kafka) configuration dict."""
        config = {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol,
            "sasl.mechanism": self.mechanism,
            "sasl.username": self.user,
            "sasl.password": self.password,
        }
        if self.tls:
            config["ssl.endpoint.identification.algorithm"] = "https"
            if self.ssl_cafile is not None:
                config["ssl.ca.location"] = self.ssl_cafile
        return config


_AUTH_FAILURES: Final = frozenset(
    {KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED}
)


def check_kafka(info: KafkaConnection, timeout: float = 3.0) -> bool:
    """One metadata request as `info`'s principal: True once a broker is registered.

    Raises `KafkaAuthenticationError` when the credentials are refused, `KafkaTlsError` when
    the broker's certificate does not verify against `info.ssl_cafile`, and
    ``confluent_kafka.KafkaException`` when the broker does not answer in `timeout` seconds.
    """
    refused: list[KafkaError] = []
    untrusted: list[KafkaError] = []

    def on_error(error: KafkaError) -> None:
        if error.code() in _AUTH_FAILURES:
            refused.append(error)
        elif error.code() == KafkaError._SSL:
            untrusted.append(error)

    config: dict[str, Any] = {**info.confluent(), **QUIET_CLIENT, "error_cb": on_error}
    admin = AdminClient(config)
    deadline = time.monotonic() + timeout
    while True:
        # Short attempts, so that a refusal librdkafka reports between them ends the wait.
        remaining = deadline - time.monotonic()
        try:
            metadata = admin.list_topics(timeout=max(min(_ATTEMPT_SECONDS, remaining), 0.01))
            break
        except KafkaException as exception:
            admin.poll(0)  # deliver a pending authentication or TLS error to on_error
            if refused or untrusted or time.monotonic() >= deadline:
                _raise_refusal(info, refused, untrusted, exception)
                raise
    return bool(metadata.brokers)


def _raise_refusal(
    info: KafkaConnection,
    refused: list[KafkaError],
    untrusted: list[KafkaError],
    exception: KafkaException,
) -> None:
    """Raise what the broker refused, if it refused anything."""
    if refused:
        raise KafkaAuthenticationError(
            f"Kafka at {info.bootstrap_servers} refused the {info.mechanism} credentials "
            f"of {info.user!r} ({refused[0].str()})"
        ) from exception
    if untrusted:
        raise KafkaTlsError(
            f"Kafka at {info.bootstrap_servers}: the TLS handshake failed "
            f"({untrusted[0].str()}); the CA bundle {info.ssl_cafile!r} (ssl_cafile, "
            "--ca-file) must hold the CA that issued the broker's certificate, whose "
            "subjectAltNames must name the address in bootstrap_servers"
        ) from exception
