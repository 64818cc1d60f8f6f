"""Exact derivatives of a user's log-likelihood with JAX (optional extra ``jax``).

A model function written with ``jax.numpy`` (or with :mod:`mlekit.logpdf`, which follows its
arguments' array type) is compiled once per data shape with ``jax.jit`` in float64, and its
value, gradient and Hessian with respect to the parameter vector come from JAX's automatic
differentiation — no step sizes, no truncation error.

JAX is imported only here, and only when such a model is fitted. Importing it switches JAX to
64-bit floats (``jax_enable_x64``): statistics in float32 are not good enough for standard
errors.
"""

from __future__ import annotations

import importlib.util
import inspect
import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .checks import require

__all__ = ["jax_available", "uses_jax", "JaxDerivs", "require_jax"]

_COMPILED: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def jax_available() -> bool:
    return importlib.util.find_spec("jax") is not None


def require_jax() -> Any:
    jax = require("jax", "jax", "exact derivatives need JAX", " (or use diff='numeric').")
    jax.config.update("jax_enable_x64", True)
    return jax


def _is_jax_object(obj: Any) -> bool:
    mod = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
    return isinstance(mod, str) and mod.split(".")[0] in ("jax", "jaxlib")


def _names(code: types.CodeType) -> set[str]:
    out = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out |= _names(c)
    return out


def uses_jax(fn: Callable[..., Any]) -> bool:
    """True when ``fn`` refers to ``jax`` (a module, or a function from one) through its
    globals or closure: it is written with ``jax.numpy`` and can be traced."""
    fn = inspect.unwrap(fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    glb = getattr(fn, "__globals__", {})
    for name in _names(code):
        if name in glb and _is_jax_object(glb[name]):
            return True
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            if _is_jax_object(cell.cell_contents):
                return True
        except ValueError:  # empty cell
            continue
    return False


class JaxDerivs:
    """Value, gradient and Hessian of ``sum(w * fn(**data, **params))`` in the free
    parameters, compiled with ``jax.jit``.

    ``fn`` is called with keyword arguments: the data arrays and every parameter (fixed ones
    as constants). ``per_obs`` says whether ``fn`` returns one value per observation.
    """

    def __init__(self, fn: Callable[..., Any], data: dict[str, Any], names: Sequence[str],
                 free: Sequence[int], fixed_values: dict[str, float], weights: np.ndarray | None,
                 per_obs: bool) -> None:
        jax = require_jax()
        import jax.numpy as jnp

        self._jax = jax
        names = list(names)
        free = list(free)
        fixed_values = dict(fixed_values)
        jdata = {k: jnp.asarray(v) for k, v in data.items()}
        jw = None if weights is None else jnp.asarray(weights, dtype=jnp.float64)

        def per(v: Any, d: dict[str, Any]) -> Any:
            """``fn`` at the free values ``v`` (in order) and the fixed ones, on data ``d``."""
            kw = dict(d)
            j = 0
            for i, p in enumerate(names):
                if i in free:
                    kw[p] = v[j]
                    j += 1
                else:
                    kw[p] = fixed_values[p]
            return fn(**kw)

        def total(v: Any, d: dict[str, Any], w: Any) -> Any:
            out = per(v, d)
            if per_obs:
                return jnp.sum(out) if w is None else jnp.dot(w, out)
            return jnp.sum(out)

        self._data, self._w = jdata, jw
        key = (fn, tuple(names), tuple(free), tuple(sorted(fixed_values.items())), per_obs,
               jw is None)
        if key not in _COMPILED:   # jax.jit caches compilations per shape on these objects
            if len(_COMPILED) >= 32:
                _COMPILED.pop(next(iter(_COMPILED)))
            _COMPILED[key] = (jax.jit(total), jax.jit(jax.value_and_grad(total)),
                              jax.jit(jax.hessian(total)),
                              jax.jit(jax.jacrev(per)) if per_obs else None)
        self._f, self._g, self._h, self._jac = _COMPILED[key]

    def __call__(self, v: np.ndarray, order: int) -> tuple[float, np.ndarray, np.ndarray]:
        k = v.size
        x = self._jax.numpy.asarray(v, dtype=self._jax.numpy.float64)
        if order == 0:
            return float(self._f(x, self._data, self._w)), np.zeros(k), np.zeros((k, k))
        f, g = self._g(x, self._data, self._w)
        H = self._h(x, self._data, self._w) if order >= 2 else np.zeros((k, k))
        return float(f), np.asarray(g, dtype=float), np.asarray(H, dtype=float)

    def scores(self, v: np.ndarray) -> np.ndarray:
        """Per-observation scores, shape ``(n, k_free)``."""
        assert self._jac is not None
        x = self._jax.numpy.asarray(v, dtype=self._jax.numpy.float64)
        return np.asarray(self._jac(x, self._data), dtype=float)
