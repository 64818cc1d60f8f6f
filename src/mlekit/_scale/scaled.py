"""Chunked sources read at another magnitude: the chunks (and the source's truncation bounds)
multiplied by an exact power of two, for streamed fits at extreme magnitudes
(:mod:`mlekit._fit.rescale`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._data.data import Data


class ScaledChunks:
    """Chunks read multiplied by ``factor`` (an exact power of two): what a fit at an extreme
    magnitude passes over (:mod:`mlekit._fit.rescale`)."""

    def __init__(self, chunks: Any, factor: float) -> None:
        self.chunks, self.factor = chunks, factor

    @property
    def passes(self) -> int:
        return int(self.chunks.passes)

    def _scale(self, d: Any) -> Any:
        return None if d is None else d.scaled(self.factor)

    def collect(self) -> list[Data]:
        return [self._scale(d) for d in self.chunks.collect()]

    def map_list(self, fn: Callable[[Data, Any], Any], args: list[Any] | None = None
                 ) -> list[Any]:
        return list(self.chunks.map_list(lambda d, a: fn(self._scale(d), a), args))

    def map_reduce(self, fn: Callable[[Data], Any], label: str,
                   on_batch: Callable[[Any, int, int, str], Any] | None = None) -> Any:
        ob = None if on_batch is None else (
            lambda d, miss, bad, w: on_batch(self._scale(d), miss, bad, w))
        return self.chunks.map_reduce(lambda d: fn(self._scale(d)), label, on_batch=ob)


class ScaledSource:
    """A source whose truncation bounds are multiplied by ``factor`` (the rest as it is)."""

    def __init__(self, source: Any, factor: float) -> None:
        self._source, self._factor = source, factor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    @property
    def truncation(self) -> Any:
        t = self._source.truncation
        if t is None:
            return None
        return tuple(None if b is None else float(b) * self._factor for b in t)
