"""The garbage collector of a serving process: its pauses recorded, and tuned once it has
started its instances.

**Recording.** A `PauseRecorder` adds one callback to `gc.callbacks` and keeps, for each
generation (0, 1, 2), how many collections ran, their total and longest pause and a histogram
of their pauses (`PAUSE_BUCKETS`). The callback runs inside every collection of the process,
so it does as little as it can: a clock read at the start, at the stop a few integer and float
updates in lists made beforehand — no dict, no object, no logging. Collections never overlap
(the interpreter runs one at a time, whatever the thread), so one start time suffices.
`process_pauses()` is the process's recorder, started at its first use and kept for the life
of the process: the pauses are the process's, every instance's /metrics shows the same
figures (`federation.metrics.GcCollector`).

**Tuning** (`settle_after_start`, once per process — a second call does nothing): where a
process has started its instances (`federation.runtime.Runtime`, `mulu serve`).

- What start-up built — modules, GraphQL schemas, caches opened with the stores — lives as
  long as the process. A full collection then traverses it again and again: with 62 instances
  in one process each full collection paused it for most of a second. The start-up heap is
  collected once, then frozen (`gc.freeze`): moved to the permanent generation, which no
  collection traverses. A frozen object is still freed when its last reference goes; only a
  reference cycle among frozen objects is never collected.
- Generation 0 is collected every `YOUNG_THRESHOLD` allocations instead of 700: a sync batch
  (up to 2,000 decoded events, tens of containers each) is otherwise collected dozens of times
  while it is written, and what survives is promoted to the old generations, whose growth
  sets off the full collections. A young collection then takes longer, and cyclic garbage
  waits a little longer to be freed. How much longer grows faster than the threshold: on one
  instance answering GraphQL (detail requests at 80 a second over the 1M store), a young
  collection took 2 ms at 5,000, 6 ms at 10,000, 19 ms at 20,000 and 42 ms (up to 76) at
  50,000 — and every request waiting meanwhile waited as long: p99 14 ms at 5,000 and 10,000,
  21–25 ms at 20,000, 44–84 ms at 50,000 (bench/README.md, fourteenth session). 10,000 keeps
  an answer's tail short and a sync batch's young objects mostly out of the old generations.

Measured with bench/national_bench.py (62 instances, 2,000 entries carried to the nation),
the busy phase's collections paused the process 2.9 s in 18.5 s (two full ones, the longest
1.17 s); with each consumer letting go of its batches and the start-up heap frozen, 2.0 s in
14.8 s (five full ones, the longest 0.29 s); with a young threshold of 50,000 as well, 0.21 s
in 14.2 s (four young ones, no full one); with 10,000 (`YOUNG_THRESHOLD`), 0.37–0.48 s in
9.7–14.3 s (about 28 young ones and 3 of generation 1, the longest 78–93 ms; no full one).
Neither part is a setting: neither costs a server anything it would weigh.

    recorder = process_pauses()
    recorder.figures()[2].count            # full collections so far
    settle_after_start()                   # once the process's instances have started
"""

from __future__ import annotations

import gc
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PAUSE_BUCKETS",
    "YOUNG_THRESHOLD",
    "GenerationPauses",
    "PauseRecorder",
    "process_pauses",
    "settle_after_start",
]

# Upper bounds of the pause histogram's buckets, in seconds (+Inf beyond the last).
PAUSE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# Allocations (net of deallocations) of tracked objects between two young collections.
YOUNG_THRESHOLD = 10_000
_GENERATIONS = 3


@dataclass(frozen=True, slots=True)
class GenerationPauses:
    """The collections of one generation: how many, their pauses' total and longest
    (seconds), and how many pauses fell in each bucket of `PAUSE_BUCKETS` (the last: +Inf)."""

    generation: int
    count: int
    total: float
    longest: float
    buckets: tuple[int, ...]


class PauseRecorder:
    """The pauses of every garbage collection while it records (`start` to `stop`)."""

    def __init__(self) -> None:
        self._count = [0] * _GENERATIONS
        self._total = [0.0] * _GENERATIONS
        self._longest = [0.0] * _GENERATIONS
        self._buckets = [[0] * (len(PAUSE_BUCKETS) + 1) for _ in range(_GENERATIONS)]
        self._started = 0.0

    @property
    def recording(self) -> bool:
        return self._on_collection in gc.callbacks

    def start(self) -> PauseRecorder:
        if not self.recording:
            gc.callbacks.append(self._on_collection)
        return self

    def stop(self) -> None:
        """Stop recording; harmless when not recording. The figures stay."""
        if self.recording:
            gc.callbacks.remove(self._on_collection)

    def __enter__(self) -> PauseRecorder:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def figures(self) -> tuple[GenerationPauses, ...]:
        """Each generation's figures so far, generation 0 first."""
        return tuple(
            GenerationPauses(
                g, self._count[g], self._total[g], self._longest[g], tuple(self._buckets[g])
            )
            for g in range(_GENERATIONS)
        )

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        g = info["generation"]
        self._count[g] += 1
        self._total[g] += pause
        if pause > self._longest[g]:
            self._longest[g] = pause
        self._buckets[g][bisect_left(PAUSE_BUCKETS, pause)] += 1


_process_recorder: PauseRecorder | None = None
_settled = False
_lock = threading.Lock()


def process_pauses() -> PauseRecorder:
    """The process's recorder, recording from its first call on."""
    global _process_recorder
    with _lock:
        if _process_recorder is None:
            _process_recorder = PauseRecorder().start()
        return _process_recorder


def settle_after_start(young_threshold: int = YOUNG_THRESHOLD) -> bool:
    """Tune the collector for a long-running server (module docstring): collect, freeze what
    start-up built, collect the young generation every `young_threshold` allocations. Once per
    process: True when this call did it."""
    global _settled
    with _lock:
        if _settled:
            return False
        _settled = True
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
    return True
