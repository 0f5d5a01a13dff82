"""Importing a department's catalog spreadsheet as its drafts.

Every entry of the sheet goes the way of any write (`graph.cataloguing.Cataloguing`): a row
whose 信息资源代码 is a 前段码 (or blank, with the category in it) becomes a new DRAFT of the
importing department, the catalog allocating its 后段码; a row naming a whole code held by no
entry here is a new DRAFT brought with its code — kept when it is free here (in the zone's
range, never redacted, never allocated here: `graph.codes.is_free`) with the 发布日期 the row
states, so that an export imported again is the same catalog, cell for cell;
a row naming the whole code of one of the department's DRAFT entries here replaces that
draft's content (`Cataloguing.update`). `graph.rules`, the rulebook's write rules and
`graph.lifecycle` decide every row; a refusal becomes a `Problem` naming sheet, row, column,
value and what would be accepted.

    all or nothing (default)  the whole file is checked first; one refused row, nothing written
    partial                   the good rows are written, the refused ones reported
    dry_run                   checked and reported, nothing written

The file is read as it streams (`graph.exchange.reading`), a batch at a time, never whole.
All or nothing reads it once: each row is checked (`Cataloguing.check_new`; a row naming a
whole code with its batch, which asks the store) and the drafts it makes are kept in a
temporary file, not in memory; when every row passed, they are written
from there (`Cataloguing.create_checked`) — each row read, parsed and checked once. Each batch
of new drafts is one transaction with its audit records and change events, the next batch made
ready while the store writes one; should the store fail between batches, the report of the
error (`ImportInterrupted`) says how many entries were written.

    report = await Importer(cataloguing, store, actor, "成都市公安局").run(path)
    report.problems[0]  # Problem(sheet='目录', row=7, column='L', label='共享类型', ...)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graph.cataloguing import Cataloguing, code_not_free
from graph.codes import check_credit_code, check_resource_code
from graph.enums import LifecycleState
from graph.errors import InvalidValue, NotPermitted
from graph.exchange.errors import ImportInterrupted
from graph.exchange.reading import Limits, Sheet, open_sheet
from graph.exchange.records import Problem, Record, parse_record, problem_of, records
from graph.exchange.spill import Spill
from graph.model import Actor, Resource
from graph.rules import recall_checked
from graph.store import CatalogStore

__all__ = ["ImportReport", "Importer", "Progress"]

# (rows read, rows in the file when it declares them, "check" or "write")
Progress = Callable[[int, int | None, str], None]

# The fields a row gives an entry (its lifecycle and anything not in the template, such as
# its extensions, stay as held).
_CONTENT = (
    "name",
    "provider_name",
    "summary",
    "format_class",
    "format_type",
    "share_type",
    "update_cycle",
    "classification",
    "items",
    "share_condition",
    "legal_basis",
    "share_modes",
    "open_to_public",
    "open_condition",
    "related_codes",
    "derived_from",
    "themes",
)


@dataclass
class ImportReport:
    """What an import found and did. `problems` holds the first `max_problems`;
    `problem_count` counts them all."""

    file: str
    sheet: str = ""
    kind: str = ""
    encoding: str | None = None
    dry_run: bool = False
    partial: bool = False
    entries: int = 0
    refused: int = 0
    created: int = 0
    updated: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.created + self.updated

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


@dataclass
class _Batch:
    new: list[tuple[Record, Resource]] = field(default_factory=list)
    updates: list[tuple[Record, Resource]] = field(default_factory=list)
    spilled: int = 0  # new entries checked and kept in the spill as they were read

    def __len__(self) -> int:
        return len(self.new) + len(self.updates) + self.spilled


@dataclass
class _Checked:
    """A batch as checked: the drafts to create (their rows beside them) and the (held,
    replacing) drafts to update."""

    new: list[tuple[int, Resource]] = field(default_factory=list)
    updates: list[tuple[int, Resource, Resource]] = field(default_factory=list)


class Importer:
    """Imports sheets into `store` as `actor`'s drafts, through `cataloguing`."""

    def __init__(
        self,
        cataloguing: Cataloguing,
        store: CatalogStore,
        actor: Actor,
        provider_name: str,
        *,
        batch_size: int = 1000,
        max_problems: int = 1000,
        limits: Limits | None = None,
        progress: Progress | None = None,
    ) -> None:
        self._cataloguing = cataloguing
        self._store = store
        self._actor = actor
        self._provider_name = provider_name
        self._batch_size = batch_size
        self._max_problems = max_problems
        self._limits = limits or Limits()
        self._progress = progress
        self._total_rows: int | None = None  # what the file declares, for the write's progress

    async def run(
        self, path: Path, *, dry_run: bool = False, partial: bool = False
    ) -> ImportReport:
        """Check (and unless `dry_run`, write) the entries of the file at `path`."""
        report = ImportReport(path.name, dry_run=dry_run, partial=partial)
        if dry_run or partial:
            await self._pass(path, report, write=not dry_run)
            return report
        with Spill() as spill:
            await self._pass(path, report, write=False, spill=spill)
            if report.ok and report.entries:
                await self._write_spilled(spill, report)
        return report

    async def _pass(
        self, path: Path, report: ImportReport, *, write: bool, spill: Spill | None = None
    ) -> None:
        phase = "write" if write else "check"
        with open_sheet(path, self._limits) as sheet:
            self._total_rows = sheet.total_rows
            report.sheet, report.kind, report.encoding = sheet.name, sheet.kind, sheet.encoding
            report.unknown_columns = sheet.unknown_columns
            batch = _Batch()
            seen: set[str] = set()
            last_row = 0
            for found in records(sheet.rows(), sheet.letter_of("name")):
                if isinstance(found, Problem):
                    self._add(report, found)
                    continue
                report.entries += 1
                last_row = found.row
                try:
                    entry = parse_record(found, self._actor.department_code, self._provider_name)
                    if spill is not None and "/" not in entry.code:
                        # A new entry is checked at once and kept on disk: nothing of its row
                        # is held to the end of the batch (only a whole code needs the store).
                        draft = self._check(sheet, found, entry, report)
                        if draft is not None:
                            spill.add(found.row, draft)
                        batch.spilled += 1
                    else:
                        self._sort(entry, found, batch, seen)
                except InvalidValue as exc:
                    self._refuse(report, problem_of(sheet, found, exc))
                    continue
                if len(batch) >= self._batch_size:
                    await self._run_batch(sheet, batch, report, write, spill)
                    batch = _Batch()
                    if self._progress is not None:
                        self._progress(last_row, sheet.total_rows, phase)
            await self._run_batch(sheet, batch, report, write, spill)
            if self._progress is not None:
                self._progress(last_row, sheet.total_rows, phase)

    def _sort(self, entry: Resource, record: Record, batch: _Batch, seen: set[str]) -> None:
        if "/" not in entry.code:
            batch.new.append((record, entry))
            return
        code = check_resource_code(entry.code)
        if code in seen:
            raise InvalidValue("code", entry.code, "a code written once in the file")
        seen.add(code)
        batch.updates.append((record, dataclasses.replace(entry, code=code)))

    def _add(self, report: ImportReport, problem: Problem) -> None:
        report.problem_count += 1
        if len(report.problems) < self._max_problems:
            report.problems.append(problem)

    def _refuse(self, report: ImportReport, problem: Problem) -> None:
        report.refused += 1
        self._add(report, problem)

    def _check(
        self, sheet: Sheet, record: Record, entry: Resource, report: ImportReport
    ) -> Resource | None:
        """The draft `Cataloguing.check_new` makes of `entry`; None, and a refusal reported,
        when it refuses."""
        try:
            # A malformed 统一社会信用代码 is named as such, before whose entry it would be.
            check_credit_code(entry.provider_code)
            return self._cataloguing.check_new(self._actor, entry)
        except InvalidValue as exc:
            self._refuse(report, problem_of(sheet, record, exc))
        except NotPermitted as exc:
            refusal = InvalidValue(
                "provider_code",
                entry.provider_code,
                f"{self._actor.department_code}, the importing department: {exc}",
            )
            self._refuse(report, problem_of(sheet, record, refusal))
        return None

    async def _run_batch(
        self,
        sheet: Sheet,
        batch: _Batch,
        report: ImportReport,
        write: bool,
        spill: Spill | None,
    ) -> None:
        checked = _Checked()
        for record, entry in batch.new:
            draft = self._check(sheet, record, entry, report)
            if draft is not None:
                checked.new.append((record.row, draft))
        await self._whole_codes(sheet, batch.updates, report, checked)
        if spill is not None:
            spill.keep(checked.new, checked.updates)
        elif write:
            await self._write(checked, report)

    async def _write(self, checked: _Checked, report: ImportReport) -> None:
        self._tally(report, *await self._written(checked))

    async def _written(
        self, checked: _Checked, numbering: asyncio.Lock | None = None
    ) -> tuple[list[Resource], int]:
        """Write a checked batch: the entries created, and how many drafts were updated."""
        created = (
            await self._cataloguing.create_checked(
                self._actor, [d for _, d in checked.new], numbering
            )
            if checked.new
            else []
        )
        for _, current, entry in checked.updates:
            await self._cataloguing.update(self._actor, entry, current.version)
        return created, len(checked.updates)

    @staticmethod
    def _tally(report: ImportReport, created: list[Resource], updated: int) -> None:
        report.created += len(created)
        report.codes += [e.code for e in created][: max(0, 1000 - len(report.codes))]
        report.updated += updated

    async def _write_spilled(self, spill: Spill, report: ImportReport) -> None:
        """The write of an all-or-nothing import: the batches its check pass kept, each
        written as it was checked (no row read or checked twice).

        Two batches are in flight: the next one's Python work (its codes, events, audit
        records and rows) is done while the store writes the one before, so that the process
        and the database each use a core. Batches are tallied in order; should one fail, the
        other is let finish and `ImportInterrupted` says how many entries were written. The
        batches' codes are allocated one batch after the other, in the order of the file
        (`numbering`): two in flight, the second's allocation could otherwise come first."""
        zone = self._store.catalog.zone
        flight: deque[tuple[asyncio.Task[tuple[list[Resource], int]], int]] = deque()
        numbering = asyncio.Lock()

        async def land() -> None:
            task, last_row = flight.popleft()
            try:
                self._tally(report, *await task)
            except Exception as exc:
                for other, _ in flight:  # let the other batch end, counted if written
                    with contextlib.suppress(Exception):
                        self._tally(report, *await other)
                flight.clear()
                raise ImportInterrupted(report.written, exc) from exc
            if self._progress is not None:
                self._progress(last_row, self._total_rows, "write")

        try:
            for new, updates in spill.batches():
                checked = _Checked(
                    [(row, recall_checked(draft, zone)) for row, draft in new], updates
                )
                rows = [row for row, _ in checked.new] + [row for row, _, _ in checked.updates]
                if len(flight) >= 2:
                    await land()
                task = asyncio.ensure_future(self._written(checked, numbering))
                flight.append((task, max(rows, default=0)))
            while flight:
                await land()
        finally:  # cancelled, or the spill unreadable: no batch goes on writing unawaited
            for task, _ in flight:
                task.cancel()

    async def _whole_codes(
        self,
        sheet: Sheet,
        rows: list[tuple[Record, Resource]],
        report: ImportReport,
        checked: _Checked,
    ) -> None:
        """The rows naming a whole code: a DRAFT of the department held here is replaced; a
        code held by no entry here is a new entry brought with its code (kept if free);
        others are refused."""
        if not rows:
            return
        held = await self._store.get_many([e.code for _, e in rows])
        own = self._store.catalog.id
        brought: list[tuple[Record, Resource]] = []
        for record, entry in rows:
            current = held.get(entry.code)
            if current is None:
                draft = self._check(sheet, record, entry, report)
                if draft is not None:
                    brought.append((record, draft))
                continue
            accepted = (
                "a 前段码 alone for a new entry (the catalog allocates its 后段码), a code held "
                "by no entry here (an entry brought with its code), or the code of a DRAFT "
                f"entry of {self._actor.department_code} in this catalog"
            )
            if current.origin != own or current.provider_code != self._actor.department_code:
                refusal = InvalidValue("code", entry.code, accepted)
                self._refuse(report, problem_of(sheet, record, refusal))
                continue
            if current.state is not LifecycleState.DRAFT:
                refusal = InvalidValue(
                    "code",
                    entry.code,
                    f"{accepted}; {entry.code} is {current.state.value}: revise it to DRAFT first "
                    "(Sichuan 第十条: changes are reviewed)",
                )
                self._refuse(report, problem_of(sheet, record, refusal))
                continue
            replacing = dataclasses.replace(
                current, **{name: getattr(entry, name) for name in _CONTENT}
            )
            front = entry.code.split("/", 1)[0]
            new = dataclasses.replace(replacing, code=front, published_on=None)
            if self._check(sheet, record, new, report) is not None:
                checked.updates.append((record.row, current, replacing))
        await self._brought_codes(sheet, brought, report, checked)

    async def _brought_codes(
        self,
        sheet: Sheet,
        brought: list[tuple[Record, Resource]],
        report: ImportReport,
        checked: _Checked,
    ) -> None:
        """Keep the entries brought with a code free here (`CatalogStore.free_codes`: held by
        no entry, never redacted, never allocated here); refuse the others."""
        if not brought:
            return
        taken = set(await self._store.free_codes([d.code for _, d in brought]))
        for record, draft in brought:
            if draft.code in taken:
                refusal = InvalidValue("code", draft.code, code_not_free(draft.code))
                self._refuse(report, problem_of(sheet, record, refusal))
                continue
            checked.new.append((record.row, draft))
        checked.new.sort(key=lambda pair: pair[0])
