"""A deployment's topology: its instances, their parents and the sync links between them.

One TOML file describes every instance (its region and zone, store and GraphQL address) and
every one-way link; each instance reads it to know its peers, and `mulu up` (and infra/, for
Kafka topics and ACLs) reads it to start the whole deployment.

    data_dir = "var/demo"                      # optional: where embedded stores go by default
    topic_prefix = "mulu.sync"                 # optional: starts every link's topic and group
                                               # names, so deployments can share one cluster

    [[instances]]
    id = "510100/intranet"                     # region + zone; the level follows from the region
    graphql = "127.0.0.1:8105"
    store = { kind = "embedded" }              # path defaults to <data_dir>/510100-intranet.db
    # parent = "510000/intranet"               # default: the nearest ancestor region's instance
    #                                          # in the same zone
    # peer_url = "https://catalog.cd.example/graphql"
    #                                          # where its peers call it when that is not its
    #                                          # listen address (a reverse proxy, NAT); default
    #                                          # the `graphql` address

    [[instances]]
    id = "national/intranet"
    graphql = "127.0.0.1:8101"
    store = { kind = "neo4j", uri = "bolt://127.0.0.1:7687", user = "neo4j",
              password_env = "MULU_NATIONAL_NEO4J_PASSWORD" }

    [[links]]
    source = "510100/intranet"
    target = "510000/intranet"
    # kind = "upward" | "mirror"               # default: from the zones
    # clearance = "classified" | "unclassified"  # default: from the target's zone

    [tls]                                      # optional: every instance serves HTTPS, and
                                               # peers are asked over it with the instance's
                                               # certificate as the client certificate
    pki = "var/demo/pki"                       # a `mulu pki` directory: the defaults below
    # ca = "var/demo/pki/ca.crt"               # the platform CA bundle: verifies callers'
    #                                          # and peers' certificates (default <pki>/ca.crt)
    # crl = "var/demo/pki/crl.pem"             # its CRL (default <pki>/crl.pem; none without pki)
    # and, in an [[instances]] entry, its own certificate (SANs: the names it is reached by):
    # tls = { cert = "…/510100-intranet.crt", key = "…/510100-intranet.key" }
    #                                          # default <pki>/instances/510100-intranet.crt, .key

    >>> topology = load_topology(Path("topologies/demo.toml"))
    >>> [p.id for p in topology.peers_of("510000/intranet")]
    ['national/intranet', '510100/intranet']

Relative paths are kept relative: they resolve against the working directory of the process
that starts the instance, as `Settings.data_dir` does. The secrets the file names (a Neo4j
store's `password_env`) are read from the environment when it is loaded, so a missing one is
refused at start-up, naming the variable, not when the store is first opened. The TLS files
are read when the instances start (`mulu up` names the instance and the file at fault).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from graph.codes import region_level, region_parent
from graph.enums import Classification, Level, Zone
from sync.errors import InvalidLink
from sync.instances import ACCEPTED_INSTANCE_ID, parse_instance_id
from sync.links import TOPIC_PREFIX, Link, LinkKind

__all__ = [
    "Address",
    "EmbeddedStoreSpec",
    "InstanceSpec",
    "InstanceTls",
    "Neo4jStoreSpec",
    "Topology",
    "TopologyError",
    "TopologyTls",
    "load_topology",
    "parse_topology",
]

_WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


class TopologyError(ValueError):
    """The topology file is not valid; the message names the instance or link at fault and
    what would be accepted."""


@dataclass(frozen=True, slots=True)
class Address:
    """Where an instance serves GraphQL: ``host:port``."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str, where: str) -> Address:
        host, sep, port = text.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise TopologyError(
                f"{where}: graphql address {text!r} is not host:port "
                "(e.g. '127.0.0.1:8101', a port from 1 to 65535)"
            )
        return cls(host.strip("[]"), int(port))

    @property
    def url(self) -> str:
        """The GraphQL endpoint over plain HTTP: ``http://127.0.0.1:8101/graphql``."""
        return self.url_over("http")

    def url_over(self, scheme: Literal["http", "https"]) -> str:
        """The GraphQL endpoint with `scheme`: ``https://127.0.0.1:8101/graphql``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}/graphql"

    @property
    def bound_host(self) -> str:
        """The address a socket binds for `host`: ``localhost`` is 127.0.0.1 (the servers
        bind IPv4 for a host without ':'), so the two are one address."""
        return "127.0.0.1" if self.host.lower() == "localhost" else self.host

    def clashes_with(self, other: Address) -> bool:
        if self.port != other.port:
            return False
        hosts = {self.bound_host, other.bound_host}
        return len(hosts) == 1 or bool(hosts & _WILDCARD_HOSTS)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class EmbeddedStoreSpec:
    """The embedded SQLite store in the file `path`."""

    path: Path
    kind: Literal["embedded"] = "embedded"


@dataclass(frozen=True, slots=True)
class Neo4jStoreSpec:
    """A Neo4j server; its password is read from the environment variable `password_env` when
    the topology is loaded, so no secret is written in the topology. `password` is None when
    the file names no variable, or when it was loaded without the environment (by a process
    that opens none of its stores)."""

    uri: str
    user: str = "neo4j"
    password_env: str | None = None
    database: str = "neo4j"
    kind: Literal["neo4j"] = "neo4j"
    # Not part of what the spec says: two specs naming the same variable are equal.
    password: SecretStr | None = field(default=None, compare=False)


StoreSpec = EmbeddedStoreSpec | Neo4jStoreSpec


@dataclass(frozen=True, slots=True)
class InstanceTls:
    """An instance's own certificate and key (PEM): it serves HTTPS with them and presents
    them as its client certificate when it asks its peers."""

    cert: Path
    key: Path


@dataclass(frozen=True, slots=True)
class TopologyTls:
    """What every instance of a TLS topology trusts: the platform CA bundle `ca`, which
    verifies callers' client certificates and peers' server certificates, and its `crl`."""

    ca: Path
    crl: Path | None = None


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    """One instance of the deployment: one catalog (level, region, zone)."""

    id: str
    region_code: str
    zone: Zone
    name: str
    graphql: Address
    store: StoreSpec
    parent: str | None
    tls: InstanceTls | None = None
    peer_url: str | None = None  # where peers call it, when not at `url` (a proxy, NAT)

    @property
    def level(self) -> Level:
        return region_level(self.region_code)

    @property
    def url(self) -> str:
        """Its GraphQL endpoint where it listens: ``https://…`` when it serves TLS, else
        ``http://…``."""
        return self.graphql.url_over("https" if self.tls is not None else "http")

    @property
    def peer_address(self) -> str:
        """The GraphQL endpoint its peers call: `peer_url`, else where it listens."""
        return self.peer_url or self.url

    @property
    def peer_host(self) -> str:
        """The host its peers reach it by (its certificate must name it)."""
        if self.peer_url is None:
            return self.graphql.host
        return urlsplit(self.peer_url).hostname or self.graphql.host


