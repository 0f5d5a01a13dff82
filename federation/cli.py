"""The `mulu` command.

$ mulu settings                      # the effective configuration, secrets masked
$ mulu serve --sample 2000           # one instance with a sample catalog, on :8000
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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


@app.command()
def serve(
    config: ConfigOption = None,
    sample: Annotated[
        int | None,
        typer.Option(help="first load about this many sample entries into the catalog", min=1),
    ] = None,
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on", min=0, max=65535)] = None,
) -> None:
    """Run one instance: /graphql (GraphiQL in a browser), /health and /metrics."""
    import uvicorn

    from federation.app import create_app
    from federation.logging import configure_logging
    from federation.sample import load_instance_sample
    from graph import CatalogStore

    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    try:
        chosen = load_settings(config, **overrides)
    except (OSError, ValueError) as exc:  # a missing file, an invalid setting
        raise typer.BadParameter(str(exc), param_hint="--config / MULU_*") from exc
    configure_logging(chosen.log_level)

    async def load(store: CatalogStore) -> None:
        if sample is not None:
            await load_instance_sample(store, sample)

    instance = create_app(chosen, prepare=load)
    uvicorn.run(
        instance,
        host=chosen.host,
        port=chosen.port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
