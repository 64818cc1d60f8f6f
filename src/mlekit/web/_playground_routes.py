"""The playground's JSON endpoints (``/api/playground/...``): request models and routes.

The computations are in :mod:`mlekit.web._playground`. Bounded work: at most
``MAX_POINTS`` points, a surface of at most ``MAX_GRID`` ² cells; a fit (with its profile
intervals) runs in the worker pool, an evaluation (one log-likelihood, one curve) in a thread.
Nothing a request sends is evaluated as code: family names are looked up in the registry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, FiniteFloat

from ._errors import WebError
from ._jobs import Workers
from ._playground import (
    MAX_GRID,
    MAX_POINTS,
    evaluate,
    family_setup,
    fit_playground,
    surface,
    trials_families,
)

__all__ = ["playground_routes"]

Kind = Literal["e", "r", "l"]
Name = Annotated[str, Field(min_length=1, max_length=40)]
Range = Annotated[tuple[FiniteFloat, FiniteFloat], Field(description="[low, high]")]


class Points(BaseModel):
    model_config = ConfigDict(extra="forbid")
    family: Name = Field(description="a family name from GET /api/families, e.g. 'weibull'")
    x: list[FiniteFloat] = Field(default_factory=list, max_length=MAX_POINTS,
                                 description=f"the points (at most {MAX_POINTS})")
    kinds: list[Kind] | None = Field(
        None, max_length=MAX_POINTS, description="per point: 'e' seen exactly, 'r' right-"
        "censored (still running at x), 'l' left-censored (below the detection limit x)")
    trials: int | None = Field(None, ge=1, le=100_000,
                               description="number of trials n (binomial, beta_binomial)")


class EvalRequest(Points):
    params: dict[Name, FiniteFloat] = Field(description="a value for every parameter")
    xrange: Range | None = Field(None, description="x range of the density curve")


class SurfaceRequest(Points):
    params: dict[Name, FiniteFloat] = Field(description="values of the parameters held fixed")
    px: Name = Field(description="the parameter on the horizontal axis")
    py: Name = Field(description="the parameter on the vertical axis")
    xrange: Range
    yrange: Range
    n: int = Field(31, ge=3, le=MAX_GRID, description="grid points per axis")


class PlaygroundFitRequest(Points):
    param: Name | None = Field(None, description="the parameter whose profile is drawn")
    derived: Literal["mean", "median", "quantile", "sf"] = "mean"
    at: FiniteFloat | None = Field(None, description="the probability of 'quantile', the time "
                                                     "t of 'sf'")
    level: float = Field(0.95, gt=0.5, lt=1)


class SetupRequest(Points):
    keep: bool = Field(False, description="keep the points even when no clean fit exists "
                                          "(a shared link); else an example replaces them")


def _check_kinds(req: Points) -> None:
    if req.kinds is not None and len(req.kinds) != len(req.x):
        raise WebError(422, f"kinds must have one entry per point ({len(req.x)}); got "
                       f"{len(req.kinds)}.", "ValidationError")


AwaitFit = Callable[[Workers, Any, dict[str, Any]], Awaitable[dict[str, Any]]]


def playground_routes(app: FastAPI, workers: Workers, await_fit: AwaitFit) -> None:
    """Add the playground's endpoints; ``await_fit`` runs a payload function in the worker
    pool and raises the 4xx/5xx its error asks for."""
    from ._compute import json_safe

    @app.get("/api/playground/families", tags=["playground"],
             summary="what the playground needs to know of the families before a setup")
    async def pg_families() -> dict[str, list[str]]:
        # trials: the families that need the number of trials n (declared by the family
        # classes, KnownTrials), so the page sends "trials" for them and no other
        return {"trials": trials_families()}

    @app.post("/api/playground/eval", tags=["playground"],
              summary="log-likelihood, per-point terms and density curve at given parameters")
    async def pg_eval(req: EvalRequest) -> JSONResponse:
        _check_kinds(req)
        out = await run_in_threadpool(evaluate, req.family, dict(req.params), list(req.x),
                                      req.kinds, req.trials, req.xrange)
        return JSONResponse(json_safe(out))

    @app.post("/api/playground/surface", tags=["playground"],
              summary="the log-likelihood over a grid of two parameters")
    async def pg_surface(req: SurfaceRequest) -> JSONResponse:
        _check_kinds(req)
        out = await run_in_threadpool(surface, req.family, dict(req.params), list(req.x),
                                      req.kinds, req.trials, req.px, req.py, req.xrange,
                                      req.yrange, req.n)
        return JSONResponse(json_safe(out))

    @app.post("/api/playground/fit", tags=["playground"],
              summary="mk.fit on the points: estimates, Wald and profile intervals, a derived "
                      "quantity, slider ranges and the Python code")
    async def pg_fit(req: PlaygroundFitRequest) -> JSONResponse:
        _check_kinds(req)
        return JSONResponse(await await_fit(workers, fit_playground, req.model_dump()))

    @app.post("/api/playground/setup", tags=["playground"],
              summary="a family's parameters, domains, points to start from and slider ranges")
    async def pg_setup(req: SetupRequest) -> JSONResponse:
        _check_kinds(req)
        return JSONResponse(await await_fit(workers, family_setup, req.model_dump()))
