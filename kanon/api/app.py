"""The HTTP API and the web page of the rewriting assistant.

``create_app(settings, pipeline=None)`` builds the FastAPI application:

- ``GET /health`` (open), ``GET /`` and ``/static/*`` (the web page, open);
- ``POST /v1/assess``: the assessment of a text, or of a text with its
  posting history (a long history answers 202 and a run to poll at
  ``GET /v1/runs/{run_id}``);
- ``POST /v1/rewrite``: grounded abstractions of the riskiest (or the
  chosen) disclosures, each re-scored through the same pipeline;
- ``GET /openapi.json`` and ``GET /docs`` (the interactive docs, served from
  this server: no CDN), both open: the schema holds no secrets, and the docs
  page could not read it otherwise ("Authorize" takes the key for trying calls).

Every route but the open ones needs ``Authorization: Bearer <KANON_API_KEY>``
when a key is set. Errors are ``{"error": {"type", "message"}}``.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kanon.api.admission import Admission
from kanon.api import schemas
from kanon.api.errors import error_response, kanon_error_response, validation_message
from kanon.api.security import AccessLog, ApiKey, BodyLimit, GuardErrors, RateLimit, api_key_of
from kanon.api.service import MAX_HISTORY, Assistant
from records.errors import InputError, KanonError
from flows.settings import Settings

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
API_VERSION = "1"

_bearer = HTTPBearer(auto_error=False, description="The API key (KANON_API_KEY), when the server has one.")


def create_app(settings: Settings, pipeline: Any = None, *, assistant: Assistant | None = None) -> FastAPI:
    """The application. ``pipeline`` (default: built from settings) is the default reasoner's."""
    helper = assistant or Assistant(settings, pipeline)
    from flows.components import LLM_REASONERS
    from reasoners import registry

    runnable = [n for n in registry.reasoners.names() if settings.llm or n not in LLM_REASONERS]

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await anyio.to_thread.run_sync(helper.warm_up)
        yield

    app = FastAPI(
        title="kanon",
        version=API_VERSION,
        description="How many people in the world match everything a text discloses about its author, "
        "which disclosures drive it, and how to rewrite them.",
        docs_url=None,  # FastAPI's own /docs loads its scripts from a CDN: see _mount_docs
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.assistant = helper

    # --- errors --------------------------------------------------------------------------

    @app.exception_handler(KanonError)
    async def _kanon_error(request: Request, e: KanonError) -> JSONResponse:
        return kanon_error_response(e)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, e: RequestValidationError) -> JSONResponse:
        status, type_, message = validation_message(list(e.errors()))
        return error_response(status, type_, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> JSONResponse:
        names = {404: "not_found", 405: "method_not_allowed"}
        message = e.detail if isinstance(e.detail, str) else "request refused"
        return error_response(e.status_code, names.get(e.status_code, "http_error"), message, getattr(e, "headers", None))

    # --- routes --------------------------------------------------------------------------

    @app.get("/health", tags=["meta"], response_model=schemas.Health)
    async def health() -> dict[str, Any]:
        """Liveness, and the pipeline version answering. No key needed.

        On the event loop, taking no lock and no worker thread: it answers while
        every thread is busy with assessments."""
        return {"status": "ok", "pipeline": helper.ready_version()}

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _mount_docs(app)

    work_errors = schemas.responses_for(400, 401, 413, 422, 429, 503)

    @app.post(
        "/v1/assess", tags=["assess"], dependencies=[Depends(_bearer)],
        responses={200: {"model": schemas.Assessment, "description": "The assessment"},
                   202: {"model": schemas.RunAccepted, "description": "A long history: poll the run"},
                   **work_errors},
    )
    def assess(body: schemas.AssessRequest) -> JSONResponse:
        """Disclosures, attributes, the network's factors, k with its interval, the risk level
        with its thresholds, and risk by disclosure (k without it, and the factor)."""
        text = _checked(helper, body.text)
        if body.history:
            if body.store:
                raise InputError("store is supported for single texts, not histories")
            posts = helper.history_posts(text, body.history)
            if len(posts) > helper.history_sync_max:
                run = helper.start_history(posts, body.reasoner)
                url = f"/v1/runs/{run.run_id}"
                return JSONResponse(
                    schemas.RunAccepted(run_id=run.run_id, status="pending", poll_url=url, runner=run.runner).model_dump(),
                    status_code=202, headers={"Location": url},
                )
            return JSONResponse(helper.assess_history(posts, body.reasoner))
        return JSONResponse(helper.assess(text, body.reasoner, store=body.store))

    @app.get("/v1/runs/{run_id}", tags=["assess"], dependencies=[Depends(_bearer)],
             responses=schemas.responses_for(401, 404, 429))
    def run_status(run_id: str) -> schemas.RunStatus:
        """A history run: pending, running, then done with its assessment (or failed with a reason).
        A finished run's texts and result are deleted once it is read."""
        return schemas.RunStatus(**helper.run_status(run_id))

    @app.post("/v1/rewrite", tags=["rewrite"], dependencies=[Depends(_bearer)],
              responses={200: {"model": schemas.Rewrites, "description": "Rewrites, best first"}, **work_errors,
                         **schemas.responses_for(404)})
    def rewrite(body: schemas.RewriteRequest) -> JSONResponse:
        """For each chosen disclosure (default: the riskiest), up to three grounded abstractions
        and a removal, each with the k of the rewritten text, best first."""
        text = _checked(helper, body.text)
        return JSONResponse(helper.rewrite(text, body.span_ids, body.reasoner))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            app.openapi_schema = schemas.with_server_limits(
                doc, max_chars=settings.max_text_chars, max_history=MAX_HISTORY, reasoners=runnable)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    # --- guards (outermost last) -----------------------------------------------------------

    key = api_key_of(settings)
    app.add_middleware(Admission, max_in_flight=settings.api_max_in_flight)
    app.add_middleware(RateLimit, per_minute=settings.api_rate_limit_per_minute, keyed=bool(key))
    app.add_middleware(ApiKey, key=key, failed_per_minute=settings.api_failed_auth_per_minute)
    app.add_middleware(BodyLimit, max_bytes=settings.api_max_body_bytes)
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.api_cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    app.add_middleware(AccessLog)
    app.add_middleware(GuardErrors)
    return app


def _checked(helper: Assistant, text: str) -> str:
    from records.text import check_text

    return check_text(text, helper.pipeline().max_chars)


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the files ``fastapi-offline`` ships (a server may have no internet)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    import fastapi_offline

    assets = Path(fastapi_offline.__file__).resolve().parent / "static"
    app.mount("/docs-static", StaticFiles(directory=assets), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json",
            title="kanon API",
            swagger_js_url=f"{root}/docs-static/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs-static/swagger-ui.css",
            swagger_favicon_url=f"{root}/static/favicon.svg",
        )
