"""The sum-over-chunks engine.

Everything the estimators need — sufficient statistics, or (loglik, score, Hessian) at a
parameter value — is a sum over observations. ``map_reduce`` maps a function over chunks
and adds the results in chunk order, on a thread pool when there are several chunks (NumPy
releases the GIL). The chunking does not depend on the number of threads, so threaded and
single-threaded answers are identical to the last bit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["map_reduce", "add", "set_threads", "get_threads", "get_pool", "CHUNK_ROWS",
           "in_callers_errstate", "in_batches"]

CHUNK_ROWS = 1 << 18
T = TypeVar("T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_threads: int = max(1, min(os.cpu_count() or 1, 8))


def set_threads(n: int | None) -> None:
    """Set the number of threads for chunk reductions (streamed, chunked and grouped fits).

    Parameters
    ----------
    n
        Threads to use; ``None`` (or 0): one per core, at most 8.

    Examples
    --------
    >>> import mlekit as mk
    >>> mk.set_threads(2)
    >>> mk.get_threads()
    2
    >>> mk.set_threads(None)   # back to one per core (at most 8)
    """
    global _threads, _pool
    with _lock:
        _threads = max(1, int(n)) if n else max(1, min(os.cpu_count() or 1, 8))
        if _pool is not None:
            _pool.shutdown(wait=False)
            _pool = None


def get_threads() -> int:
    """The number of threads chunk reductions use (see :func:`set_threads`).

    Returns
    -------
    int
        The threads of the pool that streamed, chunked and grouped fits reduce chunks on.

    Examples
    --------
    >>> import mlekit as mk
    >>> mk.set_threads(3)
    >>> mk.get_threads()
    3
    >>> mk.set_threads(None)
    """
    return _threads


def get_pool() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_threads, thread_name_prefix="mlekit")
        return _pool


def add(a: Any, b: Any) -> Any:
    """Add two partial results: numbers, arrays, ``Stats`` or tuples of those."""
    if isinstance(a, tuple):
        return tuple(add(x, y) for x, y in zip(a, b))
    return a + b


def in_callers_errstate(fn: Callable[[Any], T]) -> Callable[[Any], T]:
    """``fn`` wrapped to run under the caller's ``np.errstate`` (which is thread-local: pool
    threads would otherwise warn about, e.g., ``log(0)`` that the caller chose to ignore)."""
    import numpy as np

    err = np.geterr()

    def run(item: Any) -> T:
        with np.errstate(**err):
            return fn(item)

    return run


def map_reduce(fn: Callable[[Any], T], chunks: Iterable[Any], threads: int | None = None) -> T:
    """``fn(c0) + fn(c1) + ...`` over ``chunks``, added in order."""
    items = chunks if isinstance(chunks, list) else list(chunks)
    if not items:
        raise ValueError("map_reduce needs at least one chunk")
    nthreads = _threads if threads is None else threads
    if len(items) == 1 or nthreads <= 1:
        parts = [fn(c) for c in items]
    else:
        parts = list(get_pool().map(in_callers_errstate(fn), items))
    total = parts[0]
    for p in parts[1:]:
        total = add(total, p)
    return total


def in_batches(fn: Callable[[Any], T], items: list[Any]) -> list[T]:
    """``[fn(x) for x in items]``, on the thread pool when it has several threads: in two
    batches of consecutive items per thread (a pool task costs ~10 us of the caller's time:
    per batch, not per item; two per thread even out a slow thread)."""
    threads = get_threads()
    if threads <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    size = -(-len(items) // (2 * threads))
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    run = in_callers_errstate(lambda batch: [fn(x) for x in batch])
    return [r for part in get_pool().map(run, batches) for r in part]


# the old private name, still imported by _scale/{stream,grouped/layout,grouped/moments}.py of
# the arch-families branch: the lead drops it after the merge
