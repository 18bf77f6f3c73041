"""`archiver serve`: the review app over output folders, server-rendered, read-only.

Starlette routes each address to one function of `api` (the data) and, for the HTML pages, a
Jinja2 template (autoescaped: every value from a captured page is text, never markup, and is
bidi-isolated with `|v`). Files are served only by capture id and role, as the capture's
manifest lists them, never by a path taken from the request.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from PIL import Image
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from archiver.changes.html_report import STYLE, render_sections
from archiver.errors import ArchiverError
from archiver.evidence.bundle import BundleOptions
from archiver.evidence.verify import VerifyOptions
from archiver.search.index import MARK_END, MARK_START
from archiver.terms import FileRole
from archiver.times import parse_iso, utc_iso
from archiver.versions import __version__
from archiver.web import api
from archiver.web.bundles import MAX_BUNDLED, Verdicts, make_bundle
from archiver.web.catalog import Catalog
from archiver.web.replay import ReplayOrigin
from archiver.web.security import Guarded

STATIC = Path(__file__).parent / "static"
THUMB_WIDTH = 320
THUMBS_KEPT = 256


@dataclass
class AppContext:
    catalog: Catalog
    replay: ReplayOrigin | None
    bundle_options: BundleOptions
    verdicts: Verdicts


def _isolated(value: Any) -> Markup:
    """A value from a captured page, escaped and bidi-isolated (a U+202E stays inside it)."""
    if value is None or value == "":
        return Markup("")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return Markup("<bdi>") + escape(str(value)) + Markup("</bdi>")


def _snippet(value: str) -> Markup:
    """A search snippet: escaped, with the index's markers (which no page text holds) as <mark>."""
    return Markup(str(escape(value)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("archiver.web", "templates"), autoescape=select_autoescape(default=True))
    env.filters["v"] = _isolated
    env.filters["snippet"] = _snippet
    env.filters["query"] = lambda values: urlencode({k: v for k, v in values.items() if v not in (None, "")})
    env.filters["epoch"] = lambda value: utc_iso(datetime.fromtimestamp(float(value), UTC)) if value else ""
    env.globals["version"] = __version__
    return env


class Pages:
    """The HTML pages and the API, over one AppContext."""

    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.catalog = context.catalog
        self.env = _environment()
        self._thumbs: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    def html(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(template).render(**values), status_code=status)

    # -- pages ---------------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return self.html("home.html", data=await _run(api.home, self.catalog))

    async def articles(self, request: Request) -> Response:
        return self.html("articles.html", data=await _run(api.articles, self.catalog, dict(request.query_params)))

    async def article(self, request: Request) -> Response:
        data = await _run(api.article, self.catalog, request.path_params["page_id"])
        return self.html("article.html", data=data, strip=_strip(data["captures"]))

    async def capture(self, request: Request) -> Response:
        return self.html("capture.html", data=await _run(api.capture, self.catalog, request.path_params["capture_id"]))

    async def diff(self, request: Request) -> Response:
        old, new = request.query_params.get("old", ""), request.query_params.get("new", "")
        comparison = await _run(api.comparison, self.catalog, old, new)
        body = await _run(render_sections, comparison)
        headline = comparison.new.fields.get("headline") or comparison.old.fields.get("headline")
        return self.html("diff.html", comparison=comparison, report=Markup(body), headline=headline)

    async def replay(self, request: Request) -> Response:
        data = await _run(api.capture, self.catalog, request.path_params["capture_id"])
        replay = self.context.replay
        address = None
        if replay is not None and data["replayable"]:
            timestamp = "".join(ch for ch in data["started_at"] if ch.isdigit())[:14]
            address = replay.address(data["capture_id"], data["final_url"], timestamp)
        problem = replay.problem if replay is not None else "replay is off (--no-replay)"
        return self.html("replay.html", data=data, address=address, problem=problem)

    async def search(self, request: Request) -> Response:
        return self.html("search.html", data=await _run(api.search, self.catalog, dict(request.query_params)))

    async def runs(self, request: Request) -> Response:
        return self.html("runs.html", data=await _run(api.runs, self.catalog))

    async def run(self, request: Request) -> Response:
        return self.html("run.html", data=await _run(api.run, self.catalog, request.path_params["run_id"]))

    async def bundles(self, request: Request) -> Response:
        dropped = await _run(self.context.verdicts.all)
        return self.html("bundles.html", bundles=[bundle.to_dict() for bundle in dropped])

    async def events(self, request: Request) -> Response:
        return self.html("events.html", data=await _run(api.events, self.catalog, dict(request.query_params)))

    # -- files -------------------------------------------------------------------------------------

    async def file(self, request: Request) -> Response:
        capture_id, role = request.path_params["capture_id"], request.path_params["role"]
        if role == "thumbnail":
            return await self.thumbnail(capture_id)
        found = self.catalog.find(capture_id)
        media_type = api.SERVED_ROLES.get(FileRole(role)) if role in tuple(FileRole) else None
        path = found.page.file(FileRole(role)) if found is not None and media_type else None
        if path is None:
            return _not_found()
        disposition = "attachment" if role == FileRole.DOM else "inline"
        return FileResponse(path, media_type=media_type, content_disposition_type=disposition,
                            filename=f"{capture_id}-{path.name}")  # fmt: skip

    async def thumbnail(self, capture_id: str) -> Response:
        key = (capture_id, "viewport")
        if key not in self._thumbs:
            found = self.catalog.find(capture_id)
            path = found.page.file(FileRole.VIEWPORT) if found else None
            data = await _run(_thumbnail, path) if path else None
            if data is None:
                return _not_found()
            self._thumbs[key] = data
            while len(self._thumbs) > THUMBS_KEPT:
                self._thumbs.popitem(last=False)
        return Response(self._thumbs[key], media_type="image/jpeg")

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name == "report.css":  # the change report's own style, kept inside the report's box
            return Response(STYLE.replace("body{", ".report{"), media_type="text/css")
        if not re.fullmatch(r"[a-z]+\.css", name) or not (STATIC / name).is_file():
            return _not_found()
        return FileResponse(STATIC / name, media_type="text/css")

    async def bundle(self, request: Request) -> Response:
        params = dict(request.query_params)
        if params.get("article"):
            ids = [row.capture_id for row in self.catalog.captures_of(params["article"]) if row.state != "failed"]
            name = f"archiver-article-{params['article']}.wacz"
        elif params.get("q"):
            query = params["q"].strip()[: api.MAX_QUERY]
            hits = await _run(self.catalog.search, query, api.filters_from(params), MAX_BUNDLED)
            ids = [hit.capture.capture_id for hit in hits if hit.capture.state != "failed"]
            name = "archiver-search.wacz"
        else:
            ids = []
        if not ids:
            return _not_found("nothing to bundle")
        made = await _run(make_bundle, self.catalog, ids, self.context.bundle_options, name)
        return FileResponse(made.path, media_type="application/wacz", filename=name,
                            background=BackgroundTask(made.folder.cleanup))  # fmt: skip

    # -- the API -----------------------------------------------------------------------------------

    def json_route(self, function: Callable[..., Any], *names: str) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            arguments = [request.path_params[name] for name in names]
            if not names:
                arguments = [dict(request.query_params)]
            return JSONResponse(await _run(function, self.catalog, *arguments))

        return endpoint

    async def api_diff(self, request: Request) -> Response:
        data = await _run(api.diff, self.catalog, request.query_params.get("old", ""),
                          request.query_params.get("new", ""))  # fmt: skip
        return JSONResponse(data)

    async def api_home(self, request: Request) -> Response:
        return JSONResponse(await _run(api.home, self.catalog))


async def _run(function: Callable[..., Any], *arguments: Any) -> Any:
    """The app's reading (SQLite, manifests, trafilatura, Pillow) off the event loop."""
    return await asyncio.to_thread(function, *arguments)


def _thumbnail(path: Path) -> bytes | None:
    try:
        with Image.open(path) as opened:
            image = opened.convert("RGB")
        image.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 4))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
    except (OSError, ValueError):
        return None
    return out.getvalue()


