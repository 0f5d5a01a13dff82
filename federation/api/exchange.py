"""The importSpreadsheet mutation: a department's catalog spreadsheet, sent base64-encoded in
the request, imported as the caller's drafts (`graph.exchange.importing`) — the explorer's
upload and any department system's.

The file is bounded twice: the request body by ``graphql.max_body_bytes`` (1 MiB by default)
before GraphQL reads it, the decoded file by `MAX_UPLOAD_BYTES`; a larger file goes through
``mulu import`` at the instance. The caller is the importing department
(`Viewer.actor`: anonymous callers, administrators and auditors are refused).
"""

from __future__ import annotations

import base64
import binascii
import tempfile
from pathlib import Path

import strawberry

from federation.api.context import Info
from federation.exchange.importer import importer_for
from graph import InvalidValue, NotFound
from graph.audit.records import AuditEntry, AuditKind
from graph.exchange.datasets import check_mapping
from graph.exchange.importing import ImportReport
from graph.exchange.reading import Limits
from graph.exchange.records import Problem
from graph.lifecycle import Action, check_action

__all__ = [
    "MAX_UPLOAD_BYTES",
    "DatasetMappingNode",
    "ImportProblem",
    "ImportResult",
    "import_spreadsheet",
    "map_dataset",
    "unmap_dataset",
]

MAX_UPLOAD_BYTES = 512 * 1024
_SUFFIXES = (".xlsx", ".csv")


@strawberry.type(description="One refused row: where, the value found, what would be accepted.")
class ImportProblem:
    sheet: str
    row: int
    column: str
    label: str
    value: str
    accepted: str
    rule: str | None

    @staticmethod
    def of(problem: Problem) -> ImportProblem:
        return ImportProblem(
            sheet=problem.sheet,
            row=problem.row,
            column=problem.column,
            label=problem.label,
            value=problem.value,
            accepted=problem.accepted,
            rule=problem.rule,
        )


@strawberry.type(description="What an import of a spreadsheet found and wrote.")
class ImportResult:
    file: str
    sheet: str
    encoding: str | None = strawberry.field(description="a CSV's encoding as detected")
    dry_run: bool
    entries: int
    refused: int
    created: int
    updated: int
    problem_count: int
    problems: list[ImportProblem] = strawberry.field(description="the first hundred")
    codes: list[str] = strawberry.field(description="the codes allocated, the first thousand")
    unknown_columns: list[str]

    @staticmethod
    def of(report: ImportReport) -> ImportResult:
        return ImportResult(
            file=report.file,
            sheet=report.sheet,
            encoding=report.encoding,
            dry_run=report.dry_run,
            entries=report.entries,
            refused=report.refused,
            created=report.created,
            updated=report.updated,
            problem_count=report.problem_count,
            problems=[ImportProblem.of(p) for p in report.problems[:100]],
            codes=report.codes,
            unknown_columns=report.unknown_columns,
        )


def _decoded(filename: str, content: str) -> bytes:
    name = Path(filename).name
    if Path(name).suffix.lower() not in _SUFFIXES or len(name) > 200:
        raise InvalidValue(
            "filename", filename, "a name of at most 200 characters ending in .xlsx or .csv"
        )
    if len(content) > (MAX_UPLOAD_BYTES * 4) // 3 + 4:
        raise InvalidValue(
            "contentBase64",
            f"{len(content)} characters",
            f"a file of at most {MAX_UPLOAD_BYTES:,} bytes; import a larger one with "
            "`mulu import` at the instance",
        )
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidValue(
            "contentBase64", content[:40], "the file's bytes in base64 (RFC 4648)"
        ) from None


async def import_spreadsheet(
    info: Info, filename: str, content_base64: str, dry_run: bool, partial: bool
) -> ImportResult:
    actor = info.context.viewer.actor()
    check_action(actor, Action.CREATE, actor.department_code)  # who, before what
    data = _decoded(filename, content_base64)
    importer = await importer_for(
        info.context.store,
        info.context.rulebook,
        actor.department_code,
        limits=Limits(max_bytes=MAX_UPLOAD_BYTES),
    )
    with tempfile.TemporaryDirectory(prefix="mulu-import-") as directory:
        path = Path(directory) / Path(filename).name  # named as sent: the report names it
        path.write_bytes(data)
        report = await importer.run(path, dry_run=dry_run, partial=partial)
    return ImportResult.of(report)


# -- dataset mappings: what OpenLineage's datasets catalogue (graph.exchange.openlineage) ----


@strawberry.type(description="数据集映射: an OpenLineage dataset and the entry that catalogues it.")
class DatasetMappingNode:
    namespace: str
    name: str
    code: str


async def _own_entry(info: Info, code: str) -> None:
    """Refuse unless the caller's department provides the entry `code` of this catalog."""
    actor = info.context.viewer.actor()
    entry = await info.context.store.get(code)
    if entry is None:
        raise NotFound("resource", code)
    if entry.origin != info.context.store.catalog.id:
        raise InvalidValue(
            "code", code, f"an entry of this catalog; {code} is {entry.origin}'s, mapped there"
        )
    check_action(actor, Action.UPDATE, entry.provider_code)  # 谁主管，谁提供，谁负责


async def map_dataset(info: Info, namespace: str, name: str, code: str) -> DatasetMappingNode:
    mapping = check_mapping(namespace, name, code)
    await _own_entry(info, mapping.code)
    actor = info.context.viewer.actor()
    audit = AuditEntry(
        AuditKind.CATALOG_WRITE,
        actor.department_code,
        "map dataset",
        subject=mapping.code,
        detail={"namespace": mapping.key.namespace, "name": mapping.key.name},
    )
    await info.context.store.put_dataset_mapping(mapping, audit)
    return DatasetMappingNode(
        namespace=mapping.key.namespace, name=mapping.key.name, code=mapping.code
    )


async def unmap_dataset(info: Info, namespace: str, name: str) -> DatasetMappingNode:
    key = check_mapping(namespace, name, "301001001/000001").key  # the key's checks alone
    held = await info.context.store.dataset_mappings([key])
    if key not in held:
        raise NotFound("dataset mapping", str(key))
    await _own_entry(info, held[key])
    actor = info.context.viewer.actor()
    audit = AuditEntry(
        AuditKind.CATALOG_WRITE,
        actor.department_code,
        "unmap dataset",
        subject=held[key],
        detail={"namespace": key.namespace, "name": key.name},
    )
    await info.context.store.remove_dataset_mapping(key, audit)
    return DatasetMappingNode(namespace=key.namespace, name=key.name, code=held[key])
