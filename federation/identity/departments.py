"""``mulu departments``: the instance's departments and role grants, from its console.

$ mulu departments list -c 510100-intranet.toml
$ mulu departments register 11510100MB0000001Y 成都市公安局 --region 510100
$ mulu departments grant 11510100MB0000081A ADMINISTRATOR
$ mulu departments revoke 11510100MB0000081A

The first administrator is granted here: whoever can open the instance's store from its
console is trusted as far as its administrator. Every act is recorded in the audit log with
its actor ``console:<user>`` (the operating-system user), in the transaction of the act; the
rules are the administrator's own (`graph.grants`: administrator and auditor never one
subject — GB/T 39477).
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from federation.options import ConfigOption, settings_from, store_of
from federation.settings import Settings
from graph import CatalogError, CatalogStore, Department, Role
from graph.audit.records import AuditEntry, AuditKind
from graph.codes import check_credit_code, check_region_code

__all__ = ["departments"]

T = TypeVar("T")

departments = typer.Typer(
    name="departments",
    help="The instance's departments and role grants (audited as console:<user>).",
    no_args_is_help=True,
)

_GRANTABLE = ", ".join(r.value for r in (Role.REVIEWER, Role.ADMINISTRATOR, Role.AUDITOR))


def _actor() -> str:
    return f"console:{getpass.getuser()}"


def _run(settings: Settings, act: Callable[[CatalogStore], Awaitable[T]]) -> T:
    """`act` on the store `settings` name; a refusal is the command's error, not a trace."""

    async def run() -> T:
        async with store_of(settings) as store:
            return await act(store)

    try:
        return asyncio.run(run())
    except CatalogError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from None


def _code(code: str) -> str:
    try:
        return check_credit_code(code, field="CODE")
    except CatalogError as exc:
        raise typer.BadParameter(str(exc), param_hint="CODE") from exc


@departments.command("list")
def list_command(config: ConfigOption = None) -> None:
    """Every department registered here, with the role granted to it."""
    settings = settings_from(config)

    async def read(store: CatalogStore) -> tuple[list[Department], dict[str, Role]]:
        return await store.departments(), await store.grants()

    registered, grants = _run(settings, read)
    for department in registered:
        role = grants.pop(department.code, Role.PROVIDER)
        typer.echo(f"{department.code}  {role.value:<13}  {department.name}")
    for code, role in sorted(grants.items()):  # granted, not (yet) registered
        typer.echo(f"{code}  {role.value:<13}  (not registered)")


@departments.command("register")
def register_command(
    code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    name: Annotated[str, typer.Argument(help="the department's name")],
    region: Annotated[str, typer.Option(help="GB/T 2260 region code")],
    config: ConfigOption = None,
) -> None:
    """Register (or rename) a department."""
    settings = settings_from(config)
    code = _code(code)
    try:
        region = check_region_code(region, field="--region")
    except CatalogError as exc:
        raise typer.BadParameter(str(exc), param_hint="--region") from exc
    name = name.strip()
    if not name or len(name) > 100:
        raise typer.BadParameter("the department's name, 1 to 100 characters", param_hint="NAME")
    audit = AuditEntry(
        AuditKind.ADMINISTRATION,
        _actor(),
        "register department",
        subject=code,
        detail={"name": name, "region": region},
    )
    _run(settings, lambda store: store.put_departments([Department(code, name, region)], audit))
    typer.echo(f"registered {code} {name}")


@departments.command("grant")
def grant_command(
    code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    role: Annotated[str, typer.Argument(help=_GRANTABLE)],
    config: ConfigOption = None,
) -> None:
    """Grant a role in place of the one the department holds."""
    settings = settings_from(config)
    code = _code(code)
    chosen = role.strip().upper()
    if chosen not in _GRANTABLE.split(", "):
        raise typer.BadParameter(f"{role!r}: one of {_GRANTABLE}", param_hint="ROLE")
    audit = AuditEntry(
        AuditKind.ADMINISTRATION, _actor(), "grant role", subject=code, detail={"role": chosen}
    )
    _run(settings, lambda store: store.grant_role(code, Role(chosen), audit))
    typer.echo(f"granted {chosen} to {code}")


@departments.command("revoke")
def revoke_command(
    code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    config: ConfigOption = None,
) -> None:
    """Take a department's role away: it acts as PROVIDER again."""
    settings = settings_from(config)
    code = _code(code)
    audit = AuditEntry(AuditKind.ADMINISTRATION, _actor(), "revoke role", subject=code)
    _run(settings, lambda store: store.revoke_role(code, audit))
    typer.echo(f"revoked the role of {code}")
