"""The explorer's FastAPI application: the page, its static files and the JSON API.

Every endpoint answers errors as ``{"error": {"type": ..., "message": ...}}`` with a 4xx
status (5xx only for a bug, which is reported and survived). The API is described at
``/openapi.json``; the page uses exactly this API.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

import mlekit as mk

from ..errors import MlekitError
from ._datasets import DatasetStore, column_values, observed_values, parse_text, read_table_file
from ._errors import WebError, error_body
from ._extremes import router as extremes_router
from ._jobs import Workers
from ._jobs import await_fit as _await_fit

__all__ = ["create_app", "LOOPBACK_HOSTS"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_STATIC = Path(str(resources.files("mlekit.web") / "static"))
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")


# ---------------------------------------------------------------------------- request models
class FitRequest(BaseModel):
    """One family fitted to values given inline."""

    model_config = ConfigDict(extra="forbid")
    values: list[float | None] = Field(min_length=1, description="the values; null = missing")
    observed: list[bool | None] | None = Field(
        None, description="per value: true = seen exactly, false = censored (see `censoring`)")
    censoring: Literal["right", "left"] = Field(
        "right", description="right: a censored value is a lower bound; left: an upper bound")
    family: str = Field(description="a family name from GET /api/families, e.g. 'weibull'")
    level: float = Field(0.95, gt=0, lt=1, description="confidence level of the intervals")
    ci: Literal["wald", "wald-log", "profile"] = "wald"
    nan_policy: Literal["omit", "raise"] = Field(
        "omit", description="omit: drop missing values and report how many")
    gof: bool = Field(False, description="also run goodness-of-fit tests (mk.gof: KS, AD, CvM; "
                                         "p-values by parametric bootstrap)")
    n_boot: int = Field(99, ge=0, le=9999, description="bootstrap refits for the GOF p-values")
    seed: int = Field(0, ge=0, description="random seed of the GOF bootstrap (reproducible)")
    plots: bool = Field(False, description="also return the data for the density/QQ/CDF plots")


class PasteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="numbers separated by spaces, commas or new lines, or CSV "
                                  "text with a header row")
    name: str = "pasted"


class JobRequest(BaseModel):
    """Several families fitted and compared: from a stored data set's columns, or inline."""

    model_config = ConfigDict(extra="forbid")
    dataset: str | None = Field(None, description="id from POST /api/datasets")
    column: str | None = Field(None, description="the value column of the data set")
    observed_column: str | None = Field(
        None, description="optional censoring column: 1/true = exact, 0/false = censored")
    upper_column: str | None = Field(
        None, description="interval-censored data: the column of upper bounds (the value column "
                          "then holds the lower bounds; empty = unbounded)")
    weight_column: str | None = Field(None, description="optional column of frequency weights")
    values: list[float | None] | None = Field(None, description="inline values instead of a "
                                                                "data set")
    upper: list[float | None] | None = Field(None, description="inline upper bounds (interval-"
                                                               "censored data)")
    weights: list[float | None] | None = Field(None, description="inline frequency weights")
    observed: list[bool | None] | None = None
    censoring: Literal["right", "left"] = "right"
    families: list[str] | Literal["all"] = Field(
        "all", description="family names, or 'all' for every family whose support fits")
    level: float = Field(0.95, gt=0, lt=1)
    ci: Literal["wald", "wald-log", "profile"] = "profile"
    nan_policy: Literal["omit", "raise"] = "omit"
    gof: bool | None = Field(None, description="goodness-of-fit p-values (Anderson-Darling in the "
                             "table; all tests per fit); null: only for up to 1,000 observations")
    n_boot: int = Field(99, ge=0, le=9999, description="bootstrap refits per family for GOF")
    seed: int = Field(0, ge=0, description="random seed of the GOF bootstrap (reproducible)")