@dataclass(frozen=True, slots=True)
class Topology:
    """A validated deployment: instances by id (in file order) and links (in file order), and
    its `data_dir`, where `mulu up` keeps the shared log, the default embedded stores, the pid
    file and the log of a detached run."""

    instances: Mapping[str, InstanceSpec]
    links: tuple[Link, ...] = ()
    data_dir: Path = Path("var")
    tls: TopologyTls | None = None  # set: every instance has its `InstanceSpec.tls`
    _children: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def instance(self, instance_id: str) -> InstanceSpec:
        try:
            return self.instances[instance_id]
        except KeyError:
            raise TopologyError(
                f"instance {instance_id!r} is not in the topology; it has "
                f"{_some(self.instances, instance_id)}"
            ) from None

    def parent_of(self, instance_id: str) -> InstanceSpec | None:
        parent = self.instance(instance_id).parent
        return self.instances[parent] if parent else None

    def children_of(self, instance_id: str) -> list[InstanceSpec]:
        self.instance(instance_id)
        return [self.instances[c] for c in self._children.get(instance_id, ())]

    def links_from(self, instance_id: str) -> list[Link]:
        self.instance(instance_id)
        return [link for link in self.links if link.source == instance_id]

    def links_to(self, instance_id: str) -> list[Link]:
        self.instance(instance_id)
        return [link for link in self.links if link.target == instance_id]

    def peers_of(self, instance_id: str) -> list[InstanceSpec]:
        """The instances cross-level discovery asks: the parent, then the direct children, all
        in the zone of `instance_id` (an extranet instance never lists an intranet one)."""
        zone = self.instance(instance_id).zone
        parent = self.parent_of(instance_id)
        peers = ([parent] if parent else []) + self.children_of(instance_id)
        return [p for p in peers if p.zone is zone]


