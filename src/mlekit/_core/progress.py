"""A small progress bar for long loops (bootstrap, GOF p-values, simulation studies).

The bar is drawn on standard error only when it is a terminal and the loop has already taken
longer than ``delay`` seconds, so short runs, notebooks-without-a-TTY, CI logs and tests stay
silent. ``quiet=True`` never draws; ``quiet=False`` draws even when stderr is not a terminal.
The environment variable ``MLEKIT_QUIET=1`` silences every bar.

>>> with Progress(1000, "bootstrap", quiet=True) as bar:
...     for _ in range(1000):
...         bar.update()
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, Any, TypeVar

__all__ = ["Progress", "progress"]

T = TypeVar("T")


def _enabled(quiet: bool | None, stream: IO[str]) -> bool:
    if quiet is not None:
        return not quiet
    if os.environ.get("MLEKIT_QUIET", "") not in ("", "0"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # closed stream
        return False


def _columns(stream: IO[str]) -> int | None:
    """The terminal's width when ``stream`` is a terminal, else ``None``."""
    try:
        if not stream.isatty():
            return None
        import shutil

        return max(shutil.get_terminal_size((80, 24)).columns, 20)
    except (AttributeError, ValueError, OSError):
        return None


class Progress:
    """A counter that draws ``desc  [#####.....]  k/n  elapsed  eta`` while it runs.

    Parameters
    ----------
    total
        Number of steps expected.
    desc
        A short label.
    quiet
        ``None`` (default): draw only on a terminal; ``True``: never; ``False``: always.
    delay
        Seconds to wait before the first draw (quick loops never show a bar).
    stream
        Where to draw (default ``sys.stderr``).
    """

    def __init__(self, total: int, desc: str = "", *, quiet: bool | None = None,
                 delay: float = 0.5, stream: IO[str] | None = None, width: int = 30) -> None:
        self.total = max(int(total), 0)
        self.desc = desc
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _enabled(quiet, self.stream)
        self.delay = 0.0 if quiet is False else float(delay)
        self.width = width
        self.n = 0
        self._start = time.perf_counter()
        self._last = -1.0
        self._drawn = False

    def update(self, k: int = 1) -> None:
        self.n += k
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._start < self.delay:
            return
        if now - self._last < 0.1 and self.n < self.total:
            return
        self._last = now
        self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = now - self._start
        frac = self.n / self.total if self.total else 1.0
        eta = elapsed * (1 - frac) / frac if frac > 0 else float("nan")
        tail = (f"  {self.n}/{self.total}  {elapsed:5.1f}s"
                + (f"  eta {eta:5.1f}s" if self.n < self.total and eta == eta else ""))
        cols = _columns(self.stream)   # never wider than the terminal: a wrapped bar stays behind
        desc, width = self.desc, self.width
        if cols is not None:
            width = max(0, min(width, cols - 1 - len(desc) - len(tail) - 4))
            if width < 5:
                width = 0
                desc = desc[:max(cols - 1 - len(tail), 0)]
        filled = round(width * min(frac, 1.0))
        bar = f"  [{'#' * filled}{'.' * (width - filled)}]" if width else ""
        line = f"\r{desc}{bar}{tail}"
        if cols is not None:
            line = line[:cols]
        self._len = len(line) - 1
        try:
            self.stream.write(line)
            self.stream.flush()
        except (ValueError, OSError):
            self.enabled = False
            return
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn and _columns(self.stream) is not None:
            try:   # a terminal: the finished bar is wiped, not left behind
                self.stream.write("\r" + " " * getattr(self, "_len", 0) + "\r")
                self.stream.flush()
            except (ValueError, OSError):
                pass
        elif self.enabled and self._drawn:
            self._draw(time.perf_counter())
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (ValueError, OSError):
                pass
        self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def progress(items: Iterable[T], desc: str = "", *, total: int | None = None,
             quiet: bool | None = None, delay: float = 0.5,
             stream: IO[str] | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a progress bar (see :class:`Progress`)."""
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]  # any Sized iterable; TypeError is caught below
        except TypeError:
            total = 0
    with Progress(total, desc, quiet=quiet, delay=delay, stream=stream) as bar:
        for item in items:
            yield item
            bar.update()
