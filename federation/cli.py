"""The `mulu` command.

$ mulu settings          # the effective configuration, secrets masked
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from federation.settings import load_settings

__all__ = ["app"]

app = typer.Typer(
    name="mulu",
    help="mulu (目录): the federated catalog of government information resources.",
    no_args_is_help=True,
    add_completion=False,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="a TOML settings file (else $MULU_CONFIG, else none)"),
]


@app.callback()
def main() -> None:
    """mulu (目录): the federated catalog of government information resources."""


@app.command()
def settings(config: ConfigOption = None) -> None:
    """Print the effective settings (environment + file + defaults), secrets masked."""
    Console().print_json(load_settings(config).model_dump_json())