def _not_found(text: str = "not found") -> Response:
    return Response(text + "\n", status_code=404, media_type="text/plain")


def _strip(captures: list[dict[str, Any]], width: int = 900) -> list[dict[str, Any]]:
    """Where each capture sits on the timeline strip (x in pixels, by its time)."""
    times = [parse_iso(c["captured_at"]).timestamp() for c in captures]
    first, last = min(times), max(times)
    span = (last - first) or 1.0
    margin = 12
    return [
        {**c, "x": margin + round((t - first) / span * (width - 2 * margin)) if last > first else width // 2}
        for c, t in zip(captures, times, strict=True)
    ]


async def _expected(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, api.NotFound) else 400
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": str(exc)}, status_code=status)
    pages: Pages = request.app.state.pages
    return pages.html("error.html", status=status, message=str(exc))


def build_app(context: AppContext, token: str | None = None) -> Guarded:
    pages = Pages(context)
    routes = [
        Route("/", pages.home),
        Route("/articles", pages.articles),
        Route("/articles/{page_id}", pages.article),
        Route("/captures/{capture_id}", pages.capture),
        Route("/captures/{capture_id}/replay", pages.replay),
        Route("/diff", pages.diff),
        Route("/search", pages.search),
        Route("/runs", pages.runs),
        Route("/runs/{run_id}", pages.run),
        Route("/bundles", pages.bundles),
        Route("/bundle", pages.bundle),
        Route("/events", pages.events),
        Route("/files/{capture_id}/{role}", pages.file),
        Route("/static/{name}", pages.static),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api", pages.api_home),
        Route("/api/articles", pages.json_route(api.articles)),
        Route("/api/articles/{page_id}", pages.json_route(api.article, "page_id")),
        Route("/api/captures/{capture_id}", pages.json_route(api.capture, "capture_id")),
        Route("/api/diff", pages.api_diff),
        Route("/api/search", pages.json_route(api.search)),
        Route("/api/events", pages.json_route(api.events)),
        Route("/api/runs", pages.json_route(lambda catalog, params: api.runs(catalog))),
        Route("/api/runs/{run_id}", pages.json_route(api.run, "run_id")),
    ]
    app = Starlette(routes=routes, exception_handlers={ArchiverError: _expected})
    app.state.pages = pages
    return Guarded(app, token, context.replay.origin if context.replay else None)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ServeSettings:
    folders: list[Path]
    host: str = "127.0.0.1"
    port: int = 8300
    token: str | None = None
    replay: bool = True
    replay_port: int = 0
    bundle_options: BundleOptions | None = None


def serve(settings: ServeSettings, ready: Callable[[str, str | None], None] = lambda app, replay: None) -> None:
    """Serve until interrupted: the catalog indexes in the background, so new captures appear."""
    import uvicorn

    if settings.host not in LOOPBACK and not settings.token:
        raise ArchiverError(f"--host {settings.host} opens the app beyond this machine: give --token or --token-file")
    catalog = Catalog(settings.folders)
    catalog.start()
    replay = ReplayOrigin(catalog, settings.replay_port) if settings.replay else None
    try:
        if replay is not None:
            replay.__enter__()
        context = AppContext(catalog, replay, settings.bundle_options or BundleOptions(),
                             Verdicts(settings.folders, VerifyOptions()))  # fmt: skip
        app = build_app(context, settings.token)
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
        server = uvicorn.Server(config)
        address = f"http://{settings.host}:{settings.port}/"
        ready(address + (f"?token={settings.token}" if settings.token else ""), replay.origin if replay else None)
        server.run()
    finally:
        if replay is not None:
            replay.__exit__()
        catalog.stop()
