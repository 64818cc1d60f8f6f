"""Small example data sets shipped with mlekit, each with its provenance.

>>> import mlekit as mk
>>> mk.datasets.coin().sum(), mk.datasets.coin().size
(7, 10)
>>> mk.datasets.names()
['ab_test', 'coin', 'defects', 'five_points', 'gaussian', 'lightbulbs', 'portpirie']

=============  ==========================================================  =================
name           what                                                        loader returns
=============  ==========================================================  =================
coin           a weighted coin: 7 heads in 10 flips (1 = heads)            int array
five_points    five measurements [2.3, 1.9, 2.5, 2.8, 1.7]             float array
gaussian       a simulated normal sample: mean 5, sd 2, n 100              float array
defects        defects per machine and shift (over-dispersed counts)       DataFrame
ab_test        visitors and conversions per variant of an A/B test         DataFrame
lightbulbs     lifetimes in hours, bulbs still burning are right-censored  DataFrame or Data
portpirie      annual maximum sea levels (m), Port Pirie, 1923-1987        DataFrame
=============  ==========================================================  =================

``describe(name)`` returns the provenance record (source, how it was made, columns, licence);
``path(name)`` the CSV file (for the command line: ``mlekit fit mlekit:lightbulbs ...``).
Generated sets are reproduced by ``python -m mlekit.datasets._generate``.
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from .._data.data import Data

__all__ = ["names", "describe", "path", "load", "coin", "five_points", "gaussian", "defects",
           "ab_test", "lightbulbs", "portpirie"]


@lru_cache(maxsize=1)
def _provenance() -> dict[str, Any]:
    text = resources.files(__name__).joinpath("provenance.json").read_text(encoding="utf-8")
    prov: dict[str, Any] = json.loads(text)
    return prov


def names() -> list[str]:
    """The names of the built-in data sets."""
    return sorted(_provenance())


def _check(name: str) -> str:
    key = name.strip().lower().replace("-", "_")
    if key not in _provenance():
        raise DataError(f"dataset must be one of {', '.join(names())}; got {name!r}.")
    return key


def describe(name: str) -> dict[str, Any]:
    """Provenance of a data set: title, source, how it was made, columns, licence."""
    return dict(_provenance()[_check(name)])


def path(name: str) -> Path:
    """The CSV file holding a data set."""
    key = _check(name)
    return Path(str(resources.files(__name__).joinpath(f"{key}.csv")))


def _columns(name: str) -> dict[str, list[str]]:
    with path(name).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], rows[1:]
    return {h: [r[i] for r in body] for i, h in enumerate(head)}


def load(name: str) -> pd.DataFrame:
    """Any data set as a pandas DataFrame."""
    import pandas as pd

    return pd.read_csv(path(name))


def coin() -> np.ndarray:
    """A weighted coin: 10 flips, 7 heads (1 = heads). Fit with ``"bernoulli"``."""
    return np.array(_columns("coin")["heads"], dtype=np.int64)


def five_points() -> np.ndarray:
    """Five measurements ``[2.3, 1.9, 2.5, 2.8, 1.7]``."""
    return np.array(_columns("five_points")["x"], dtype=float)


def gaussian() -> np.ndarray:
    """A simulated normal sample: ``np.random.seed(42); np.random.normal(5, 2, 100)``."""
    return np.array(_columns("gaussian")["x"], dtype=float)


def defects() -> pd.DataFrame:
    """Defects per machine and shift: columns ``machine``, ``day``, ``shift``, ``defects``."""
    return load("defects")


def ab_test() -> pd.DataFrame:
    """An A/B test: columns ``variant``, ``visitors``, ``conversions``."""
    return load("ab_test")


def lightbulbs(as_data: bool = False) -> pd.DataFrame | Data:
    """Lightbulb lifetimes: columns ``bulb``, ``hours``, ``failed`` (0 = still burning).

    With ``as_data=True``: an :class:`mlekit.Data` with the running bulbs right-censored.
    """
    df = load("lightbulbs")
    if not as_data:
        return df
    from .._data.data import Data

    return Data.right_censored(df["hours"], observed=df["failed"].astype(bool), name="hours")


def portpirie() -> pd.DataFrame:
    """Annual maximum sea levels at Port Pirie, South Australia, 1923-1987: columns ``year``,
    ``sea_level`` (metres). Coles (2001)'s first example; fit with ``"gev"``."""
    return load("portpirie")
