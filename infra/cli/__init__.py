"""``python -m infra``: fetch, start, stop and inspect the development servers.

    python -m infra neo4j fetch|start|stop|status|logs   [--port 7687] [--home DIR] ...
    python -m infra kafka fetch|start|stop|status|logs   [--port 9092] [--controller-port 9093]
    python -m infra kafka principal add|remove|list ...
    python -m infra kafka acl add|remove|list|producer|consumer ...
    python -m infra kafka topic create|delete|list ...

``status`` exits 0 when the server runs and 3 when it is stopped; every error exits 1 with a
message naming the offending value.

One module per command group: `neo4j`, `kafka`, and Kafka's `principal`, `acl` and `topic`;
`common` holds what they share (options, the development password, how errors and the life
cycle are reported). This module only mounts the two top groups.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from infra.cli import kafka, neo4j

__all__ = ["app", "main"]

app = typer.Typer(
    name="infra",
    help="Real Neo4j and Kafka servers on 127.0.0.1, from Maven Central jars, on Java 17.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(neo4j.app, name="neo4j")
app.add_typer(kafka.app, name="kafka")


def main() -> None:
    app(prog_name=f"{Path(sys.executable).name} -m infra")
