"""The request before GraphQL sees it: a bounded body, a JSON object, and errors as JSON.

A body is counted while it is read, and refused with 413 as soon as it passes
``graphql.max_body_bytes`` (at once when its Content-Length says so); a query string longer
than that gets 414. A body that is not one JSON object — ``"x"``, ``null``, ``3``, a batch
``[…]``, malformed or absurdly nested JSON — gets 400, and so do variables nested deeper than
``graphql.max_variables_depth``. Each answer is a GraphQL-over-HTTP error:

    {"errors": [{"message": "…", "extensions": {"code": "PAYLOAD_TOO_LARGE", "limitBytes": …}}]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cross_web import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BoundedBody", "error_response", "json_depth", "read_json", "request_object"]

_EXAMPLE = '{"query": "{ themes { name } }"}'
_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    414: "URI_TOO_LONG",
}


def error_response(status: int, message: str, **extensions: Any) -> JSONResponse:
    """One GraphQL-over-HTTP error with `status`, coded after it."""
    error = {"message": message, "extensions": {"code": _CODES.get(status, "BAD_REQUEST")}}
    error["extensions"].update(extensions)  # type: ignore[attr-defined]
    return JSONResponse({"errors": [error]}, status_code=status)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def read_json(text: str | bytes, what: str) -> object:
    """`text` parsed as JSON; 400 naming `what` (the body, ``variables``…) when it is not."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, deep nesting
        reason = "it nests too deep" if isinstance(exc, RecursionError) else str(exc)
        raise HTTPException(
            400, f"the {what} is not JSON this endpoint can read: {reason}"
        ) from exc


def request_object(body: str | bytes) -> dict[str, Any]:
    """The request body as the JSON object a GraphQL request is; 400 for anything else (one
    operation per request: batches are not served)."""
    value = read_json(body, "request body")
    if not isinstance(value, dict):
        batch = " (batches are not served: send one operation per request)"
        raise HTTPException(
            400,
            f"a GraphQL request is a JSON object such as {_EXAMPLE}; got {_kind(value)}"
            + (batch if isinstance(value, list) else ""),
        )
    return value


def json_depth(value: object, cap: int) -> int:
    """How many arrays and objects `value` nests, itself included (a scalar: 0), counted up to
    `cap` + 1: past that, how much deeper it goes is not worth the walk."""
    if isinstance(value, dict):
        children: Iterable[object] = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return 0
    deepest = 0
    if cap > 0:
        for child in children:
            if isinstance(child, dict | list):
                deepest = max(deepest, json_depth(child, cap - 1))
                if deepest >= cap:
                    break
    return 1 + deepest


class BoundedBody:
    """Refuses a body over `limit` bytes (413) or a query string over it (414), counting the
    bytes as they arrive; hands the body on to `app` once it is whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.limit:
            message = f"the query string is longer than {self.limit} bytes; send a POST instead"
            await error_response(414, message, limitBytes=self.limit)(scope, receive, send)
            return
        body = await self._read(scope, receive)
        if body is None:
            message = (
                f"the request body is larger than the {self.limit} bytes accepted: at most "
                f"{self.limit} bytes; ask for less at a time"
            )
            await error_response(413, message, limitBytes=self.limit)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is known to be over the limit."""
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
