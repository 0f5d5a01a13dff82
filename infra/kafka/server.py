"""A Kafka 4.1 single-node KRaft cluster (broker and controller in one JVM, node.id=1).

Listeners, both on 127.0.0.1:

- ``CLIENT`` (``port``): SASL_PLAINTEXT with SCRAM-SHA-512, for clients and for the broker's
  own inter-broker requests, which authenticate as the super user.
- ``CONTROLLER`` (``controller_port``): SASL_PLAINTEXT with PLAIN. SCRAM cannot serve a KRaft
  controller listener (its credentials live in the metadata log the controller serves), so the
  broker reaches its controller as ``controller`` with a password drawn at random on every
  start and written only into ``server.properties``.

The quorum is static (``controller.quorum.voters=1@127.0.0.1:<controller_port>``), so the
controller port may change between starts. Before the first start ``kafka.tools.StorageTool
format`` writes the metadata log with a fresh cluster id and the super user's SCRAM-SHA-512
credential (``--add-scram``). The ``StandardAuthorizer`` denies everything no ACL allows;
``User:<admin_user>`` and ``User:controller`` are super users. Logs go through log4j2 to
``<home>/logs/server.log``.

    >>> server = KafkaServer(port=19092, controller_port=19093, admin_password="change-me-please")
    >>> info = server.start()
    >>> info.bootstrap_servers
    '127.0.0.1:19092'
"""

from __future__ import annotations

import base64
import re
import secrets
import subprocess
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Final

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from infra.errors import KafkaAuthenticationError, ServerStartError
from infra.fetch import classpath
from infra.java import java_env, java_executable
from infra.locations import state_root
from infra.net import HOST, validate_port
from infra.server import JavaServer, validate_size
from infra.versions import KAFKA

__all__ = [
    "CONTROLLER_USER",
    "SCRAM_MECHANISM",
    "KafkaConnection",
    "KafkaServer",
    "check_kafka",
    "server_properties",
    "validate_principal",
    "validate_secret",
]

SCRAM_MECHANISM: Final = "SCRAM-SHA-512"
CONTROLLER_USER: Final = "controller"
MIN_PASSWORD_LENGTH: Final = 8

# Kept to characters that need no quoting in server.properties, JAAS config, the
# StorageTool's SCRAM syntax and ACL principals.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SECRET = re.compile(r"^[A-Za-z0-9_.~@%^+-]+$")

JVM_FLAGS: Final = (
    # What kafka-run-class.sh adds by default.
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:MaxInlineLevel=15",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
)

LOG4J2_XML: Final = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by infra/kafka.py on every start; edits are overwritten. -->
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="server" fileName="${sys:kafka.logs.dir}/server.log"
                 filePattern="${sys:kafka.logs.dir}/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="server"/></Root>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
    <Logger name="kafka.authorizer.logger" level="WARN"/>
    <Logger name="kafka.request.logger" level="WARN"/>
  </Loggers>
</Configuration>
"""


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


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not text.startswith("-"):  # the storage tool would read it as an option
            return text


def server_properties(
    *,
    listen_host: str,
    advertised_host: str,
    port: int,
    advertised_port: int,
    controller_port: int,
    data_dir: str,
    admin_user: str,
    admin_password: str,
    controller_secret: str,
) -> str:
    """A single-node KRaft ``server.properties`` (see the module docstring).

    `listen_host`/`port` is where the client listener binds; `advertised_host`/
    `advertised_port` is what clients are told (they differ inside a container). The
    controller listener binds on `listen_host` and the static quorum reaches it on 127.0.0.1.
    """
    validate_principal(admin_user)
    validate_secret("Kafka admin password", admin_password)
    validate_secret("controller secret", controller_secret)
    admin_jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{admin_user}" password="{admin_password}";'
    )
    controller_jaas = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{CONTROLLER_USER}" password="{controller_secret}" '
        f'user_{CONTROLLER_USER}="{controller_secret}";'
    )
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{controller_port}",
        "listeners": f"CLIENT://{listen_host}:{port},CONTROLLER://{listen_host}:{controller_port}",
        "advertised.listeners": f"CLIENT://{advertised_host}:{advertised_port}",
        "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
        "inter.broker.listener.name": "CLIENT",
        "controller.listener.names": "CONTROLLER",
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.client.sasl.enabled.mechanisms": SCRAM_MECHANISM,
        f"listener.name.client.{SCRAM_MECHANISM.lower()}.sasl.jaas.config": admin_jaas,
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": controller_jaas,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        # A link topic is created (compacted, one partition) and granted, never made by a
        # producer's first send.
        "auto.create.topics.enable": "false",
        "super.users": f"User:{admin_user};User:{CONTROLLER_USER}",
        "log.dirs": data_dir,
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
    }
    lines = ["# Written by infra/kafka.py on every start; edits are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def check_kafka(info: KafkaConnection, timeout: float = 3.0) -> bool:
    """One metadata request as `info`'s principal: True once a broker is registered.

    Raises `KafkaAuthenticationError` when the credentials are refused and
    ``confluent_kafka.KafkaException`` when the broker does not answer in `timeout` seconds.
    """
    refused: list[KafkaError] = []

    def on_error(error: KafkaError) -> None:
        if error.code() in _AUTH_FAILURES:
            refused.append(error)

    config: dict[str, Any] = {**info.confluent(), **QUIET_CLIENT, "error_cb": on_error}
    admin = AdminClient(config)
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException as exception:
        admin.poll(0)  # deliver a pending authentication error to on_error
        if refused:
            raise KafkaAuthenticationError(
                f"Kafka at {info.bootstrap_servers} refused the {info.mechanism} credentials "
                f"of {info.user!r} ({refused[0].str()})"
            ) from exception
        raise
    return bool(metadata.brokers)


@dataclass(frozen=True, slots=True)
class KafkaConnection:
    """How a client reaches the broker, as one principal."""

    bootstrap_servers: str
    user: str
    password: str = field(repr=False)
    mechanism: str = SCRAM_MECHANISM
    security_protocol: str = "SASL_PLAINTEXT"

    def as_user(self, user: str, password: str) -> KafkaConnection:
        """The same broker, as another principal."""
        return replace(self, user=user, password=password)

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client."""
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.user,
            "sasl_plain_password": self.password,
        }

    def confluent(self) -> dict[str, str]:
        """A librdkafka (confluent_kafka) configuration dict."""
        return {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol,
            "sasl.mechanism": self.mechanism,
            "sasl.username": self.user,
            "sasl.password": self.password,
        }


