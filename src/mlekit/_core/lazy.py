"""Modules imported on first use: ``scipy.stats`` costs ~0.3 s to import and an in-memory fit
never needs it (it serves ``Family.scipy``, quantiles and inference), so the families and the
modules a plain ``mk.fit`` imports reach it through :data:`scipy_stats`."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LazyModule", "scipy_stats"]


class LazyModule:
    """A stand-in for a module, imported at the first attribute access."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


#: ``scipy.stats``, imported when first used.
scipy_stats: Any = LazyModule("scipy.stats")