# -- the file, as read: pydantic checks shapes and types, `_build` checks the meaning --------


class _EmbeddedRaw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["embedded"]
    path: Path | None = None


class _Neo4jRaw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["neo4j"]
    uri: str
    user: str = "neo4j"
    password_env: str | None = None
    database: str = "neo4j"


class _InstanceTlsRaw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    cert: Path
    key: Path


class _InstanceRaw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str | None = None
    graphql: str
    store: _EmbeddedRaw | _Neo4jRaw = Field(discriminator="kind")
    parent: str | None = None
    tls: _InstanceTlsRaw | None = None
    peer_url: str | None = None


class _TlsRaw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    pki: Path | None = None
    ca: Path | None = None
    crl: Path | None = None


class _LinkRaw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str
    target: str
    kind: Literal["upward", "mirror"] | None = None
    clearance: Literal["classified", "unclassified"] | None = None
    extensions: list[str] = Field(default_factory=list)


class _TopologyRaw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    data_dir: Path = Path("var")
    # Kafka topic names take letters, digits, '.', '_' and '-'; the link part is added after it.
    topic_prefix: str = Field(default=TOPIC_PREFIX, pattern=r"^[A-Za-z0-9._-]{1,100}$")
    instances: list[_InstanceRaw] = Field(min_length=1)
    links: list[_LinkRaw] = Field(default_factory=list)
    tls: _TlsRaw | None = None


