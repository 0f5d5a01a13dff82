"""Kafka principals and ACLs, administered as the super user through librdkafka.

`KafkaAdmin` wraps ``confluent_kafka.admin.AdminClient``: SCRAM users
(``alter_user_scram_credentials``), ACLs (``create_acls``, ``delete_acls``,
``describe_acls``) and topics (``create_topics``, ``delete_topics``). Every call waits for the
broker's answer, and for the change to be visible to it, so a client may use the new user or
permission at once.

    >>> admin = KafkaAdmin(server.connection)
    >>> admin.add_user("province-33", "a-long-secret")
    >>> admin.create_topic("catalog.33")
    >>> admin.grant_consumer("province-33", topic="catalog.33", group="sync-33")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Final, Literal, cast, get_args

from confluent_kafka import KafkaError, KafkaException

# These are public in confluent_kafka.admin, which has no __all__ to say so.
from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ConfigResource,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from infra.errors import InfraError
from infra.kafka.connection import (
    QUIET_CLIENT,
    SCRAM_MECHANISM,
    KafkaConnection,
    validate_principal,
)

__all__ = [
    "Acl",
    "KafkaAdmin",
    "KafkaAdminError",
    "Operation",
    "PatternType",
    "Permission",
    "ResourceKind",
    "TopicState",
]


ResourceKind = Literal["topic", "group", "cluster", "transactional_id"]
Operation = Literal[
    "all",
    "read",
    "write",
    "create",
    "delete",
    "alter",
    "describe",
    "cluster_action",
    "describe_configs",
    "alter_configs",
    "idempotent_write",
]
PatternType = Literal["literal", "prefixed"]
Permission = Literal["allow", "deny"]

CLUSTER_RESOURCE: Final = "kafka-cluster"
SCRAM_ITERATIONS: Final = 8192
_RESOURCE_TYPES: Final = {
    "topic": ResourceType.TOPIC,
    "group": ResourceType.GROUP,
    "cluster": ResourceType.BROKER,  # librdkafka's name for Kafka's CLUSTER resource
    "transactional_id": ResourceType.TRANSACTIONAL_ID,
}
_MECHANISMS: Final = {
    "SCRAM-SHA-256": ScramMechanism.SCRAM_SHA_256,
    "SCRAM-SHA-512": ScramMechanism.SCRAM_SHA_512,
}


class KafkaAdminError(InfraError):
    """The broker refused or did not answer an administrative request."""


def _code(error: KafkaAdminError) -> int | None:
    """The librdkafka error code behind a `KafkaAdminError`, if there is one."""
    cause = error.__cause__
    if isinstance(cause, KafkaException) and cause.args and isinstance(cause.args[0], KafkaError):
        code: int = cause.args[0].code()
        return code
    return None


def _choice(what: str, value: str, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    if value not in options:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(options)}")
    return value


def _enum_name(value: object) -> str:
    name = getattr(value, "name", value)
    return str(name).lower()


# AclBindingFilter takes None for "any name/principal/host"; its stub only says str.
_ANY: Final = cast(str, None)


@dataclass(frozen=True, slots=True)
class Acl:
    """One ACL: `user` may (or may not) do `operation` on a resource."""

    user: str
    resource: ResourceKind
    name: str
    operation: Operation
    pattern: PatternType = "literal"
    permission: Permission = "allow"
    host: str = "*"

    def __post_init__(self) -> None:
        validate_principal(self.user)
        _choice("resource type", self.resource, get_args(ResourceKind))
        _choice("operation", self.operation, get_args(Operation))
        _choice("pattern type", self.pattern, get_args(PatternType))
        _choice("permission", self.permission, get_args(Permission))
        if self.resource == "cluster" and self.name != CLUSTER_RESOURCE:
            raise ValueError(
                f"a cluster ACL names the resource {CLUSTER_RESOURCE!r}, not {self.name!r}"
            )
        if not self.name:
            raise ValueError(f"the {self.resource} name of an ACL must not be empty")

    @property
    def principal(self) -> str:
        return f"User:{self.user}"

    def binding(self) -> AclBinding:
        return AclBinding(
            _RESOURCE_TYPES[self.resource],
            self.name,
            ResourcePatternType[self.pattern.upper()],
            self.principal,
            self.host,
            AclOperation[self.operation.upper()],
            AclPermissionType[self.permission.upper()],
        )

    def filter(self) -> AclBindingFilter:
        return AclBindingFilter(
            _RESOURCE_TYPES[self.resource],
            self.name,
            ResourcePatternType[self.pattern.upper()],
            self.principal,
            self.host,
            AclOperation[self.operation.upper()],
            AclPermissionType[self.permission.upper()],
        )

    @classmethod
    def from_binding(cls, binding: AclBinding) -> Acl:
        """The `Acl` of a binding the broker described (validated like any other)."""
        kinds = {v: k for k, v in _RESOURCE_TYPES.items()}
        return cls(
            user=binding.principal.removeprefix("User:"),
            resource=cast(ResourceKind, kinds[cast(ResourceType, binding.restype)]),
            name=binding.name,
            operation=cast(Operation, _enum_name(binding.operation)),
            pattern=cast(PatternType, _enum_name(binding.resource_pattern_type)),
            permission=cast(Permission, _enum_name(binding.permission_type)),
            host=binding.host,
        )

    def __str__(self) -> str:
        pattern = "" if self.pattern == "literal" else f" ({self.pattern})"
        return (
            f"{self.permission} {self.principal} {self.operation} on {self.resource} "
            f"{self.name!r}{pattern} from {self.host}"
        )


@dataclass(frozen=True, slots=True)
class TopicState:
    """A topic as the cluster holds it (`KafkaAdmin.describe_topics`)."""

    name: str
    partitions: int
    replicas: int
    in_sync: int
    config: Mapping[str, str]


class KafkaAdmin:
    """Administrative requests to one cluster, as `connection`'s (super) user."""

    def __init__(self, connection: KafkaConnection, *, timeout: float = 30.0) -> None:
        self.connection = connection
        self.timeout = timeout
        self._client = AdminClient({**connection.confluent(), **QUIET_CLIENT})

    # -- plumbing -------------------------------------------------------------------------

    def _wait(self, what: str, futures: Mapping[Any, Future[Any]]) -> dict[Any, Any]:
        results: dict[Any, Any] = {}
        for key, future in futures.items():
            try:
                results[key] = future.result(timeout=self.timeout)
            except KafkaException as exception:
                error = exception.args[0] if exception.args else exception
                raise KafkaAdminError(
                    f"{what} failed for {key}: {error} "
                    f"(as {self.connection.user!r} at {self.connection.bootstrap_servers})"
                ) from exception
            except TimeoutError as exception:
                raise KafkaAdminError(
                    f"{what} for {key}: no answer from {self.connection.bootstrap_servers} "
                    f"within {self.timeout} s"
                ) from exception
        return results

    def _until(self, what: str, check: Callable[[], bool]) -> None:
        """Poll `check` until the broker shows a change (metadata propagates asynchronously)."""
        deadline = time.monotonic() + self.timeout
        while not check():
            if time.monotonic() >= deadline:
                raise KafkaAdminError(f"{what} not visible after {self.timeout} s")
            time.sleep(0.05)

    # -- users ----------------------------------------------------------------------------

    def add_user(self, user: str, password: str, *, mechanism: str = SCRAM_MECHANISM) -> None:
        """Create the SCRAM user, or change its password; return once the broker knows it."""
        validate_principal(user)
        if not password:
            raise ValueError(f"the password of Kafka user {user!r} must not be empty")
        kind = _MECHANISMS[_choice("SCRAM mechanism", mechanism, _MECHANISMS)]
        upsert = UserScramCredentialUpsertion(
            user, ScramCredentialInfo(kind, SCRAM_ITERATIONS), password.encode("utf-8")
        )
        self._wait("adding SCRAM user", self._client.alter_user_scram_credentials([upsert]))
        self._until(f"SCRAM user {user!r}", lambda: mechanism in self.users().get(user, []))

    def remove_user(self, user: str, *, mechanism: str = SCRAM_MECHANISM) -> None:
        """Delete the user's SCRAM credential for `mechanism`."""
        validate_principal(user)
        kind = _MECHANISMS[_choice("SCRAM mechanism", mechanism, _MECHANISMS)]
        deletion = UserScramCredentialDeletion(user, kind)
        self._wait("removing SCRAM user", self._client.alter_user_scram_credentials([deletion]))
        self._until(f"removal of {user!r}", lambda: mechanism not in self.users().get(user, []))

    def users(self) -> dict[str, list[str]]:
        """Every SCRAM user and its mechanisms, e.g. ``{"admin": ["SCRAM-SHA-512"]}``."""
        future = cast(Future[Any], self._client.describe_user_scram_credentials())
        try:
            described: dict[str, Any] = future.result(timeout=self.timeout)
        except KafkaException as exception:
            raise KafkaAdminError(f"describing SCRAM users failed: {exception}") from exception
        names = {v: k for k, v in _MECHANISMS.items()}
        return {
            user: [names[info.mechanism] for info in description.scram_credential_infos]
            for user, description in described.items()
        }

    # -- ACLs -----------------------------------------------------------------------------

    def grant(self, *acls: Acl) -> None:
        """Create the ACLs; return once the broker's authorizer holds them."""
        if not acls:
            return
        self._wait(
            "creating ACL", {str(a): f for a, f in zip(acls, self._create(acls), strict=True)}
        )
        wanted = set(acls)
        self._until("the new ACLs", lambda: wanted <= set(self.acls()))

    def _create(self, acls: Iterable[Acl]) -> list[Future[Any]]:
        futures = self._client.create_acls([a.binding() for a in acls])
        return list(futures.values())

    def revoke(self, *acls: Acl) -> None:
        """Delete exactly these ACLs; return once the authorizer no longer holds them."""
        if not acls:
            return
        futures = self._client.delete_acls([a.filter() for a in acls])
        self._wait("deleting ACL", {str(a): f for a, f in zip(acls, futures.values(), strict=True)})
        unwanted = set(acls)
        self._until("the ACL removal", lambda: not (unwanted & set(self.acls())))

    def acls(self, user: str | None = None) -> list[Acl]:
        """All ACLs, or those of one user."""
        principal = _ANY if user is None else f"User:{validate_principal(user)}"
        query = AclBindingFilter(
            ResourceType.ANY,
            _ANY,
            ResourcePatternType.ANY,
            principal,
            _ANY,
            AclOperation.ANY,
            AclPermissionType.ANY,
        )
        try:
            bindings = self._client.describe_acls(query).result(timeout=self.timeout)
        except KafkaException as exception:
            raise KafkaAdminError(f"describing ACLs failed: {exception}") from exception
        return [Acl.from_binding(b) for b in bindings]

    def grant_producer(self, user: str, topic: str, *, pattern: PatternType = "literal") -> None:
        """Let `user` produce to `topic` (WRITE and DESCRIBE; WRITE alone also allows
        idempotent producing since Kafka 3.0, KIP-679)."""
        self.grant(
            Acl(user, "topic", topic, "write", pattern),
            Acl(user, "topic", topic, "describe", pattern),
        )

    def grant_consumer(
        self, user: str, topic: str, group: str, *, pattern: PatternType = "literal"
    ) -> None:
        """Let `user` consume `topic` in consumer group `group` (READ, DESCRIBE; group READ)."""
        self.grant(
            Acl(user, "topic", topic, "read", pattern),
            Acl(user, "topic", topic, "describe", pattern),
            Acl(user, "group", group, "read", pattern),
        )

    # -- topics ---------------------------------------------------------------------------

    def create_topic(
        self,
        name: str,
        *,
        partitions: int = 1,
        config: Mapping[str, str] | None = None,
        exist_ok: bool = True,
        replication_factor: int | None = None,
    ) -> None:
        """Create a topic and wait until its leader is elected. Without `replication_factor`
        the cluster's ``default.replication.factor`` applies (3 on `KafkaCluster`, 1 on a
        single `KafkaServer`). An existing topic is left as it is (`exist_ok`)."""
        if partitions < 1:
            raise ValueError(f"partitions={partitions!r}; a topic needs at least 1")
        if replication_factor is not None and replication_factor < 1:
            raise ValueError(f"replication_factor={replication_factor!r}; give at least 1")
        topic = NewTopic(
            name,
            num_partitions=partitions,
            replication_factor=-1 if replication_factor is None else replication_factor,
            config=dict(config or {}),
        )
        try:
            self._wait("creating topic", self._client.create_topics([topic]))
        except KafkaAdminError as error:
            if not (exist_ok and _code(error) == KafkaError.TOPIC_ALREADY_EXISTS):
                raise
        self._until(f"topic {name!r} with a leader", lambda: self._has_leader(name))

    def leader(self, topic: str, partition: int = 0) -> int:
        """The node id leading a partition of `topic` (-1 while none does)."""
        described = self._client.list_topics(topic, timeout=self.timeout).topics.get(topic)
        if described is None or partition not in described.partitions:
            raise KafkaAdminError(f"no partition {partition} of topic {topic!r}")
        return int(described.partitions[partition].leader)

    def brokers(self) -> int:
        """How many brokers the cluster's metadata lists."""
        return len(self._client.list_topics(timeout=self.timeout).brokers)

    def describe_topics(self, names: Iterable[str]) -> dict[str, TopicState]:
        """What the cluster holds of each existing topic among `names`: its replicas and
        in-sync replicas (of its first partition) and the configs set on it, not defaults."""
        wanted = list(dict.fromkeys(names))
        metadata = self._client.list_topics(timeout=self.timeout).topics
        present = [n for n in wanted if n in metadata and metadata[n].error is None]
        if not present:
            return {}
        resources = [ConfigResource(ResourceType.TOPIC, n) for n in present]
        described = self._wait("describing topic configs", self._client.describe_configs(resources))
        states: dict[str, TopicState] = {}
        for resource, entries in described.items():
            partitions = metadata[resource.name].partitions
            first = partitions[min(partitions)] if partitions else None
            states[resource.name] = TopicState(
                name=resource.name,
                partitions=len(partitions),
                replicas=0 if first is None else len(first.replicas),
                in_sync=0 if first is None else len(first.isrs),
                config={
                    key: str(entry.value)
                    for key, entry in entries.items()
                    if not entry.is_default and entry.value is not None
                },
            )
        return states

    def _has_leader(self, name: str) -> bool:
        topic = self._client.list_topics(name, timeout=self.timeout).topics.get(name)
        return (
            topic is not None
            and topic.error is None
            and bool(topic.partitions)
            and all(p.leader >= 0 for p in topic.partitions.values())
        )

    def delete_topic(self, name: str) -> None:
        """Delete a topic; a missing one is not an error."""
        try:
            self._wait("deleting topic", self._client.delete_topics([name]))
        except KafkaAdminError as error:
            if _code(error) != KafkaError.UNKNOWN_TOPIC_OR_PART:
                raise

    def topics(self) -> list[str]:
        """The names of all topics, internal ones excepted."""
        metadata = self._client.list_topics(timeout=self.timeout)
        return sorted(t for t in metadata.topics if not t.startswith("__"))

    # -- context manager ------------------------------------------------------------------

    def __enter__(self) -> KafkaAdmin:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._client.poll(0)
