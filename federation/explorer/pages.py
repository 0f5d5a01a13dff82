"""The explorer's routes: the page at ``/``, its scripts and style sheets, and the GraphiQL page.

Every file comes from the package (`static/`; ECharts from `federation.reports`' `static/`,
where the yearly report inlines it — one copy). The HTML pages carry a Content-Security-Policy
that lets the browser load and connect to this instance alone: a script that tried to reach
another address would be refused by the browser itself.
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from federation.dev_identity import believes_dev_headers
from federation.explorer.labels import page_labels

__all__ = ["CONTENT_SECURITY_POLICY", "explorer_routes", "graphiql_response"]

# 'unsafe-inline' styles: cytoscape, ECharts and GraphiQL set style attributes; scripts and
# connections stay on this instance ('self' includes its own ws: for GraphiQL's subscriptions).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}


def _static(name: str) -> str:
    return files("federation.explorer").joinpath("static", name).read_text("utf-8")


@functools.cache
def _index_html(development_headers: bool) -> str:
    # JSON inside <script type="application/json">: "<" escaped so no text can close the tag.
    labels = json.dumps(page_labels(), ensure_ascii=False).replace("<", "\\u003c")
    # What the page must know before its first request: whether this instance believes the
    # development identity headers (never under TLS) — the page sends them only then.
    instance = json.dumps({"developmentHeaders": development_headers})
    return _static("index.html").replace("{{labels}}", labels).replace("{{instance}}", instance)


async def _index(request: Request) -> Response:
    instance = getattr(request.state, "instance", None)
    development = instance is not None and believes_dev_headers(instance.settings)
    return HTMLResponse(_index_html(development), headers=_HEADERS)


def graphiql_response() -> HTMLResponse:
    """GraphiQL, loading React and GraphiQL from this instance (`static/vendor/`)."""
    return HTMLResponse(_static("graphiql.html"), headers=_HEADERS)


def explorer_routes() -> list[BaseRoute]:
    """``/`` and the static files under ``/explorer/``, to add to an instance's routes."""
    return [
        Route("/", _index, methods=["GET"]),
        Mount(
            "/explorer/static",
            StaticFiles(packages=[("federation.explorer", "static")]),
            name="explorer-static",
        ),
        Mount(
            "/explorer/echarts",
            StaticFiles(packages=[("federation.reports", "static")]),
            name="explorer-echarts",
        ),
    ]
