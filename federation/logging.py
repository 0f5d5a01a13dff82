"""Structured logs: one JSON object per line, with the fields a call passes in `extra`.

configure_logging("INFO")
logging.getLogger("mulu.http").info("request", extra={"path": "/graphql", "status": 200})
→ {"time": "2026-03-01T09:30:00.123+00:00", "level": "INFO", "logger": "mulu.http",
   "message": "request", "path": "/graphql", "status": 200}

While a server is down its clients fail again and again: the same warning from the same place
(one logger, one message, one link end) passes `RepeatFilter` once per `REPEAT_SECONDS`, the
next that passes counting how many were held back (``"repeated": 412``). aiokafka's own
records lose their tracebacks: its message names the failure, and a traceback per reconnection
attempt buried the one line that said why (a refused password) under thousands.

With `path`, the lines go to that file (appended to, never truncated: a restart keeps the
log of the crash before it), rotated at `max_bytes` with `backups` old files kept.

A topology run in several processes has one log: each child writes its lines to stderr, and
the parent writes them to its own handlers as they are (`relay_json_line`), so that only the
parent's file is ever rotated.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "REPEAT_SECONDS",
    "JsonFormatter",
    "RepeatFilter",
    "configure_logging",
    "relay_json_line",
]

REPEAT_SECONDS = 60.0

# Attributes every LogRecord has; anything else on a record came from `extra`.
# uvicorn adds `color_message`, the same text with terminal colours: noise in JSON.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        relayed = getattr(record, "json_line", None)
        if isinstance(relayed, str):  # made by another process (`relay_json_line`)
            return relayed
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((k, v) for k, v in record.__dict__.items() if k not in _STANDARD)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RepeatFilter(logging.Filter):
    """Let a warning or error through once per `seconds` for each (logger, message, link,
    side); the next one through carries ``repeated``, how many were held back. Records below
    WARNING always pass."""

    def __init__(self, seconds: float = REPEAT_SECONDS) -> None:
        super().__init__()
        self.seconds = seconds
        self._last: dict[tuple[object, ...], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("aiokafka") and record.exc_info:
            exc = record.exc_info[1]
            said = f" ({type(exc).__name__}: {exc})".replace("%", "%%")
            record.msg = f"{record.msg}{said}"
            record.exc_info = None
        if record.levelno < logging.WARNING:
            return True
        key = (
            record.name,
            record.msg,
            getattr(record, "link", None),
            getattr(record, "side", None),
        )
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last[0] < self.seconds:
            self._last[key] = (last[0], last[1] + 1)
            return False
        if last is not None and last[1]:
            record.repeated = last[1]
        if len(self._last) > 10_000:  # bounded: keys carry link ids, never request data
            self._last.clear()
        self._last[key] = (now, 0)
        return True


def configure_logging(
    level: str = "INFO",
    *,
    path: Path | None = None,
    max_bytes: int = 50 * 1024 * 1024,
    backups: int = 5,
) -> None:
    """Send every logger (uvicorn's too) as JSON lines at `level` to stderr, or appended to
    `path`, rotated (see the module docstring); repeated warnings are held back."""
    handler: logging.Handler
    if path is None:
        handler = logging.StreamHandler(sys.stderr)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, mode="a", maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RepeatFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def relay_json_line(line: str) -> bool:
    """Write `line`, a JSON log line another process of this run made (already filtered
    there), to this process's handlers unchanged; False when it is not one."""
    try:
        entry = json.loads(line)
    except ValueError:
        return False
    if not isinstance(entry, dict) or not isinstance(entry.get("level"), str):
        return False
    level: object = logging.getLevelName(entry["level"])  # a number for a level's name
    record = logging.makeLogRecord(
        {
            "name": str(entry.get("logger", "")),
            "levelno": level if isinstance(level, int) else logging.INFO,
            "levelname": entry["level"],
            "msg": str(entry.get("message", "")),
            "json_line": line,
        }
    )
    for handler in logging.getLogger().handlers:
        if record.levelno >= handler.level:
            handler.acquire()
            try:
                handler.emit(record)  # not `handle`: the child's own filters have passed it
            finally:
                handler.release()
    return True
