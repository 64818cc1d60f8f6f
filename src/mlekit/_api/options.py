"""``FitOptions``: the options of one ``mk.fit`` call, checked once by the router
(:mod:`mlekit._api.fit`) before any estimator runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._core.checks import check_maxiter
from ..errors import DataError, ParameterError

__all__ = ["FitOptions"]

COV_KINDS = ("observed", "sandwich")
BACKENDS = (None, "numpy", "dask")
NAN_POLICIES = ("raise", "omit")


@dataclass(frozen=True)
class FitOptions:
    """What ``mk.fit`` was asked for, besides the data and the family.

    ``extra`` holds route-specific options (``quiet=``/``progress=`` for streamed and Dask fits,
    ``diff=``/``n_starts=`` for custom models); each route says which it takes.
    """

    fixed: dict[str, float] | None = None
    start: dict[str, float] | None = None
    weights: Any = None
    nan_policy: str = "raise"
    strict: bool = False
    cov: str = "observed"
    maxiter: int = 200
    method: str = "auto"
    backend: str | None = None
    by: Any = None
    penalty: Any = None
    prior: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.cov not in COV_KINDS:
            raise ParameterError(f"cov must be 'observed' or 'sandwich'; got {self.cov!r}.")
        check_maxiter(self.maxiter)

    # ------------------------------------------------------------------ checks a route asks for
    def check_nan_policy(self) -> None:
        if self.nan_policy not in NAN_POLICIES:
            raise DataError(f"nan_policy must be 'raise' or 'omit'; got {self.nan_policy!r}.")

    def check_backend(self) -> None:
        if self.backend not in BACKENDS:
            raise ParameterError(f"backend must be 'numpy' or 'dask'; got {self.backend!r}.")

    def penalty_spec(self) -> Any:
        """The :class:`~mlekit._fit.penalty.Penalty` of ``penalty=`` / ``prior=`` (or ``None``)."""
        if self.penalty is None and self.prior is None:
            return None
        from .._fit.penalty import make_penalty

        return make_penalty(self.penalty, self.prior)

    def route_extra(self, allowed: tuple[str, ...]) -> dict[str, Any]:
        return {k: v for k, v in self.extra.items() if k in allowed}

    def estimator_kwargs(self) -> dict[str, Any]:
        """The options every estimator takes."""
        return {"fixed": self.fixed, "start": self.start, "strict": self.strict, "cov": self.cov,
                "maxiter": self.maxiter}
