"""Errors and warnings raised by mlekit.

The hierarchy is small and flat::

    MlekitError                         base class of every mlekit exception
    ├── DataError(ValueError)           the data cannot be used as given
    ├── ParameterError(ValueError)      a parameter name, value, start or fixed value is wrong
    ├── FamilyError(TypeError)          unknown family, or a family that cannot do what was asked
    ├── NotFoundError(KeyError)         a key that a result does not hold (``cmp["x"]``, ``g[7]``)
    └── ConvergenceError(RuntimeError)  the optimiser failed and ``strict=True`` was set

    MlekitWarning(UserWarning)          base class of every mlekit warning
    ├── ConvergenceWarning              the optimiser stopped before convergence
    ├── BoundaryWarning                 an estimate sits on the edge of its domain
    └── NumericalWarning                a numerical problem (singular information, overflow...)

Messages follow one shape: what was expected; what was got; a hint on what to try.
"""

from __future__ import annotations

__all__ = [
    "MlekitError",
    "DataError",
    "ParameterError",
    "FamilyError",
    "NotFoundError",
    "ConvergenceError",
    "MlekitWarning",
    "ConvergenceWarning",
    "BoundaryWarning",
    "NumericalWarning",
]


class MlekitError(Exception):
    """Base class of every exception raised by mlekit."""


class DataError(MlekitError, ValueError):
    """The data cannot be used as given (NaN, out of support, empty, bad weights...)."""


class ParameterError(MlekitError, ValueError):
    """A parameter name or value is wrong (unknown name, outside its domain...)."""


class FamilyError(MlekitError, TypeError):
    """An unknown family, or a family that cannot do what was asked of it."""


class NotFoundError(MlekitError, KeyError):
    """A key that a result does not hold: a family not in a comparison, a group not in a
    grouped fit, a test not in a goodness-of-fit result."""

    def __str__(self) -> str:  # KeyError quotes its message; this one is a sentence
        return str(self.args[0]) if self.args else ""


class ConvergenceError(MlekitError, RuntimeError):
    """The optimiser did not converge and ``strict=True`` asked for an exception."""


class MlekitWarning(UserWarning):
    """Base class of every warning issued by mlekit."""


class ConvergenceWarning(MlekitWarning):
    """The optimiser stopped before meeting its convergence criteria."""


class BoundaryWarning(MlekitWarning):
    """An estimate lies on (or numerically at) the boundary of its domain."""


class NumericalWarning(MlekitWarning):
    """A numerical problem: singular information matrix, overflow, loss of precision."""