def load_topology(path: Path, environ: Mapping[str, str] | None = os.environ) -> Topology:
    """Read and validate the topology file at `path`, its secrets read from `environ`; None
    leaves them unread (`mulu serve` reads only peers and links, and opens its store from its
    settings)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TopologyError(f"cannot read topology file {str(path)!r}: {exc.strerror}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TopologyError(f"topology file {str(path)!r} is not valid TOML: {exc}") from None
    try:
        return parse_topology(document, environ)
    except TopologyError as exc:
        raise TopologyError(f"{path}: {exc}") from None


def parse_topology(
    document: Mapping[str, Any], environ: Mapping[str, str] | None = os.environ
) -> Topology:
    """Validate a topology given as the parsed TOML document; its secrets are read from
    `environ` (None: left unread)."""
    try:
        raw = _TopologyRaw.model_validate(document)
    except ValidationError as exc:
        raise TopologyError(_describe(exc, document)) from None
    return _build(raw, environ)


def _describe(exc: ValidationError, document: Mapping[str, Any]) -> str:
    problems = []
    for error in exc.errors():
        location = list(error["loc"])
        where = ".".join(str(part) for part in location) or "the file"
        if len(location) >= 2 and location[0] in ("instances", "links"):
            try:
                item = document[location[0]][location[1]]
                label = item.get("id") or f"{item.get('source')} → {item.get('target')}"
                where = f"{location[0][:-1]} {label!r}: " + ".".join(map(str, location[2:]))
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
        problems.append(f"{where}: {error['msg']}")
    return "invalid topology — " + "; ".join(problems)


def _build(raw: _TopologyRaw, environ: Mapping[str, str] | None) -> Topology:
    specs: dict[str, tuple[str, Zone]] = {}
    for item in raw.instances:
        if item.id in specs:
            raise TopologyError(f"instance {item.id!r} is listed twice; each id names one instance")
        try:
            specs[item.id] = parse_instance_id(item.id)
        except ValueError:
            raise TopologyError(
                f"instance id {item.id!r} is not valid: give {ACCEPTED_INSTANCE_ID}"
            ) from None

    tls = _topology_tls(raw.tls)
    instances: dict[str, InstanceSpec] = {}
    for item in raw.instances:
        region, zone = specs[item.id]
        parent = _parent(item, region, zone, specs)
        instances[item.id] = InstanceSpec(
            id=item.id,
            region_code=region,
            zone=zone,
            name=item.name or _default_name(item.id),
            graphql=Address.parse(item.graphql, f"instance {item.id!r}"),
            store=_store(item, raw.data_dir, environ),
            parent=parent,
            tls=_instance_tls(item, raw.tls),
            peer_url=_peer_url(item.peer_url, f"instance {item.id!r}"),
        )
    _check_parent_cycles(instances)
    _check_clashes(instances.values())
    links = _links(raw.links, instances, raw.topic_prefix)
    children: dict[str, list[str]] = {}
    for spec in instances.values():
        if spec.parent:
            children.setdefault(spec.parent, []).append(spec.id)
    return Topology(
        instances,
        links,
        data_dir=raw.data_dir,
        tls=tls,
        _children={k: tuple(v) for k, v in children.items()},
    )


def _peer_url(text: str | None, where: str) -> str | None:
    """A peer URL: http(s), a host, a valid port if any, a path (``/graphql`` when none); no
    credentials, query or fragment."""
    if text is None:
        return None
    accepted = "give an http(s) URL such as 'https://catalog.cd.example/graphql'"
    try:
        parts = urlsplit(text.strip())
        port = parts.port  # ValueError when out of range or not a number
    except ValueError as exc:
        raise TopologyError(
            f"{where}: peer_url {text!r} is not a URL ({exc}); {accepted}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TopologyError(
            f"{where}: peer_url {text!r} has no http(s) scheme and host; {accepted}"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise TopologyError(
            f"{where}: peer_url {text!r} carries credentials, a query or a fragment; {accepted}"
        )
    if port == 0:
        raise TopologyError(f"{where}: peer_url {text!r} has port 0; a port from 1 to 65535")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/graphql", "", ""))


def _topology_tls(raw: _TlsRaw | None) -> TopologyTls | None:
    if raw is None:
        return None
    if raw.pki is not None:
        return TopologyTls(raw.ca or raw.pki / "ca.crt", raw.crl or raw.pki / "crl.pem")
    if raw.ca is None:
        raise TopologyError(
            "tls: give tls.pki (a `mulu pki` directory) or tls.ca (the platform CA bundle, "
            "a PEM file); the instances' certificates are verified against it"
        )
    return TopologyTls(raw.ca, raw.crl)


def _instance_tls(item: _InstanceRaw, raw: _TlsRaw | None) -> InstanceTls | None:
    if raw is None:
        if item.tls is not None:
            raise TopologyError(
                f"instance {item.id!r}: tls is set but the topology has no [tls] table; add one "
                "with tls.pki or tls.ca (the CA its peers verify it with)"
            )
        return None
    if item.tls is not None:
        return InstanceTls(item.tls.cert, item.tls.key)
    if raw.pki is None:
        raise TopologyError(
            f"instance {item.id!r}: tls.cert and tls.key are needed — the topology's [tls] "
            "table names no pki directory to find them in; give "
            'tls = { cert = "….crt", key = "….key" } or tls.pki'
        )
    stem = raw.pki / "instances" / item.id.replace("/", "-")
    return InstanceTls(stem.with_suffix(".crt"), stem.with_suffix(".key"))


SHOWN_IDS = 5


def _some(ids: Iterable[str], near: str) -> str:
    """A few of `ids` for an error message — those sharing the longest start with `near` (the
    id that was not found) first — and how many more there are: a national topology has
    hundreds of instances, and a message listing them all hid the point."""
    known = list(ids)
    if not known:
        return "none"

    def shared(candidate: str) -> int:
        return next(
            (i for i, (a, b) in enumerate(zip(candidate, near, strict=False)) if a != b),
            min(len(candidate), len(near)),
        )

    order = {instance: n for n, instance in enumerate(known)}
    chosen = sorted(known, key=lambda i: (-shared(i), order[i]))[:SHOWN_IDS]
    more = len(known) - len(chosen)
    return ", ".join(chosen) + (f" and {more} more" if more else "")


def _default_name(instance_id: str) -> str:
    where, zone = instance_id.split("/")
    return f"{where} catalog ({zone})"


def _parent(item: _InstanceRaw, region: str, zone: Zone, specs: Mapping[str, Any]) -> str | None:
    if item.parent is not None:
        if item.parent not in specs:
            raise TopologyError(
                f"instance {item.id!r}: parent {item.parent!r} is not an instance of the "
                f"topology; give one of {_some([i for i in specs if i != item.id], item.parent)}"
            )
        if specs[item.parent][1] is not zone:
            raise TopologyError(
                f"instance {item.id!r}: parent {item.parent!r} is in the other zone; a parent is "
                f"an instance of the same zone ({zone.value.lower()})"
            )
        return item.parent
    # By default: the instance of the nearest ancestor region in the same zone, if any.
    above = region_parent(region)
    while above is not None:
        candidate = next((i for i, (r, z) in specs.items() if r == above and z is zone), None)
        if candidate is not None:
            return candidate
        above = region_parent(above)
    return None


def _store(item: _InstanceRaw, data_dir: Path, environ: Mapping[str, str] | None) -> StoreSpec:
    store = item.store
    if isinstance(store, _Neo4jRaw):
        password = None
        if store.password_env is not None and environ is not None:
            password = _secret(item.id, "store.password_env", store.password_env, environ)
        return Neo4jStoreSpec(
            store.uri, store.user, store.password_env, store.database, password=password
        )
    return EmbeddedStoreSpec(store.path or data_dir / (item.id.replace("/", "-") + ".db"))


def _secret(instance: str, field: str, variable: str, environ: Mapping[str, str]) -> SecretStr:
    value = environ.get(variable)
    if not value:
        state = "is empty" if value == "" else "is not set"
        raise TopologyError(
            f"instance {instance!r}: {field} names the environment variable {variable!r}, which "
            f"{state}; set it to the secret before starting"
        )
    return SecretStr(value)


def _check_parent_cycles(instances: Mapping[str, InstanceSpec]) -> None:
    for start in instances:
        path = [start]
        current = instances[start].parent
        while current is not None:
            if current in path:
                cycle = " → ".join([*path[path.index(current) :], current])
                raise TopologyError(
                    f"parents form a cycle: {cycle}; each chain of parents must end at a root"
                )
            path.append(current)
            current = instances[current].parent


def _check_clashes(instances: Iterable[InstanceSpec]) -> None:
    seen: list[InstanceSpec] = []
    paths: dict[Path, str] = {}
    called: dict[str, str] = {}
    for spec in instances:
        if spec.peer_url is not None:
            if spec.peer_url in called:
                raise TopologyError(
                    f"instances {called[spec.peer_url]!r} and {spec.id!r} both give peer_url "
                    f"{spec.peer_url!r}; peers must reach each at an address of its own"
                )
            called[spec.peer_url] = spec.id
        for other in seen:
            if spec.graphql.clashes_with(other.graphql):
                same = "" if str(spec.graphql) == str(other.graphql) else f" ({other.graphql})"
                raise TopologyError(
                    f"instances {other.id!r} and {spec.id!r} both serve GraphQL on "
                    f"{spec.graphql}{same}; give each instance its own port"
                )
        seen.append(spec)
        if isinstance(spec.store, EmbeddedStoreSpec):
            if spec.store.path in paths:
                raise TopologyError(
                    f"instances {paths[spec.store.path]!r} and {spec.id!r} both use the embedded "
                    f"store {str(spec.store.path)!r}; give each instance its own file"
                )
            paths[spec.store.path] = spec.id


def _links(
    raws: Iterable[_LinkRaw], instances: Mapping[str, InstanceSpec], prefix: str
) -> tuple[Link, ...]:
    checked: list[tuple[_LinkRaw, LinkKind, Classification]] = []
    seen: set[tuple[str, str]] = set()
    for raw in raws:
        name = f"link {raw.source} → {raw.target}"
        for end in (raw.source, raw.target):
            if end not in instances:
                raise TopologyError(
                    f"{name}: {end!r} is not an instance of the topology; "
                    f"give one of {_some(instances, end)}"
                )
        if (raw.source, raw.target) in seen:
            raise TopologyError(f"{name} is listed twice")
        seen.add((raw.source, raw.target))
        source, target = instances[raw.source], instances[raw.target]
        kind = _kind(raw, name, source, target)
        clearance = _clearance(raw, name, target)
        checked.append((raw, kind, clearance))
    _check_upward_cycles([(r.source, r.target) for r, k, _ in checked if k is LinkKind.UPWARD])
    links = []
    for raw, kind, clearance in checked:
        name = f"link {raw.source} → {raw.target}"
        if kind is LinkKind.UPWARD and instances[raw.source].parent != raw.target:
            parent = instances[raw.source].parent
            raise TopologyError(
                f"{name}: an upward link goes to the source's parent, which is "
                f"{parent!r}" + ("" if parent else " (none: it is a root)")
            )
        try:
            links.append(
                Link(
                    kind,
                    raw.source,
                    raw.target,
                    clearance,
                    frozenset(raw.extensions),
                    prefix=prefix,
                )
            )
        except InvalidLink as exc:
            raise TopologyError(f"{name}: {exc}") from None
    return tuple(links)


def _kind(raw: _LinkRaw, name: str, source: InstanceSpec, target: InstanceSpec) -> LinkKind:
    derived = LinkKind.UPWARD if source.zone is target.zone else LinkKind.MIRROR
    if raw.kind is not None and LinkKind(raw.kind.upper()) is not derived:
        raise TopologyError(
            f"{name}: kind {raw.kind!r} does not fit its ends — an upward link stays in one "
            "zone, a mirror link crosses to the other; leave kind out or give "
            f"{derived.value.lower()!r}"
        )
    if derived is LinkKind.MIRROR and source.region_code != target.region_code:
        raise TopologyError(
            f"{name}: a mirror link joins the two zones of one region, not {source.region_code} "
            f"and {target.region_code}"
        )
    return derived


def _clearance(raw: _LinkRaw, name: str, target: InstanceSpec) -> Classification:
    if raw.clearance is None:
        return (
            Classification.CLASSIFIED
            if target.zone is Zone.INTRANET
            else Classification.UNCLASSIFIED
        )
    clearance = Classification(raw.clearance.upper())
    if target.zone is Zone.EXTRANET and clearance is not Classification.UNCLASSIFIED:
        raise TopologyError(
            f"{name}: the target is on the extranet, so the clearance must be 'unclassified', "
            f"not {raw.clearance!r} (national 第十一条: no classified entry reaches the extranet)"
        )
    return clearance


def _check_upward_cycles(edges: list[tuple[str, str]]) -> None:
    following: dict[str, list[str]] = {}
    for source, target in edges:
        following.setdefault(source, []).append(target)
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycle = " → ".join([*path[path.index(node) :], node])
            raise TopologyError(f"upward links form a cycle: {cycle}; upward links go to parents")
        if node in done:
            return
        for target in following.get(node, ()):
            visit(target, [*path, node])
        done.add(node)

    for source in list(following):
        visit(source, [])
