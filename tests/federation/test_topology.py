"""The topology file: the demo parses into its six instances and seven links; every invalid
file is refused with a message naming the instance or link at fault."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from federation.topology import (
    Address,
    EmbeddedStoreSpec,
    InstanceTls,
    Neo4jStoreSpec,
    TopologyError,
    TopologyTls,
    load_topology,
    parse_topology,
)
from graph.enums import Classification, Level, Zone
from sync.links import LinkKind

DEMO = Path(__file__).parents[2] / "topologies" / "demo.toml"


def instance(id: str, port: int, **extra: Any) -> dict[str, Any]:
    return {"id": id, "graphql": f"127.0.0.1:{port}", "store": {"kind": "embedded"}, **extra}


def three(**extra: Any) -> dict[str, Any]:
    """nation, 四川, 成都 on the intranet, linked upward."""
    return {
        "instances": [
            instance("national/intranet", 9001),
            instance("510000/intranet", 9002),
            instance("510100/intranet", 9003),
        ],
        "links": [
            {"source": "510100/intranet", "target": "510000/intranet"},
            {"source": "510000/intranet", "target": "national/intranet"},
        ],
        **extra,
    }


def test_the_demo_topology() -> None:
    topology = load_topology(DEMO)
    assert len(topology.instances) == 6
    assert len(topology.links) == 7
    chengdu = topology.instance("510100/intranet")
    assert (chengdu.level, chengdu.zone, chengdu.region_code) == (
        Level.MUNICIPAL,
        Zone.INTRANET,
        "510100",
    )
    assert chengdu.graphql == Address("127.0.0.1", 8105)
    assert chengdu.graphql.url == "http://127.0.0.1:8105/graphql"
    assert chengdu.store == EmbeddedStoreSpec(Path("var/demo/510100-intranet.db"))
    assert chengdu.name == "成都市政务信息资源目录（内网）"
    mirrors = [link for link in topology.links if link.kind is LinkKind.MIRROR]
    assert {(m.source, m.target) for m in mirrors} == {
        ("national/intranet", "national/extranet"),
        ("510000/intranet", "510000/extranet"),
        ("510100/intranet", "510100/extranet"),
    }
    assert all(m.clearance is Classification.UNCLASSIFIED for m in mirrors)


def test_lookups() -> None:
    topology = load_topology(DEMO)
    assert topology.parent_of("510100/extranet").id == "510000/extranet"  # type: ignore[union-attr]
    assert topology.parent_of("national/intranet") is None
    assert [c.id for c in topology.children_of("510000/intranet")] == ["510100/intranet"]
    assert topology.children_of("510100/intranet") == []
    assert [p.id for p in topology.peers_of("510000/extranet")] == [
        "national/extranet",
        "510100/extranet",
    ]
    assert [p.id for p in topology.peers_of("510100/intranet")] == ["510000/intranet"]
    assert [link.target for link in topology.links_from("510100/intranet")] == [
        "510000/intranet",
        "510100/extranet",
    ]
    assert [link.source for link in topology.links_to("510000/intranet")] == ["510100/intranet"]
    assert {link.kind for link in topology.links_to("510000/extranet")} == {
        LinkKind.UPWARD,
        LinkKind.MIRROR,
    }
    with pytest.raises(TopologyError, match=r"'440100/intranet' is not in the topology"):
        topology.instance("440100/intranet")


def test_an_extranet_instance_never_lists_an_intranet_peer() -> None:
    topology = load_topology(DEMO)
    for spec in topology.instances.values():
        assert all(peer.zone is spec.zone for peer in topology.peers_of(spec.id)), spec.id


def test_link_kind_and_clearance_follow_from_the_zones() -> None:
    document = three()
    document["instances"].append(instance("510100/extranet", 9004))
    document["links"].append({"source": "510100/intranet", "target": "510100/extranet"})
    links = {(link.source, link.target): link for link in parse_topology(document).links}
    upward = links["510100/intranet", "510000/intranet"]
    assert (upward.kind, upward.clearance) == (LinkKind.UPWARD, Classification.CLASSIFIED)
    mirror = links["510100/intranet", "510100/extranet"]
    assert (mirror.kind, mirror.clearance) == (LinkKind.MIRROR, Classification.UNCLASSIFIED)


def test_a_topic_prefix_keeps_two_deployments_apart_on_one_cluster() -> None:
    default = parse_topology(three()).links
    assert all(link.topic.startswith("mulu.sync.") for link in default)
    ours = parse_topology({**three(), "topic_prefix": "pilot-2026"}).links
    assert all(link.topic.startswith("pilot-2026.") for link in ours)
    assert all(link.group.startswith("pilot-2026.") for link in ours)
    with pytest.raises(TopologyError, match="topic_prefix"):
        parse_topology({**three(), "topic_prefix": "有 空格"})


def test_the_parent_skips_a_region_without_an_instance() -> None:
    document = three()
    document["instances"].pop(1)
    document["links"] = []
    topology = parse_topology(document)
    assert topology.instance("510100/intranet").parent == "national/intranet"


def test_neo4j_store_and_an_overridden_parent() -> None:
    document = three()
    document["instances"][2]["store"] = {
        "kind": "neo4j",
        "uri": "bolt://127.0.0.1:7688",
        "password_env": "CHENGDU_NEO4J_PASSWORD",
    }
    document["instances"][2]["parent"] = "510000/intranet"
    spec = parse_topology(document, {"CHENGDU_NEO4J_PASSWORD": "s3cret-pw"}).instance(
        "510100/intranet"
    )
    assert spec.store == Neo4jStoreSpec("bolt://127.0.0.1:7688", "neo4j", "CHENGDU_NEO4J_PASSWORD")
    assert spec.parent == "510000/intranet"


def neo4j_chengdu(password_env: str | None) -> dict[str, Any]:
    document = three()
    store = {"kind": "neo4j", "uri": "bolt://127.0.0.1:7688", "password_env": password_env}
    document["instances"][2]["store"] = {k: v for k, v in store.items() if v is not None}
    return document


def test_the_password_a_topology_names_is_read_when_it_is_loaded() -> None:
    """Defect class: a secret read late — a missing password was found only when the store
    was first opened (as an empty password), not when the deployment started."""
    document = neo4j_chengdu("CHENGDU_NEO4J_PASSWORD")
    spec = parse_topology(document, {"CHENGDU_NEO4J_PASSWORD": "s3cret-pw"}).instance(
        "510100/intranet"
    )
    assert isinstance(spec.store, Neo4jStoreSpec)
    assert spec.store.password is not None
    assert spec.store.password.get_secret_value() == "s3cret-pw"
    assert "s3cret-pw" not in repr(spec)
    # Without the environment (a process that opens none of the stores) it stays unread.
    unread = parse_topology(document, None).instance("510100/intranet").store
    assert isinstance(unread, Neo4jStoreSpec)
    assert unread.password is None
    # No variable named, nothing to read.
    plain = parse_topology(neo4j_chengdu(None), {}).instance("510100/intranet").store
    assert isinstance(plain, Neo4jStoreSpec)
    assert plain.password is None


@pytest.mark.parametrize(("environ", "state"), [({}, "is not set"), ({"PW": ""}, "is empty")])
def test_a_missing_password_is_refused_naming_its_variable(
    environ: dict[str, str], state: str, tmp_path: Path
) -> None:
    with pytest.raises(
        TopologyError,
        match=rf"instance '510100/intranet': store.password_env names the environment variable "
        rf"'PW', which {state}; set it",
    ):
        parse_topology(neo4j_chengdu("PW"), environ)
    path = tmp_path / "topology.toml"
    path.write_text(
        '[[instances]]\nid = "510100/intranet"\ngraphql = "127.0.0.1:9003"\n'
        'store = { kind = "neo4j", uri = "bolt://127.0.0.1:7688", password_env = "PW" }\n',
        encoding="utf-8",
    )
    with pytest.raises(TopologyError, match=rf"topology.toml: .*'PW', which {state}"):
        load_topology(path, environ)


def test_the_topology_carries_its_data_dir() -> None:
    """Defect class: a second reading of the file — the data directory was re-read from the
    TOML text apart from the validated topology."""
    assert load_topology(DEMO).data_dir == Path("var/demo")
    assert parse_topology(three()).data_dir == Path("var")
    assert parse_topology({**three(), "data_dir": "state"}).data_dir == Path("state")


def test_tls_from_a_pki_directory_and_per_instance_files() -> None:
    """`[tls] pki` gives every instance the certificate `mulu pki issue instance` wrote for it,
    the CA bundle and the CRL; an instance's own `tls` and `[tls] ca`/`crl` take precedence;
    without `[tls]` nothing changes (plain HTTP)."""
    plain = parse_topology(three())
    assert plain.tls is None
    assert plain.instance("510100/intranet").url == "http://127.0.0.1:9003/graphql"

    document = three(tls={"pki": "var/pki"})
    document["instances"][0]["tls"] = {"cert": "own.crt", "key": "own.key"}
    topology = parse_topology(document)
    assert topology.tls == TopologyTls(Path("var/pki/ca.crt"), Path("var/pki/crl.pem"))
    chengdu = topology.instance("510100/intranet")
    assert chengdu.tls == InstanceTls(
        Path("var/pki/instances/510100-intranet.crt"), Path("var/pki/instances/510100-intranet.key")
    )
    assert chengdu.url == "https://127.0.0.1:9003/graphql"
    assert chengdu.graphql.url == "http://127.0.0.1:9003/graphql"  # the address alone
    assert topology.instance("national/intranet").tls == InstanceTls(
        Path("own.crt"), Path("own.key")
    )

    explicit = three(tls={"ca": "bundle.pem"})
    for item in explicit["instances"]:
        item["tls"] = {"cert": f"{item['graphql'][-4:]}.crt", "key": "k.key"}
    assert parse_topology(explicit).tls == TopologyTls(Path("bundle.pem"), None)


def _broken(change: str) -> dict[str, Any]:
    document = copy.deepcopy(three())
    instances, links = document["instances"], document["links"]
    if change == "duplicate id":
        instances.append(instance("510000/intranet", 9009))
    elif change == "bad id":
        instances.append(instance("510100/internet", 9009))
    elif change == "unknown parent":
        instances[2]["parent"] = "440000/intranet"
    elif change == "parent in the other zone":
        instances.append(instance("510000/extranet", 9009))
        instances[2]["parent"] = "510000/extranet"
    elif change == "parent cycle":
        instances[0]["parent"] = "510100/intranet"
    elif change == "unknown link end":
        links.append({"source": "510100/intranet", "target": "440100/intranet"})
    elif change == "classified to the extranet":
        instances.append(instance("510100/extranet", 9009))
        links.append(
            {"source": "510100/intranet", "target": "510100/extranet", "clearance": "classified"}
        )
    elif change == "upward cycle":
        links.append({"source": "510000/intranet", "target": "510100/intranet"})
    elif change == "upward not to the parent":
        links[0] = {"source": "510100/intranet", "target": "national/intranet"}
    elif change == "mirror between regions":
        instances.append(instance("510000/extranet", 9009))
        links.append({"source": "510100/intranet", "target": "510000/extranet"})
    elif change == "kind against the zones":
        links[0] = {**links[0], "kind": "mirror"}
    elif change == "port clash":
        instances[2]["graphql"] = "0.0.0.0:9001"
    elif change == "store clash":
        instances[2]["store"] = {"kind": "embedded", "path": "var/national-intranet.db"}
    elif change == "duplicate link":
        links.append(dict(links[0]))
    elif change == "bad address":
        instances[1]["graphql"] = "localhost"
    elif change == "unknown field":
        instances[1]["colour"] = "red"
    elif change == "unknown store":
        instances[1]["store"] = {"kind": "postgres"}
    elif change == "tls without a CA":
        document["tls"] = {"crl": "crl.pem"}
    elif change == "instance tls without [tls]":
        instances[1]["tls"] = {"cert": "a.crt", "key": "a.key"}
    elif change == "instance tls without a key":
        document["tls"] = {"pki": "pki"}
        instances[1]["tls"] = {"cert": "a.crt"}
    elif change == "no certificate to find":
        document["tls"] = {"ca": "ca.crt"}
        instances[0]["tls"] = {"cert": "a.crt", "key": "a.key"}
    elif change == "unknown tls field":
        document["tls"] = {"pki": "pki", "verify": False}
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("duplicate id", r"instance '510000/intranet' is listed twice"),
        ("bad id", r"instance id '510100/internet' is not valid: give an instance \(catalog\) id"),
        ("unknown parent", r"instance '510100/intranet': parent '440000/intranet' is not an "),
        ("parent in the other zone", r"parent '510000/extranet' is in the other zone"),
        ("parent cycle", r"parents form a cycle: national/intranet → 510100/intranet → "),
        ("unknown link end", r"link 510100/intranet → 440100/intranet: '440100/intranet' is not"),
        (
            "classified to the extranet",
            r"link 510100/intranet → 510100/extranet: the target is on the extranet, so the "
            r"clearance must be 'unclassified', not 'classified'",
        ),
        ("upward cycle", r"upward links form a cycle: 510100/intranet → 510000/intranet → 5101"),
        (
            "upward not to the parent",
            r"link 510100/intranet → national/intranet: an upward link goes to the source's "
            r"parent, which is '510000/intranet'",
        ),
        ("mirror between regions", r"a mirror link joins the two zones of one region, not 51"),
        ("kind against the zones", r"kind 'mirror' does not fit its ends .* give 'upward'"),
        (
            "port clash",
            r"instances 'national/intranet' and '510100/intranet' both serve GraphQL on "
            r"0.0.0.0:9001",
        ),
        ("store clash", r"both use the embedded store 'var/national-intranet.db'"),
        ("duplicate link", r"link 510100/intranet → 510000/intranet is listed twice"),
        ("bad address", r"instance '510000/intranet': graphql address 'localhost' is not host:p"),
        ("unknown field", r"instance '510000/intranet': colour: Extra inputs are not permitted"),
        ("unknown store", r"instance '510000/intranet': store: Input tag 'postgres'"),
        ("tls without a CA", r"tls: give tls.pki \(a `mulu pki` directory\) or tls.ca"),
        (
            "instance tls without [tls]",
            r"instance '510000/intranet': tls is set but the topology has no \[tls\] table",
        ),
        ("instance tls without a key", r"instance '510000/intranet': tls.key: Field required"),
        (
            "no certificate to find",
            r"instance '510000/intranet': tls.cert and tls.key are needed — the topology's "
            r"\[tls\] table names no pki directory",
        ),
        ("unknown tls field", r"tls.verify: Extra inputs are not permitted"),
    ],
)
def test_an_invalid_topology_is_refused_with_what_is_wrong(change: str, message: str) -> None:
    with pytest.raises(TopologyError, match=message):
        parse_topology(_broken(change))


def test_no_instances() -> None:
    with pytest.raises(TopologyError, match=r"instances: List should have at least 1 item"):
        parse_topology({"instances": []})


def test_a_file_that_is_not_toml_or_not_there(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[instances]\n", encoding="utf-8")
    with pytest.raises(TopologyError, match=r"is not valid TOML"):
        load_topology(broken)
    with pytest.raises(TopologyError, match=r"cannot read topology file"):
        load_topology(tmp_path / "missing.toml")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        '[[instances]]\nid = "510100/intranet"\ngraphql = "127.0.0.1:1"\n'
        'store = { kind = "embedded" }\nparent = "510000/intranet"\n',
        encoding="utf-8",
    )
    with pytest.raises(TopologyError, match=r"wrong.toml: instance '510100/intranet': parent"):
        load_topology(wrong)


def test_the_districts_of_a_municipality_answer_to_the_city_itself() -> None:
    """直辖市: GB/T 2260 files 110101 under 110100 市辖区, which is no level of government; the
    districts of 北京, 天津, 上海 and 重庆 are the city's children."""
    document: dict[str, Any] = {"instances": [instance("national/intranet", 9001)], "links": []}
    port = 9002
    for city, districts in (
        ("110000", ("110101", "110105", "110108")),
        ("120000", ("120101",)),
        ("310000", ("310101", "310115")),
        ("500000", ("500101", "500229")),
    ):
        document["instances"].append(instance(f"{city}/intranet", port))
        document["links"].append({"source": f"{city}/intranet", "target": "national/intranet"})
        port += 1
        for district in districts:
            document["instances"].append(instance(f"{district}/intranet", port))
            document["links"].append(
                {"source": f"{district}/intranet", "target": f"{city}/intranet"}
            )
            port += 1
    topology = parse_topology(document, None)
    assert topology.instance("110105/intranet").parent == "110000/intranet"
    assert topology.instance("500229/intranet").parent == "500000/intranet"
    assert [c.id for c in topology.children_of("110000/intranet")] == [
        "110101/intranet",
        "110105/intranet",
        "110108/intranet",
    ]
    assert len(topology.links) == 12


def test_localhost_and_127_0_0_1_on_one_port_clash_when_validated() -> None:
    document = three()
    document["instances"][1]["graphql"] = "localhost:9001"
    with pytest.raises(
        TopologyError, match=r"both serve GraphQL on localhost:9001 \(127\.0\.0\.1:9001\)"
    ):
        parse_topology(document, None)


def test_an_unknown_instance_is_refused_naming_a_few_near_ones_not_all() -> None:
    document = three()
    for n in range(1, 61):
        document["instances"].append(instance(f"51{n + 1:02d}00/intranet", 9100 + n))
    document["links"].append({"source": "510100/intranet", "target": "510001/intranet"})
    with pytest.raises(TopologyError) as refused:
        parse_topology(document, None)
    message = str(refused.value)
    assert "'510001/intranet' is not an instance of the topology" in message
    assert message.endswith("and 58 more")
    assert message.count("/intranet") == 2 + 1 + 5  # the link's ends, the unknown one, five
    assert "give one of 510000/intranet, " in message  # the nearest to 510001 first
