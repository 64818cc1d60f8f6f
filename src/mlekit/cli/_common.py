"""What the command line's modules share: the user-error type, the console, the progress bar
and the comma-list splitter (kept out of ``cli/__init__.py`` so that ``render`` and ``demo``
import them without importing the entry module)."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["UserError", "console", "ProgressBar", "split"]


class UserError(Exception):
    """A mistake in the command line itself (reported with exit code 2)."""


def console(stream: Any = None) -> Any:
    """A console sized to the terminal; piped output has no padding (see ``_output``)."""
    from ._output import make_console

    return make_console(stream)


class ProgressBar:
    """A rich progress bar on stderr, shown only in a terminal and without --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: float, total: float | None, desc: str) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from rich.progress import Progress

            self._bar = Progress(transient=True, console=console(sys.stderr))
            self._bar.start()
            self._task = self._bar.add_task(desc, total=total)
        self._bar.update(self._task, completed=done, total=total, description=desc)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def split(items: list[str]) -> list[str]:
    return [p.strip() for item in items for p in item.split(",") if p.strip()]
