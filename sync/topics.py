"""A link's topics, created in one place: `create_topics`.

Every link has three topics, named by `Link.topics`: its own (the backlog), the urgent lane and
the dead letters (``<topic>.dlq``). A consumer of a topic that does not exist waits its longest
backoff, so they are created before anyone reads them — on the log of the link's source, by
whoever starts it: `SyncWorker` before each relay, and the federation before its workers.

On Kafka an administrator may have created them already, with the grants of each end
(`sync.acls.provision_links`, from the same `Link.topics`); an end's principal is then not
permitted to create topics, and `create_topics` leaves them to the administrator.

    await create_topics(log, topology.links_from(own))
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress

from sync.errors import LogNotPermitted
from sync.links import Link
from sync.log.protocol import ChangeLog

__all__ = ["create_topics"]


async def create_topics(log: ChangeLog, links: Iterable[Link]) -> None:
    """Create every topic of `links` on `log`; an existing topic is left as it is, and one
    this principal may not create is left to the administrator who provisioned it."""
    for link in dict.fromkeys(links):
        for topic in link.topics:
            with suppress(LogNotPermitted):
                await log.create_topic(topic)
