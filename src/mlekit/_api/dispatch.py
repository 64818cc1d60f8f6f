"""Routes ``fit`` calls that are not "an in-memory sample and a family": custom models,
grouped fits (``by=``), streamed sources and Dask collections. Each route lives in its own
module and is imported only when used."""

from __future__ import annotations

from typing import Any

__all__ = ["dispatch"]


def dispatch(x: Any, family: Any, **kw: Any) -> Any:
    """Return a result for a special call, or ``NotImplemented`` for the plain path."""
    if getattr(x, "_mlekit_model", False):
        from .._models.custom import fit_model

        return fit_model(x, **kw)
    if kw.get("by") is not None:
        from .._scale.grouped.fit import fit_grouped

        return fit_grouped(x, family, **kw)
    kw.pop("by", None)
    if getattr(x, "_mlekit_source", False):
        from .._scale.stream import fit_source

        return fit_source(x, family, **kw)
    mod = type(x).__module__.split(".")[0]
    if mod == "dask" or kw.get("backend") == "dask":
        from .._scale.dask import fit_dask

        return fit_dask(x, family, **kw)
    return NotImplemented
