"""Settings of one mulu instance, read once at start-up and passed down frozen.

Sources, strongest first: keyword arguments, environment variables (prefix ``MULU_``, nested
fields joined by ``__``, e.g. ``MULU_NEO4J__URI``), a TOML file named by ``MULU_CONFIG``
(or passed to `load_settings`), then the defaults below.

    >>> settings = load_settings()
    >>> settings.store
    'embedded'
"""

from __future__ import annotations

import ipaddress
import os
import re
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from graph import Catalog, InvalidValue, Zone
from graph.codes import NATION, check_region_code, region_parent
from graph.model import catalog_id
from graph.sharing import LOCAL_RULES, OPERATOR_DEADLINES, RULEBOOKS, Rulebook, rulebook_named
from sync.instances import parse_instance_id

__all__ = [
    "AuditSettings",
    "GraphQLSettings",
    "KafkaSettings",
    "Neo4jSettings",
    "Settings",
    "TlsSettings",
    "load_settings",
]

_HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


class Neo4jSettings(BaseModel):
    """Where the Neo4j store lives."""

    model_config = ConfigDict(frozen=True)

    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: SecretStr = SecretStr("")
    database: str = "neo4j"


class KafkaSettings(BaseModel):
    """The Kafka cluster the sync links run over, and this instance's principal. Over
    SASL_SSL the broker is verified with `ssl_cafile` (the platform CA's ``ca.crt``; None: the
    system's CAs) and its host name checked; `ssl_certfile`/`ssl_keyfile` offer a client
    certificate for mutual TLS."""

    model_config = ConfigDict(frozen=True)

    bootstrap_servers: str = "127.0.0.1:9092"
    user: str = ""
    password: SecretStr = SecretStr("")
    mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    security_protocol: Literal["SASL_SSL", "SASL_PLAINTEXT"] = "SASL_PLAINTEXT"
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    # Copies of each link topic and how many hold a write before it is acknowledged; None:
    # derived from the cluster's brokers when the topic is created (sync.topics.replication).
    replication_factor: int | None = Field(default=None, ge=1)
    min_insync_replicas: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _tls_complete(self) -> KafkaSettings:
        given = [n for n in ("ssl_cafile", "ssl_certfile", "ssl_keyfile") if getattr(self, n)]
        if given and self.security_protocol != "SASL_SSL":
            raise ValueError(
                f"kafka.{given[0]} is set but kafka.security_protocol is "
                f"{self.security_protocol}; set it to SASL_SSL"
            )
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("kafka.ssl_certfile and kafka.ssl_keyfile go together; give both")
        return self


class GraphQLSettings(BaseModel):
    """Limits of the GraphQL endpoint: what one request may ask and how long it may take."""

    model_config = ConfigDict(frozen=True)

    max_depth: int = Field(default=10, ge=1, description="deepest selection, introspection aside")
    max_aliases: int = Field(default=30, ge=0)
    max_tokens: int = Field(default=2000, ge=10)
    timeout_seconds: float = Field(default=10.0, gt=0)
    cache_size: int = Field(default=256, ge=1, description="parsed and validated documents kept")
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="the largest request body (and query string)"
    )
    max_list_items: int = Field(
        default=1000,
        ge=1,
        description="the longest list in any argument, _entities' representations included",
    )
    max_variables_depth: int = Field(
        default=10, ge=1, description="how deep the request's variables may nest"
    )
    graphiql: bool = True


