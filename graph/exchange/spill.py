"""The batches an all-or-nothing import has checked, kept on disk until it writes them.

An import checks the whole file before it writes any of it, and should neither hold 100,000
checked drafts in memory meanwhile nor read, parse and check the file a second time: each batch
it checked goes to an unnamed temporary file (`tempfile.TemporaryFile`, which no other process
can open) and comes back for the write. Entries are kept as the snapshot JSON every store
keeps them in (`graph.snapshot`; four times faster both ways than pickling the model's slotted
dataclasses), read back without being remembered (`graph.snapshot.resource_read_once`: each
is read once). The importer tells `graph.rules` that an entry read back is checked already
(`graph.rules.recall_checked`): it is the value this process checked.

    with Spill() as spill:
        spill.keep(new, updates)
        for new, updates in spill.batches(): ...
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator, Sequence

from graph.model import Resource
from graph.snapshot import resource_read_once, resource_to_json

__all__ = ["Spill"]

New = list[tuple[int, Resource]]
Updates = list[tuple[int, Resource, Resource]]


class Spill:
    """A temporary file of batches — new drafts by row, and (held, replacing) drafts by row —
    written in order and read back in order. One line an entry (JSON holds no raw newline or
    tab), a blank line after each batch."""

    def __init__(self) -> None:
        self._file: io.TextIOWrapper | None = None
        self._pending: list[str] = []  # the batch's new drafts added one at a time

    def __enter__(self) -> Spill:
        raw = tempfile.TemporaryFile(prefix="mulu-import-")
        self._file = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def add(self, row: int, draft: Resource) -> None:
        """Keep the new draft of `row` now, as one line of text, in the batch `keep` ends: an
        import so holds no checked entry (nor its row's cells) until the end of its batch."""
        self._pending.append(f"N\t{row}\t{resource_to_json(draft)}\n")

    def keep(
        self, new: Sequence[tuple[int, Resource]], updates: Sequence[tuple[int, Resource, Resource]]
    ) -> None:
        """End a batch: the drafts `add`ed since the last, `new` and `updates`."""
        assert self._file is not None, "a Spill is used inside its with block"
        lines, self._pending = self._pending, []
        lines += [f"N\t{row}\t{resource_to_json(draft)}\n" for row, draft in new]
        lines += [
            f"U\t{row}\t{resource_to_json(held)}\t{resource_to_json(draft)}\n"
            for row, held, draft in updates
        ]
        self._file.write("".join(lines) + "\n")

    def batches(self) -> Iterator[tuple[New, Updates]]:
        """Each batch kept, in order; a batch's new drafts in the order of their rows."""
        assert self._file is not None, "a Spill is used inside its with block"
        self._file.flush()
        self._file.seek(0)
        new: New = []
        updates: Updates = []
        pending = False  # lines read past the last batch's end
        for line in self._file:
            if line == "\n":
                new.sort(key=_row)
                yield new, updates
                new, updates, pending = [], [], False
                continue
            pending = True
            if not line.endswith("\n"):
                break
            kind, row, *entries = line[:-1].split("\t")
            if kind == "N":
                new.append((int(row), resource_read_once(entries[0])))
            else:
                held, draft = (resource_read_once(text) for text in entries)
                updates.append((int(row), held, draft))
        if pending:
            raise OSError("the import's temporary file ends inside a batch: nothing is written")


def _row(pair: tuple[int, Resource]) -> int:
    return pair[0]
