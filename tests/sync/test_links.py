"""Links follow the topology: upward from child to parent in one zone (Sichuan 第七、九条;
Kunming 第十四条), mirrors between the zones of one region, extranet targets UNCLASSIFIED
(national 第十一条)."""

from __future__ import annotations

import contextlib
import re

import pytest

from graph import Classification, Zone
from sync.errors import InvalidLink
from sync.instances import parse_instance_id
from sync.links import Link, LinkKind

U, C = Classification.UNCLASSIFIED, Classification.CLASSIFIED


@pytest.mark.parametrize(
    ("source", "target", "kind", "clearance"),
    [
        ("510100/intranet", "510000/intranet", LinkKind.UPWARD, C),
        ("510000/extranet", "national/extranet", LinkKind.UPWARD, U),
        ("510104/intranet", "510100/intranet", LinkKind.UPWARD, C),
        ("510100/intranet", "510100/extranet", LinkKind.MIRROR, U),
        ("national/extranet", "national/intranet", LinkKind.MIRROR, C),
    ],
)
def test_between(source: str, target: str, kind: LinkKind, clearance: Classification) -> None:
    link = Link.between(source, target)
    assert (link.kind, link.clearance) == (kind, clearance)
    assert link.id == f"{source}>{target}"
    assert re.fullmatch(r"[a-z0-9.\-]{1,249}", link.topic)
    assert link.kind.value.lower() in link.topic


@pytest.mark.parametrize(
    ("kind", "source", "target", "clearance", "message"),
    [
        (LinkKind.UPWARD, "510100/intranet", "510000/extranet", C, "same zone"),
        (LinkKind.UPWARD, "510100/intranet", "national/intranet", C, "parent of 510100"),
        (LinkKind.UPWARD, "510000/intranet", "510100/intranet", C, "child to its parent"),
        (LinkKind.MIRROR, "510100/intranet", "510000/extranet", U, "same region"),
        (LinkKind.MIRROR, "510100/intranet", "510100/intranet", C, "other"),
        (LinkKind.MIRROR, "510100/intranet", "510100/extranet", C, "UNCLASSIFIED"),
        (LinkKind.UPWARD, "510100/extranet", "510000/extranet", C, "第十一条"),
        (LinkKind.MIRROR, "510100", "510100/extranet", U, "instance"),
        (LinkKind.MIRROR, "100000/intranet", "national/extranet", U, "instance"),
    ],
)
def test_invalid_links_are_refused(
    kind: LinkKind, source: str, target: str, clearance: Classification, message: str
) -> None:
    with pytest.raises(InvalidLink, match=message):
        Link(kind, source, target, clearance)


def test_distinct_links_have_distinct_topics() -> None:
    instances = ["national", "510000", "510100", "510104", "530100", "530000"]
    links = set()
    for a in instances:
        for b in instances:
            for za in ("intranet", "extranet"):
                for zb in ("intranet", "extranet"):
                    with contextlib.suppress(InvalidLink):
                        links.add(Link.between(f"{a}/{za}", f"{b}/{zb}"))
    assert len({link.topic for link in links}) == len(links) > 10


def test_instance_ids() -> None:
    assert parse_instance_id("national/intranet") == ("100000", Zone.INTRANET)
    assert parse_instance_id("510100/extranet") == ("510100", Zone.EXTRANET)
    for bad in ["510100/EXTRANET", "national", "999999/intranet", "510100/intranet/x", 42]:
        with pytest.raises(ValueError, match="instance"):
            parse_instance_id(bad)  # type: ignore[arg-type]