class KafkaServer(JavaServer[KafkaConnection]):
    """One single-node KRaft cluster: home ``<state>/kafka-<port>`` unless given."""

    artifacts: ClassVar = KAFKA
    main_class: ClassVar = "kafka.Kafka"

    def __init__(
        self,
        home: Path | None = None,
        port: int = 9092,
        controller_port: int = 9093,
        admin_password: str = "",
        *,
        admin_user: str = "admin",
        heap: str = "512m",
        cache: Path | None = None,
        start_timeout: float = 120.0,
        stop_timeout: float = 60.0,
        owner_pid: int | None = None,
    ) -> None:
        self.port = validate_port("port", port)
        self.controller_port = validate_port("controller_port", controller_port)
        if port == controller_port:
            raise ValueError(f"port and controller_port are both {port}; give two different ports")
        self.admin_user = validate_principal(admin_user)
        if admin_user == CONTROLLER_USER:
            raise ValueError(f"admin_user {admin_user!r} is reserved for the controller listener")
        self.admin_password = validate_secret("Kafka admin password", admin_password)
        self.heap = validate_size("heap", heap)
        super().__init__(
            home if home is not None else state_root() / f"kafka-{port}",
            cache=cache,
            start_timeout=start_timeout,
            stop_timeout=stop_timeout,
            owner_pid=owner_pid,
        )

    @property
    def ports(self) -> dict[str, int]:
        return {"client": self.port, "controller": self.controller_port}

    @property
    def connection(self) -> KafkaConnection:
        return KafkaConnection(f"{HOST}:{self.port}", self.admin_user, self.admin_password)

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def server_logs(self) -> list[Path]:
        return [self.home / "logs" / "server.log"]

    def properties(self, controller_secret: str) -> str:
        """The ``server.properties`` this instance runs with."""
        return server_properties(
            listen_host=HOST,
            advertised_host=HOST,
            port=self.port,
            advertised_port=self.port,
            controller_port=self.controller_port,
            data_dir=str(self.data_dir),
            admin_user=self.admin_user,
            admin_password=self.admin_password,
            controller_secret=controller_secret,
        )

    def _prepare(self) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        properties = self.conf_dir / "server.properties"
        properties.touch(mode=0o600)
        properties.chmod(0o600)
        properties.write_text(self.properties(secrets.token_urlsafe(24)), encoding="utf-8")
        (self.conf_dir / "log4j2.xml").write_text(LOG4J2_XML, encoding="utf-8")
        if not (self.data_dir / "meta.properties").exists():
            self._format(properties)

    def _format(self, properties: Path) -> None:
        command = [
            str(java_executable()),
            *self._logging_options(),
            "-cp",
            classpath(self.artifacts, self.cache),
            "kafka.tools.StorageTool",
            "format",
            "--config",
            str(properties),
            "--cluster-id",
            new_cluster_id(),
            "--add-scram",
            f"{SCRAM_MECHANISM}=[name={self.admin_user},password={self.admin_password}]",
        ]
        result = subprocess.run(
            command, cwd=self.home, env=java_env(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"kafka-storage format failed for {self.data_dir} (exit {result.returncode})",
                (result.stdout + result.stderr).strip()[-4000:],
            )

    def _logging_options(self) -> list[str]:
        return [
            f"-Dlog4j2.configurationFile={self.conf_dir / 'log4j2.xml'}",
            f"-Dkafka.logs.dir={self.home / 'logs'}",
        ]

    def _jvm_options(self) -> list[str]:
        return [f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS, *self._logging_options()]

    def _arguments(self) -> list[str]:
        return [str(self.conf_dir / "server.properties")]

    def _probe(self) -> KafkaConnection | None:
        info = self.connection
        try:
            return info if check_kafka(info) else None
        except KafkaAuthenticationError as error:
            raise ServerStartError(
                f"{error}; the super user's password of {self.data_dir} is fixed when it is "
                "formatted: use that password or delete the home directory"
            ) from error


_AUTH_FAILURES: Final = frozenset(
    {KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED}
)
