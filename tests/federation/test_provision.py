"""`mulu kafka provision|show`: a topology's Kafka side made idempotently on a real broker, and
shown as it is — what is missing named, one line each; missing passwords and a refused super
user said in one line."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from federation.cli import app
from federation.instance import instance_password_env
from federation.provision import instance_passwords
from federation.topology import TopologyError, parse_topology
from infra.kafka import Acl, KafkaAdmin
from sync.acls import principal
from tests.federation.test_topology import three

pytestmark = pytest.mark.kafka


def topology_file(tmp_path: Path, prefix: str) -> Path:
    lines = [f'topic_prefix = "{prefix}"', f'data_dir = "{tmp_path}"']
    for item in three()["instances"]:
        lines += [
            "[[instances]]",
            f'id = "{item["id"]}"',
            f'graphql = "{item["graphql"]}"',
            'store = { kind = "embedded" }',
        ]
    for link in three()["links"]:
        lines += ["[[links]]", f'source = "{link["source"]}"', f'target = "{link["target"]}"']
    path = tmp_path / "topology.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def environment(kafka: Any, admin_password: str | None = None) -> dict[str, str]:
    env = {
        "MULU_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "MULU_KAFKA__SECURITY_PROTOCOL": kafka.security_protocol,
        "MULU_KAFKA_ADMIN_USER": kafka.user,
        "MULU_KAFKA_ADMIN_PASSWORD": admin_password or kafka.password,
    }
    if kafka.ssl_cafile:
        env["MULU_KAFKA__SSL_CAFILE"] = kafka.ssl_cafile
    for item in three()["instances"]:
        env[instance_password_env(item["id"])] = secrets.token_urlsafe(18)
    return env


def test_provision_makes_what_show_finds_missing_and_again_changes_nothing(
    tmp_path: Path, kafka_server: Any, kafka_admin: KafkaAdmin
) -> None:
    prefix = f"mulu.test.{uuid.uuid4().hex[:10]}"
    path = topology_file(tmp_path, prefix)
    runner = CliRunner()
    env = environment(kafka_server)

    before = runner.invoke(app, ["kafka", "show", str(path)], env=env)
    assert before.exit_code == 3, before.output
    assert "topics 0/6" in before.output
    assert f"topic {prefix}.upward.510100-intranet.510000-intranet: MISSING" in before.output

    made = runner.invoke(app, ["kafka", "provision", str(path)], env=env)
    assert made.exit_code == 0, made.output
    assert "principals 3/3, topics 6/6, ACLs 28/28" in made.output
    topic = f"{prefix}.upward.510100-intranet.510000-intranet"
    held = kafka_admin.describe_topics([topic, topic + ".dlq"])
    assert held[topic].config["cleanup.policy"] == "compact"
    assert held[topic + ".dlq"].config.get("cleanup.policy", "delete") == "delete"
    assert held[topic].replicas == 1  # one broker: one copy (three on a cluster)

    again = runner.invoke(app, ["kafka", "provision", str(path)], env=env)
    assert again.exit_code == 0, again.output
    assert kafka_admin.describe_topics([topic])[topic] == held[topic]

    # A grant taken away shows as missing, by name; provision puts it back.
    city = principal("510100/intranet")
    kafka_admin.revoke(Acl(city, "topic", topic, "write"))
    shown = runner.invoke(app, ["kafka", "show", str(path)], env=env)
    assert shown.exit_code == 3
    assert f"ACL allow User:{city} write on topic {topic}: MISSING" in shown.output
    assert "ACLs 27/28" in shown.output
    assert runner.invoke(app, ["kafka", "provision", str(path)], env=env).exit_code == 0
    assert runner.invoke(app, ["kafka", "show", str(path)], env=env).exit_code == 0


def test_a_refused_super_user_is_said_in_one_line(tmp_path: Path, kafka_server: Any) -> None:
    path = topology_file(tmp_path, f"mulu.test.{uuid.uuid4().hex[:10]}")
    env = environment(kafka_server, admin_password="not-the-password")
    result = CliRunner().invoke(app, ["kafka", "show", str(path)], env=env)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "refused the SCRAM-SHA-512 credentials" in lines[0]
    assert repr(kafka_server.user) in lines[0]


def test_missing_passwords_are_named_and_bounded() -> None:
    document = three()
    for n in range(1, 16):
        document["instances"].append(
            {
                "id": f"51{n + 1:02d}00/intranet",
                "graphql": f"127.0.0.1:{9100 + n}",
                "store": {"kind": "embedded"},
            }
        )
        document["links"].append(
            {"source": f"51{n + 1:02d}00/intranet", "target": "510000/intranet"}
        )
    topology = parse_topology(document, None)
    with pytest.raises(TopologyError) as refused:
        instance_passwords(topology, {})
    message = str(refused.value)
    assert message.startswith("18 instance(s) have no Kafka password: set MULU_KAFKA_PASSWORD_")
    assert message.endswith("and 10 more (8 characters or more each)")
