"""What the `mulu` sub-commands share: the ``--config`` option, the settings it names, the
instance's store and its working calendar — each refused as a command's error, never a trace.

    settings = settings_from(config)          # typer.BadParameter naming --config / MULU_*
    async with store_of(settings) as store: ...
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Annotated

import typer

from federation.settings import Settings, load_settings
from federation.sharing.schedules import ScheduleFileError, read_calendar
from graph.sharing import WorkingCalendar
from graph.store import CatalogStore

__all__ = ["ConfigOption", "calendar_of", "settings_from", "store_of"]

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="a TOML settings file (else $MULU_CONFIG, else none)"),
]


def settings_from(config: Path | None) -> Settings:
    """The effective settings; a bad file or variable is the command's BadParameter."""
    try:
        return load_settings(config)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--config / MULU_*") from exc


def store_of(settings: Settings) -> AbstractAsyncContextManager[CatalogStore]:
    """The store `settings` name, opened for the life of the context."""
    from federation.instance import open_store  # the store drivers load only when needed

    return open_store(settings)


def calendar_of(settings: Settings, command: str) -> WorkingCalendar:
    """The instance's working calendar; a broken schedule file ends `command` (exit 1)."""
    try:
        return read_calendar(settings.calendar_dir)
    except ScheduleFileError as exc:
        typer.echo(f"{command}: {exc}", err=True)
        raise typer.Exit(1) from None