class TlsSettings(BaseModel):
    """Who is asking, proved by a certificate (PEM files; federation.identity).

    Served directly: on when `cert` is set; with `client_ca`, a client certificate of that CA
    is asked for (optional) and verified in the handshake. Behind a reverse proxy that
    terminates TLS (federation.identity.proxy): `trusted_proxies` names the addresses whose
    forwarded client certificate (`client_cert_header`, `client_verify_header`) is believed,
    checked again against `client_ca` (and `crl`). Either way the development headers are
    ignored."""

    model_config = ConfigDict(frozen=True)

    cert: Path | None = None
    key: Path | None = None
    client_ca: Path | None = None
    crl: Path | None = Field(default=None, description="the client CA's CRL; read at start-up")
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = Field(
        default=(),
        description="addresses (IPs or CIDR networks) of the reverse proxies whose forwarded "
        "client certificate is believed",
    )
    client_cert_header: str = Field(
        default="X-SSL-Client-Cert",
        description="the proxy's header carrying the client certificate (URL-escaped PEM)",
    )
    client_verify_header: str = Field(
        default="X-SSL-Client-Verify",
        description="the proxy's header carrying its verdict (SUCCESS, NONE, FAILED:…)",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        if isinstance(value, str):  # one address, or several separated by commas
            value = [part for part in value.replace(",", " ").split()]
        if not isinstance(value, list | tuple):
            return value
        networks = []
        for item in value:
            try:
                networks.append(ipaddress.ip_network(str(item).strip()))
            except ValueError:
                raise ValueError(
                    f"{str(item)!r} is not an IP address or a network in CIDR notation with "
                    "no host bits set; give e.g. 10.0.0.5, 10.0.0.0/24 or ::1"
                ) from None
        return tuple(networks)

    @field_validator("client_cert_header", "client_verify_header")
    @classmethod
    def _header_name(cls, value: str) -> str:
        if not _HEADER_NAME.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an HTTP header name; give letters, digits and '-' "
                "(e.g. X-SSL-Client-Cert)"
            )
        return value

    @model_validator(mode="after")
    def _complete(self) -> TlsSettings:
        needs = (("key", "cert"), ("cert", "key"), ("crl", "client_ca"))
        for given, needed in needs:
            if getattr(self, given) is not None and getattr(self, needed) is None:
                raise ValueError(f"tls.{given} is set but tls.{needed} is not; give both")
        if self.client_ca is not None and self.cert is None and not self.trusted_proxies:
            raise ValueError(
                "tls.client_ca is set but neither tls.cert (TLS served here) nor "
                "tls.trusted_proxies (TLS ended by a reverse proxy); give one of them"
            )
        if self.trusted_proxies and self.client_ca is None:
            raise ValueError(
                "tls.trusted_proxies is set but tls.client_ca is not: a forwarded certificate "
                "is checked again against the client CA; give both"
            )
        if self.client_cert_header.lower() == self.client_verify_header.lower():
            raise ValueError(
                f"tls.client_cert_header and tls.client_verify_header are both "
                f"{self.client_cert_header!r}; give two headers"
            )
        return self

    @property
    def enabled(self) -> bool:
        """TLS is served here."""
        return self.cert is not None

    @property
    def proxied(self) -> bool:
        """A reverse proxy ends TLS and forwards the client certificate."""
        return bool(self.trusted_proxies)

    @property
    def identifies(self) -> bool:
        """The caller is proved by a certificate (here or through a proxy): the development
        headers are ignored."""
        return self.enabled or self.proxied


class AuditSettings(BaseModel):
    """The audit log (federation.audit): how long it is kept and how often its head is signed."""

    model_config = ConfigDict(frozen=True)

    retention_years: int = Field(
        default=15,
        ge=15,
        description="years the audit log is kept; 15 unless longer (Chengdu 第二十六条)",
    )
    checkpoint_every_records: int = Field(
        default=1000, ge=1, le=1_000_000, description="sign the head after this many records"
    )
    checkpoint_every_minutes: int = Field(
        default=60, ge=1, le=1440, description="…or after this many minutes, whichever first"
    )
    # The key that signs the checkpoints: the instance's TLS key unless these name another
    # (behind a reverse proxy the instance serves no TLS, yet has its instance certificate).
    cert: Path | None = Field(default=None, description="default: tls.cert")
    key: Path | None = Field(default=None, description="default: tls.key")

    @model_validator(mode="after")
    def _both(self) -> AuditSettings:
        if (self.cert is None) != (self.key is None):
            raise ValueError("audit.cert and audit.key go together; give both or neither")
        return self


class SearchSettings(BaseModel):
    """Search (graph.search): an operator's synonyms and abbreviations, added to the shipped
    list (graph/search/data/synonyms.txt says the format)."""

    model_config = ConfigDict(frozen=True)

    synonyms_file: Path | None = Field(
        default=None, description="a UTF-8 file of synonym groups, one a line, terms by commas"
    )