# ---------------------------------------------------------------------------- middleware
def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class _Guard:
    """Host-header check (against DNS rebinding), request size limit, security headers."""

    def __init__(self, app: Any, max_body: int, allowed_hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.max_body = max_body
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def _reject(self, scope: Any, send: Any, status: int, type_: str, message: str) -> None:
        await JSONResponse(error_body(type_, message), status_code=status)(scope, _no_receive, send)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        host = headers.get(b"host", b"").decode("latin-1")
        if self.allowed is not None and _host_name(host) not in self.allowed:
            await self._reject(scope, send, 400, "BadHost", (
                f"this explorer answers requests for {', '.join(sorted(self.allowed))}; got Host "
                f"{host!r}. Hint: open the address the explorer printed at start-up."))
            return
        length = headers.get(b"content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                await self._reject(scope, send, 400, "BadRequest", "Content-Length must be a number.")
                return
            if n > self.max_body:
                await self._reject(scope, send, 413, "TooLarge", _too_large(self.max_body, n))
                return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_body:
                    raise WebError(413, _too_large(self.max_body, seen), "TooLarge")
            return msg

        async def send_headers(msg: Any) -> None:
            if msg["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer"),
                         (b"content-security-policy", _CSP.encode()),
                         (b"x-frame-options", b"DENY")]
                msg = {**msg, "headers": [*msg.get("headers", []), *extra]}
            await send(msg)

        await self.app(scope, limited, send_headers)


async def _no_receive() -> Any:  # pragma: no cover - rejected requests never read the body
    return {"type": "http.disconnect"}


def _too_large(limit: int, got: int) -> str:
    return (f"the request is larger than the explorer's limit of {limit / 1e6:g} MB (got "
            f"{'at least ' if got else ''}{got / 1e6:.1f} MB). Hint: upload a sample, or start the "
            "explorer with a larger limit: mlekit.web.serve(max_upload_mb=...).")


# ---------------------------------------------------------------------------- app
def create_app(*, max_upload_mb: float = 200, fit_workers: int | None = None,
               max_jobs: int | None = None, job_timeout: float = 600.0,
               allowed_hosts: list[str] | tuple[str, ...] | None = LOOPBACK_HOSTS) -> FastAPI:
    """The explorer as an ASGI app (serve it with uvicorn, or mount it in tests).

    ``max_upload_mb`` limits every request body (uploads included). ``fit_workers`` is the
    size of the process pool for quick fits and ``max_jobs`` the number of comparison jobs
    that run at once (both default to the number of CPUs, at most 4). ``job_timeout`` stops a
    job after that many seconds. ``allowed_hosts`` lists the host names the server answers to
    (loopback by default, against DNS rebinding); ``None`` accepts any.
    """
    cpus = min(4, os.cpu_count() or 1)
    workers = Workers(fit_workers or cpus, max_jobs or cpus, job_timeout)
    store = DatasetStore(int(max_upload_mb * 1e6))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        workers.warm_up()
        try:
            yield
        finally:
            await run_in_threadpool(workers.close)
            store.cleanup()

    app = FastAPI(title="mlekit explorer API", version=mk.__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="The JSON API behind the mlekit explorer page: fit one family, "
                              "upload or paste data, and run comparison jobs with progress "
                              "and cancel. Errors are {\"error\": {\"type\", \"message\"}}.")
    app.state.workers = workers
    app.state.store = store
    app.add_middleware(_Guard, max_body=int(max_upload_mb * 1e6),
                       allowed_hosts=None if allowed_hosts is None or "*" in allowed_hosts
                       else tuple(allowed_hosts))
    _handlers(app)
    _routes(app, workers, store)
    app.include_router(extremes_router)
    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> JSONResponse:
        return JSONResponse(error_body(exc.type, exc.message), status_code=exc.status)

    @app.exception_handler(MlekitError)
    async def mlekit_error(request: Request, exc: MlekitError) -> JSONResponse:
        return JSONResponse(error_body(type(exc).__name__, str(exc)), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            got = err.get("input")
            shown = "" if isinstance(got, (dict, list)) or got is None else f" (got {str(got)[:40]!r})"
            parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}{shown}")
        more = f" (and {len(exc.errors()) - 5} more)" if len(exc.errors()) > 5 else ""
        return JSONResponse(error_body("ValidationError", "; ".join(parts) + more + ".",
                                       detail=_jsonable_errors(exc.errors()[:20])),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        cause = exc.__cause__
        if isinstance(cause, WebError):  # e.g. a body over the limit, found while reading it
            return JSONResponse(error_body(cause.type, cause.message), status_code=cause.status)
        names = {404: "NotFound", 405: "MethodNotAllowed", 400: "BadRequest"}
        return JSONResponse(error_body(names.get(exc.status_code, "HTTPError"), str(exc.detail)),
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body("InternalError", f"{type(exc).__name__}: {exc}. This is a "
                                       "bug in the explorer; the server keeps running."),
                            status_code=500)


def _jsonable_errors(errs: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in errs]


def _check_families(names: list[str] | str) -> None:
    if names == "all":
        return
    if not names:
        raise WebError(422, "families must name at least one family, or be 'all'; got none.",
                       "ValidationError")
    for n in names:
        mk.get_family(n)  # FamilyError -> 422 with the list of names


def _routes(app: FastAPI, workers: Workers, store: DatasetStore) -> None:
    from ._compute import fit_payload
    from ._playground_routes import playground_routes

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(_STATIC / "index.html", media_type="text/html")

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    async def plotly_js() -> Response:
        try:
            import plotly
        except ImportError:
            raise WebError(500, "plotly is not installed: pip install 'mlekit[web]'.",
                           "MissingDependency") from None
        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(path, media_type="text/javascript",
                            headers={"cache-control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=_STATIC), name="static")

    @app.get("/api/health", tags=["meta"], summary="liveness and version")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": mk.__version__,
                "max_upload_mb": store.max_upload_bytes / 1e6}

    @app.get("/api/families", tags=["meta"], summary="every family: parameters, support, formula")
    async def families() -> list[dict[str, Any]]:
        return mk.families()

    @app.post("/api/fit", tags=["fit"], summary="fit one family to inline values")
    async def fit(req: FitRequest) -> JSONResponse:
        """The result is ``FitResult.to_dict()`` under ``fit`` (estimates, SEs, intervals,
        loglik, AIC, BIC, diagnostics), plus ``data`` counts, and ``gof`` / ``plots`` when
        asked for."""
        mk.get_family(req.family)
        payload = req.model_dump()
        if req.observed is not None and len(req.observed) != len(req.values):
            raise WebError(422, f"observed must have one entry per value ({len(req.values)}); "
                           f"got {len(req.observed)}.", "ValidationError")
        return JSONResponse(await _await_fit(workers, fit_payload, payload))

    @app.post("/api/datasets", tags=["data"], summary="upload a CSV or Parquet file",
              status_code=201, openapi_extra={"requestBody": {"required": True, "content": {
                  "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                  "text/csv": {"schema": {"type": "string"}}}}})
    async def upload(request: Request,
                     filename: str = Query("data.csv", max_length=255,
                                           description="the file's name (.csv, .parquet)")
                     ) -> dict[str, Any]:
        """Send the file's bytes as the request body (``curl --data-binary @f.csv``). The
        answer lists the columns, which are numeric, and which look like a censoring flag."""
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/"):
            raise WebError(415, "send the file's bytes as the request body (e.g. curl "
                           "--data-binary @data.csv), not as a multipart form.", "UnsupportedMedia")
        path = store.new_upload_path()
        try:
            size = 0
            with open(path, "wb") as fh:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > store.max_upload_bytes:
                        raise WebError(413, _too_large(store.max_upload_bytes, size), "TooLarge")
                    fh.write(chunk)
            if size == 0:
                raise WebError(422, "the upload is empty: no bytes were received.", "EmptyData")
            frame = await run_in_threadpool(read_table_file, path, filename)
        finally:
            path.unlink(missing_ok=True)
        ds = store.add(frame, filename, "upload")
        return await run_in_threadpool(ds.info)

    @app.post("/api/datasets/paste", tags=["data"], summary="numbers or CSV text pasted in the page",
              status_code=201)
    async def paste(req: PasteRequest) -> dict[str, Any]:
        frame = await run_in_threadpool(parse_text, req.text)
        ds = store.add(frame, req.name, "paste")
        return await run_in_threadpool(ds.info)

    @app.get("/api/datasets/{dataset_id}", tags=["data"], summary="a stored data set's columns")
    async def dataset_info(dataset_id: str) -> dict[str, Any]:
        return await run_in_threadpool(store.get(dataset_id).info)

    @app.delete("/api/datasets/{dataset_id}", tags=["data"], summary="forget a data set")
    async def dataset_delete(dataset_id: str) -> dict[str, Any]:
        store.delete(dataset_id)
        return {"deleted": dataset_id}

    @app.post("/api/jobs", tags=["jobs"], status_code=202,
              summary="start fitting and comparing families (poll GET /api/jobs/{id})")
    async def job_start(req: JobRequest) -> JSONResponse:
        """Fits every family, ranks them by AIC (with BIC and goodness-of-fit p-values), and
        for each successful fit returns estimates with intervals and the plot data."""
        _check_families(req.families)
        payload = req.model_dump(exclude={"dataset", "column", "observed_column", "upper_column",
                                          "weight_column"})
        if req.upper_column and req.observed_column:
            raise WebError(422, "choose a censoring column or an upper-bound column, not both.",
                           "ValidationError")
        if req.dataset is not None:
            if req.values is not None:
                raise WebError(422, "give a dataset and column, or values, not both.",
                               "ValidationError")
            if not req.column:
                raise WebError(422, "column is required with a dataset; got none.",
                               "ValidationError")
            frame = store.get(req.dataset).frame
            payload["values"] = await run_in_threadpool(column_values, frame, req.column)
            payload["observed"] = None if not req.observed_column else \
                await run_in_threadpool(observed_values, frame, req.observed_column)
            for key, col in (("upper", req.upper_column), ("weights", req.weight_column)):
                payload[key] = None if not col else \
                    await run_in_threadpool(column_values, frame, col)
        elif req.values is None:
            raise WebError(422, "give a dataset (with column) or values; got neither.",
                           "ValidationError")
        elif req.observed is not None and len(req.observed) != len(req.values):
            raise WebError(422, f"observed must have one entry per value ({len(req.values)}); "
                           f"got {len(req.observed)}.", "ValidationError")
        job = workers.submit_job(payload)
        return JSONResponse(job.view(), status_code=202,
                            headers={"location": f"/api/jobs/{job.id}"})

    playground_routes(app, workers, _await_fit)

    @app.get("/api/jobs/{job_id}", tags=["jobs"], summary="a job's status, progress and result")
    async def job_status(job_id: str) -> dict[str, Any]:
        return workers.get_job(job_id).view()

    @app.delete("/api/jobs/{job_id}", tags=["jobs"], summary="cancel a job (stops its process)")
    async def job_cancel(job_id: str) -> dict[str, Any]:
        return (await run_in_threadpool(workers.cancel_job, job_id)).view()
