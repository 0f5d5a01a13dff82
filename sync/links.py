"""Sync links: one-way routes from a source instance to a target instance, each with its topic.

- UPWARD (child → parent, same zone): a city's catalog is aggregated into its province's, the
  province's into the nation's (Sichuan 第七、九条; Kunming 第十四条).
- MIRROR (same region, the other zone): non-classified entries cross between the intranet and
  the extranet (national 第十一条; Sichuan 第十一条). An extranet target's clearance is
  UNCLASSIFIED, always.

    >>> link = Link.between("510100/intranet", "510100/extranet")
    >>> link.kind, link.clearance, link.topic
    (<LinkKind.MIRROR: 'MIRROR'>, <Classification.UNCLASSIFIED: 'UNCLASSIFIED'>,
     'mulu.sync.mirror.510100-intranet.510100-extranet')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from graph.codes import region_parent
from graph.enums import Classification, Zone
from sync.errors import InvalidLink
from sync.instances import parse_instance_id

__all__ = ["TOPIC_PREFIX", "Link", "LinkKind"]

TOPIC_PREFIX = "mulu.sync"


class LinkKind(StrEnum):
    """UPWARD: child → parent in the same zone; MIRROR: one zone → the other, same region."""

    UPWARD = "UPWARD"
    MIRROR = "MIRROR"


@dataclass(frozen=True, slots=True)
class Link:
    """One one-way link. `clearance` is the highest classification its target may hold;
    `extensions` names the extension keys allowed to cross it (none by default); `prefix`
    starts its topic and group names, so that two deployments can share one cluster."""

    kind: LinkKind
    source: str
    target: str
    clearance: Classification
    extensions: frozenset[str] = field(default=frozenset())
    prefix: str = TOPIC_PREFIX

    def __post_init__(self) -> None:
        try:
            source_region, source_zone = parse_instance_id(self.source)
            target_region, target_zone = parse_instance_id(self.target)
        except ValueError as exc:
            raise InvalidLink(f"link {self.source!r} → {self.target!r}: {exc}") from None
        if self.kind is LinkKind.UPWARD and not (
            source_zone is target_zone and region_parent(source_region) == target_region
        ):
            raise InvalidLink(
                f"an upward link goes from a child to its parent in the same zone; "
                f"{self.source} → {self.target} does not (the parent of {source_region} is "
                f"{region_parent(source_region)})"
            )
        if self.kind is LinkKind.MIRROR and not (
            source_zone is not target_zone and source_region == target_region
        ):
            raise InvalidLink(
                f"a mirror link goes from one zone to the other of the same region; "
                f"{self.source} → {self.target} does not"
            )
        if target_zone is Zone.EXTRANET and self.clearance is not Classification.UNCLASSIFIED:
            raise InvalidLink(
                f"the clearance of an extranet target is UNCLASSIFIED, not "
                f"{self.clearance.value} ({self.target}; national 第十一条)"
            )

    @classmethod
    def between(cls, source: str, target: str, extensions: frozenset[str] = frozenset()) -> Link:
        """The link from `source` to `target`: its kind from their zones, and the target's
        clearance from its zone (the extranet UNCLASSIFIED, the intranet CLASSIFIED)."""
        try:
            source_zone = parse_instance_id(source)[1]
            target_zone = parse_instance_id(target)[1]
        except ValueError as exc:
            raise InvalidLink(f"link {source!r} → {target!r}: {exc}") from None
        kind = LinkKind.UPWARD if source_zone is target_zone else LinkKind.MIRROR
        clearance = (
            Classification.CLASSIFIED
            if target_zone is Zone.INTRANET
            else Classification.UNCLASSIFIED
        )
        return cls(kind, source, target, clearance, extensions)

    @property
    def source_zone(self) -> Zone:
        return parse_instance_id(self.source)[1]

    @property
    def target_zone(self) -> Zone:
        return parse_instance_id(self.target)[1]

    @property
    def id(self) -> str:
        """``510100/intranet>510100/extranet``."""
        return f"{self.source}>{self.target}"

    @property
    def topic(self) -> str:
        """The link's own topic (one per link, DESIGN point 6):
        ``mulu.sync.mirror.510100-intranet.510100-extranet``."""
        source = self.source.replace("/", "-")
        target = self.target.replace("/", "-")
        return f"{self.prefix}.{self.kind.value.lower()}.{source}.{target}"

    @property
    def urgent_topic(self) -> str:
        """The urgent lane: what takes something away from the target (a redaction, a copy
        re-sent with a reference stripped), sent ahead of the backlog: ``<topic>.urgent``.
        The target reads it before the link's topic; versions make the order of the two
        lanes irrelevant (DESIGN "Instances and sync", point 3)."""
        return f"{self.topic}.urgent"

    @property
    def urgent_group(self) -> str:
        """The target's consumer group for the urgent lane."""
        return f"{self.group}.urgent"

    @property
    def topics(self) -> tuple[str, str, str]:
        """Every topic of the link: its own, the urgent lane and the dead letters."""
        return (self.topic, self.urgent_topic, self.dead_letter_topic)

    @property
    def dead_letter_topic(self) -> str:
        """Where either side of the link puts what its guard refused: ``<topic>.dlq``."""
        return f"{self.topic}.dlq"

    @property
    def group(self) -> str:
        """The target's consumer group for this link: ``mulu.sync.510100-extranet``."""
        return f"{self.prefix}.{self.target.replace('/', '-')}"
