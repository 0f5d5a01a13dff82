"""A link's topics, created in one place: `create_topics`.

Every link has three topics, named by `Link.topics`: its own (the backlog), the urgent lane and
the dead letters (``<topic>.dlq``). A consumer of a topic that does not exist waits its longest
backoff, so they are created before anyone reads them — on the log of the link's source, by
whoever starts it: `SyncWorker` before each relay, and the federation before its workers.

On Kafka an administrator may have created them already, with the grants of each end
(`sync.acls.provision_links`, from the same `Link.topics`); an end's principal is then not
permitted to create topics, and `create_topics` leaves them to the administrator.

    await create_topics(log, topology.links_from(own))

On a Kafka cluster each topic is kept `replication` times: three copies where there are three
brokers or more, of which two must hold a write before the broker acknowledges it to the
relay's ``acks=all`` producer (``min.insync.replicas``), so one broker may fail without
stopping the sync or losing an acknowledged event; on fewer brokers one copy and one in sync.
A setting (``kafka.replication_factor``, ``kafka.min_insync_replicas``) overrides either.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass

from sync.errors import InvalidLink, LogNotPermitted
from sync.links import Link
from sync.log.protocol import ChangeLog

__all__ = ["Replication", "create_topics", "replication"]


@dataclass(frozen=True, slots=True)
class Replication:
    """Copies of a link topic's partition (`factor`) and how many hold a write before it is
    acknowledged (`min_insync`)."""

    factor: int
    min_insync: int

    def config(self) -> dict[str, str]:
        """The topic config that holds `min_insync` (the factor is not a config)."""
        return {"min.insync.replicas": str(self.min_insync)}


def replication(
    brokers: int, factor: int | None = None, min_insync: int | None = None
) -> Replication:
    """The replication of a link topic on a cluster of `brokers` (see the module docstring);
    `factor`/`min_insync` as set, else derived. InvalidLink when they cannot hold."""
    chosen = factor if factor is not None else max(1, min(3, brokers))
    in_sync = min_insync if min_insync is not None else max(1, chosen - 1)
    if chosen < 1 or chosen > max(brokers, 1):
        raise InvalidLink(
            f"replication factor {chosen} on a cluster of {brokers} broker(s); give 1 to "
            f"{max(brokers, 1)}"
        )
    if not 1 <= in_sync <= chosen:
        raise InvalidLink(
            f"min.insync.replicas {in_sync} with replication factor {chosen}; give 1 to {chosen}"
        )
    return Replication(chosen, in_sync)


async def create_topics(log: ChangeLog, links: Iterable[Link]) -> None:
    """Create every topic of `links` on `log`; an existing topic is left as it is, and one
    this principal may not create is left to the administrator who provisioned it."""
    for link in dict.fromkeys(links):
        for topic in link.topics:
            with suppress(LogNotPermitted):
                await log.create_topic(topic)
