"""The mlekit explorer: an interactive page about maximum likelihood, and a place to fit
your own data, served on this machine.

>>> import mlekit.web
>>> mlekit.web.serve()                      # doctest: +SKIP
mlekit explorer running at http://127.0.0.1:53121/  (Ctrl+C to stop)

Entry points:

- :func:`serve` — blocking; what ``mlekit explore [--port N] [--no-browser] [--host H]`` runs.
  Binds 127.0.0.1 on a free port by default; another host warns
  (:class:`ExposedServerWarning`).
- :func:`start` — the same server in a background thread; returns a :class:`Server` with
  ``.url`` and ``.stop()``.
- :func:`create_app` — the FastAPI (ASGI) application itself, e.g. for tests.

The page has three tabs: the playground (it opens on the Gaussian: μ/σ sliders, click to
add points, live likelihood, a contour over (μ, σ), "Jump to MLE"; and any family of
``mk.families()``, censored points, live Wald and profile intervals, state in the link), the
coin (heads/tails, the likelihood curve with the MLE and its 95% interval, the derivation)
and "Your data" (paste or upload CSV/Parquet, fit and compare families, plots, downloads).
The JSON API it uses is described at ``/openapi.json``; see ``docs/web.md``.

Needs the ``web`` extra: ``pip install 'mlekit[web]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ._server import Server

__all__ = ["serve", "start", "create_app", "Server", "ExposedServerWarning"]

_MISSING_HINT = "the explorer needs the web extra: pip install 'mlekit[web]'"


def _require() -> None:
    missing = []
    for mod in ("fastapi", "uvicorn", "plotly"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        raise ImportError(f"{_MISSING_HINT} (missing: {', '.join(missing)}).")


def serve(host: str = "127.0.0.1", port: int = 0, open_browser: bool = True,
          max_upload_mb: float = 200, **options: Any) -> None:
    """Serve the explorer until Ctrl+C (see :func:`mlekit.web._server.serve`)."""
    _require()
    from ._server import serve as _serve

    _serve(host=host, port=port, open_browser=open_browser, max_upload_mb=max_upload_mb, **options)


def start(host: str = "127.0.0.1", port: int = 0, max_upload_mb: float = 200,
          **options: Any) -> Server:
    """Start the explorer in a background thread; returns a :class:`Server` (``.url``,
    ``.stop()``, usable as a context manager)."""
    _require()
    from ._server import start as _start

    return _start(host=host, port=port, max_upload_mb=max_upload_mb, **options)


def create_app(**options: Any) -> FastAPI:
    """The explorer's FastAPI application (options: ``max_upload_mb``, ``fit_workers``,
    ``max_jobs``, ``job_timeout``, ``allowed_hosts``)."""
    _require()
    from ._app import create_app as _create

    return _create(**options)


def __getattr__(name: str) -> Any:
    if name in ("Server", "ExposedServerWarning"):
        from . import _server

        return getattr(_server, name)
    raise AttributeError(f"module 'mlekit.web' has no attribute {name!r}")
