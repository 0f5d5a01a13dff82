"""Kafka principals, topics and ACLs from the links (DESIGN "Instances and sync", point 6).

Each instance is one SCRAM principal (`principal`: ``mulu-510100-intranet``). For each link:

    topic <link.topic>          compacted, one partition, the cluster's replication
                                (sync.topics.replication)
        source: WRITE, DESCRIBE      (idempotent producing needs no more since Kafka 3.0)
        target: READ, DESCRIBE, and READ on its consumer group <link.group>
    topic <link.topic>.urgent   the urgent lane: compacted, one partition; the same grants
                                as the link's topic (group <link.group>.urgent)
    topic <link.topic>.dlq      what either side's guard refused
        source, target: WRITE, DESCRIBE

Nothing else is granted, so the broker itself keeps every link one-way: a target cannot write
the topic it reads, and an extranet principal — only ever the target of a mirror link from
the intranet, or an end of extranet links — can read no topic of an intranet-only link.

`admin` is anything with `infra.kafka.KafkaAdmin`'s methods (`add_user`, `create_topic`,
`grant_producer`, `grant_consumer`); `sync` does not import `infra`.

    provision_links(KafkaAdmin(connection), topology.links, passwords)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from sync.errors import InvalidLink
from sync.links import Link
from sync.topics import replication

__all__ = [
    "COMPACTED",
    "Grant",
    "LinkAdmin",
    "Needs",
    "needs",
    "principal",
    "provision_links",
]

COMPACTED: Mapping[str, str] = {"cleanup.policy": "compact"}


class LinkAdmin(Protocol):
    """What `provision_links` asks of the cluster's administrator (infra.kafka.KafkaAdmin)."""

    def add_user(self, user: str, password: str) -> None: ...

    def create_topic(
        self,
        name: str,
        *,
        partitions: int = 1,
        config: Mapping[str, str] | None = None,
        exist_ok: bool = True,
        replication_factor: int | None = None,
    ) -> None: ...

    def brokers(self) -> int: ...

    def grant_producer(self, user: str, topic: str) -> None: ...

    def grant_consumer(self, user: str, topic: str, group: str) -> None: ...


def principal(instance: str) -> str:
    """The Kafka principal of an instance: ``510100/intranet`` → ``mulu-510100-intranet``."""
    return "mulu-" + instance.replace("/", "-")


@dataclass(frozen=True, slots=True, order=True)
class Grant:
    """One ACL a link needs: `user` may do `operation` on the topic or group `name`."""

    user: str
    resource: Literal["topic", "group"]
    name: str
    operation: Literal["read", "write", "describe"]


@dataclass(frozen=True, slots=True)
class Needs:
    """What a set of links needs on the cluster: principals, topics (name → compacted?) and
    grants — what `provision_links` makes, to compare with what the cluster holds."""

    principals: tuple[str, ...]
    topics: Mapping[str, bool]
    grants: tuple[Grant, ...]


def needs(links: Iterable[Link]) -> Needs:
    """The principals, topics and grants of `links` (the table of the module docstring)."""
    chosen = list(dict.fromkeys(links))
    ends = sorted({end for link in chosen for end in (link.source, link.target)})
    topics: dict[str, bool] = {}
    grants: list[Grant] = []
    for link in chosen:
        source, target = principal(link.source), principal(link.target)
        for topic in link.topics:
            topics[topic] = topic != link.dead_letter_topic
        for user, topic in (
            (source, link.topic),
            (source, link.urgent_topic),
            (source, link.dead_letter_topic),
            (target, link.dead_letter_topic),
        ):
            grants += [
                Grant(user, "topic", topic, "write"),
                Grant(user, "topic", topic, "describe"),
            ]
        for topic, group in ((link.topic, link.group), (link.urgent_topic, link.urgent_group)):
            grants += [
                Grant(target, "topic", topic, "read"),
                Grant(target, "topic", topic, "describe"),
                Grant(target, "group", group, "read"),
            ]
    return Needs(tuple(principal(e) for e in ends), topics, tuple(sorted(set(grants))))


def provision_links(
    admin: LinkAdmin,
    links: Iterable[Link],
    passwords: Mapping[str, str] | None = None,
    *,
    replication_factor: int | None = None,
    min_insync_replicas: int | None = None,
) -> None:
    """Create the links' topics and grant each end exactly what it needs; with `passwords`
    (instance id → secret), first create (or update) the instances' SCRAM users. Topics are
    kept `replication_factor` times, `min_insync_replicas` in sync (else derived from the
    cluster's brokers); one that exists is left as it is."""
    chosen = list(dict.fromkeys(links))
    copies = replication(admin.brokers(), replication_factor, min_insync_replicas)
    if passwords is not None:
        ends = sorted({end for link in chosen for end in (link.source, link.target)})
        missing = [end for end in ends if end not in passwords]
        if missing:
            raise InvalidLink(f"no Kafka password for {', '.join(missing)}; give one each")
        for end in ends:
            admin.add_user(principal(end), passwords[end])
    for link in chosen:
        source, target = principal(link.source), principal(link.target)
        # The topics `sync.topics.create_topics` makes on a log; here the dead letters are
        # not compacted, so that every refusal of a code is kept, not only its last.
        for topic in link.topics:
            config = copies.config()
            if topic != link.dead_letter_topic:
                config |= COMPACTED
            admin.create_topic(topic, config=config, replication_factor=copies.factor)
        admin.grant_producer(source, link.topic)
        admin.grant_producer(source, link.urgent_topic)
        admin.grant_producer(source, link.dead_letter_topic)
        admin.grant_producer(target, link.dead_letter_topic)
        admin.grant_consumer(target, link.topic, link.group)
        admin.grant_consumer(target, link.urgent_topic, link.urgent_group)
