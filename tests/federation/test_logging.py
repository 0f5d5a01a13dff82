"""The log while a server is down: the same warning of one link end passes once a minute with
a count of those held back, aiokafka's without a traceback; the file is appended to and
rotated."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from federation.logging import JsonFormatter, RepeatFilter, configure_logging, relay_json_line


def record(name: str, message: str, **extra: object) -> logging.LogRecord:
    made = logging.makeLogRecord({"name": name, "msg": message, "levelno": logging.WARNING})
    made.levelname = "WARNING"
    made.__dict__.update(extra)
    return made


def test_a_repeated_warning_passes_once_per_interval_with_a_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr("federation.logging.time.monotonic", lambda: now[0])
    repeat = RepeatFilter(seconds=60)
    failed = "sync link failed; retrying"
    passed = []
    for _ in range(1000):  # a link retrying several times a second for a minute
        passed.append(repeat.filter(record("mulu.sync.worker", failed, link="a", side="relay")))
        now[0] += 0.05
    assert passed.count(True) == 1
    # Another link end's failure is its own line.
    assert repeat.filter(record("mulu.sync.worker", failed, link="b", side="relay"))
    now[0] += 60
    again = record("mulu.sync.worker", failed, link="a", side="relay")
    assert repeat.filter(again)
    assert again.repeated == 999  # type: ignore[attr-defined]


def test_aiokafka_records_lose_their_traceback() -> None:
    try:
        raise ConnectionRefusedError("connect call failed ('127.0.0.1', 9092)")
    except ConnectionRefusedError as exc:
        made = record("aiokafka.conn", "Unable connect to %r", exc_info=(type(exc), exc, None))
        made.args = ("127.0.0.1:9092",)
    assert RepeatFilter().filter(made)
    line = json.loads(JsonFormatter().format(made))
    assert "exception" not in line
    assert line["message"] == (
        "Unable connect to '127.0.0.1:9092' (ConnectionRefusedError: connect call failed "
        "('127.0.0.1', 9092))"
    )


def test_the_log_file_is_appended_to_and_rotated(tmp_path: Path) -> None:
    path = tmp_path / "mulu-up.log"
    path.write_text('{"message": "the run before"}\n', encoding="utf-8")
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        configure_logging("INFO", path=path, max_bytes=2000, backups=2)
        logging.getLogger("mulu.test").info("the run after")
        text = path.read_text(encoding="utf-8")
        assert text.startswith('{"message": "the run before"}\n')
        assert '"message": "the run after"' in text
        for n in range(100):
            logging.getLogger("mulu.test").info("line %d", n)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], level = kept
        root.setLevel(level)
    rotated = sorted(p.name for p in tmp_path.iterdir())
    assert rotated == ["mulu-up.log", "mulu-up.log.1", "mulu-up.log.2"]
    assert "line 99" in path.read_text(encoding="utf-8")


def test_a_child_process_s_json_lines_are_written_to_the_parent_s_log_as_they_are(
    tmp_path: Path,
) -> None:
    """`mulu up --processes`: the children write to stderr, the parent to its one file; a
    child's line is neither wrapped again nor held back by the parent's own filter."""
    path = tmp_path / "mulu-up.log"
    child = {"time": "t", "level": "WARNING", "logger": "mulu.sync", "message": "link failed"}
    line = json.dumps(child, ensure_ascii=False)
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        configure_logging("INFO", path=path)
        assert all(relay_json_line(line) for _ in range(3))  # one child's repeats, passed there
        assert not relay_json_line("mulu up: instance 510000/intranet cannot serve GraphQL")
        assert not relay_json_line('["not", "a", "record"]')
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], level = kept
        root.setLevel(level)
    assert path.read_text(encoding="utf-8").splitlines() == [line] * 3