class Settings(BaseSettings):
    """The whole configuration of one instance."""

    model_config = SettingsConfigDict(
        env_prefix="MULU_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
    )

    store: Literal["embedded", "neo4j"] = "embedded"
    data_dir: Path = Field(default=Path("var"), description="where the embedded store and log live")
    neo4j: Neo4jSettings = Neo4jSettings()
    log: Literal["embedded", "kafka"] = "embedded"
    kafka: KafkaSettings = KafkaSettings()
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    region_code: str = Field(default="510100", description="GB/T 2260 code; 100000 is the nation")
    zone: Zone = Zone.INTRANET
    catalog_name: str = "成都市政务信息资源目录"
    parent_catalog_id: str | None = Field(
        default=None, description="the catalog reported upward to; None derives it from the region"
    )
    graphql: GraphQLSettings = GraphQLSettings()
    tls: TlsSettings = TlsSettings()
    audit: AuditSettings = AuditSettings()
    search: SearchSettings = SearchSettings()
    # Until department certificates come: trust X-Mulu-Dev-Department / X-Mulu-Dev-Role.
    # Never enable it on an instance other people can reach.
    dev_identity_header: bool = False
    topology: Path | None = Field(
        default=None, description="the deployment's topology file (federation.topology)"
    )
    instance: str | None = Field(
        default=None,
        description="this instance's id in the topology, e.g. 510100/intranet; it sets "
        "region_code and zone",
    )
    peer_timeout_seconds: float = Field(
        default=2.0, gt=0, description="how long cross-level discovery waits for each peer"
    )
    rulebook: str = Field(
        default="state-council-2025",
        description="the deadlines and rules in force (graph.sharing.rulebook): "
        + " or ".join(RULEBOOKS),
    )
    local_rules: tuple[str, ...] = Field(
        default=(),
        description="local rule sets on top of the rulebook, any of " + ", ".join(LOCAL_RULES),
    )
    operator_deadlines: dict[str, int] = Field(
        default_factory=dict,
        description="the operator's own figures, in working days, for the clocks no "
        "regulation gives one: " + ", ".join(OPERATOR_DEADLINES) + " (e.g. "
        "{negotiate_dispute = 10, decide_dispute = 20}); none set, those clocks do not run",
    )
    operator_deadlines_source: str | None = Field(
        default=None,
        max_length=200,
        description="the operator's document that sets operator_deadlines, cited beside "
        "each figure (required with them)",
    )
    calendar_dir: Path = Field(
        default=Path("var/calendar"),
        description="where the holiday schedules loaded with `mulu calendar load` are kept; "
        "<data_dir>/calendar unless set",
    )

    _rulebook: Rulebook | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _region_and_zone_from_instance(cls, values: Any) -> Any:
        """`instance` names the region and zone; given as well, they must agree with it."""
        if not isinstance(values, dict) or not values.get("instance"):
            return values
        try:
            region, zone = parse_instance_id(values["instance"])
        except ValueError as exc:
            raise ValueError(f"instance: {exc}") from None
        for name, implied in (("region_code", region), ("zone", zone)):
            given = values.get(name)
            if given is not None and str(given).upper() != implied.upper():
                raise ValueError(
                    f"{name} {given!r} disagrees with instance {values['instance']!r}; "
                    f"leave {name} out or give {implied!r}"
                )
            values = {**values, name: implied}
        return values

    @model_validator(mode="before")
    @classmethod
    def _calendar_under_data_dir(cls, values: Any) -> Any:
        """`calendar_dir` defaults to <data_dir>/calendar, wherever `data_dir` is."""
        if not isinstance(values, dict) or values.get("calendar_dir"):
            return values
        data_dir = values.get("data_dir") or cls.model_fields["data_dir"].default
        return {**values, "calendar_dir": Path(data_dir) / "calendar"}

    @model_validator(mode="after")
    def _known_rulebook(self) -> Settings:
        try:
            self.rulebook_in_force()
        except InvalidValue as exc:
            raise ValueError(str(exc)) from None
        return self

    @field_validator("zone", "log_level", mode="before")
    @classmethod
    def _upper_case(cls, value: Any) -> Any:
        """A name in either case: `MULU_ZONE=intranet` is INTRANET, `info` is INFO."""
        return value.upper() if isinstance(value, str) else value

    @field_validator("store", "log", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        """`MULU_STORE=Neo4j` is neo4j, `MULU_LOG=KAFKA` kafka."""
        return value.lower() if isinstance(value, str) else value

    @field_validator("region_code")
    @classmethod
    def _check_region(cls, value: str) -> str:
        try:
            return check_region_code(value)
        except InvalidValue as exc:
            raise ValueError(str(exc)) from exc

    def catalog(self) -> Catalog:
        """This instance's catalog: its region, zone, name and the catalog above it."""
        parent = self.parent_catalog_id
        if parent is None and self.region_code != NATION:
            above = region_parent(self.region_code)
            parent = catalog_id(above, self.zone) if above else None
        return Catalog(self.region_code, self.zone, self.catalog_name, parent)

    def rulebook_in_force(self) -> Rulebook:
        """The rulebook `rulebook` names with the `local_rules` on top and the operator's
        figures for the clocks no regulation sets (`operator_deadlines`); built once."""
        if self._rulebook is None:
            self._rulebook = rulebook_named(self.rulebook, self.local_rules).with_operator(
                self.operator_deadlines, self.operator_deadlines_source
            )
        return self._rulebook

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file, when there is one, is named in model_config by `load_settings`.
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings once: overrides, then the environment, then a TOML file.

    The file is `config_file`, else the one named by ``MULU_CONFIG``, else none.
    """
    named = config_file or (
        Path(os.environ["MULU_CONFIG"]) if os.environ.get("MULU_CONFIG") else None
    )
    if named is None:
        return Settings(**overrides)
    if not named.is_file():
        raise FileNotFoundError(f"config file {str(named)!r} does not exist; give a TOML file")

    class FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=named)

    return FileSettings(**overrides)
