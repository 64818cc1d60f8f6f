"""Design matrices for :func:`mlekit.regress`: formulas (formulaic; a formula that is a sum of
numeric columns is built directly) or plain ``y=``/``X=`` matrices, on the rows every formula
keeps, with the specs that rebuild them on new data (``RegressionResult.predict``)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .._core.checks import name_list
from .._data.data import as_float_array
from ..errors import DataError, ParameterError

__all__ = ["Designs"]


def _frame(data: Any) -> Any:
    import pandas as pd

    try:
        df = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    except (TypeError, ValueError) as exc:
        raise DataError(f"data must be a DataFrame or a dict of equal-length columns; got a "
                        f"{type(data).__name__} pandas cannot read as one ({exc}).") from None
    dup = df.columns[df.columns.duplicated()]
    if len(dup):
        raise DataError(f"data has duplicate column names ({', '.join(map(str, dup.unique()))}); "
                        "a formula cannot tell them apart. Hint: rename or drop the copies.")
    idx = df.index
    if isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1:
        return df       # rows are already positions
    return df.reset_index(drop=True)


class _Mat:
    """A model matrix on the kept rows: values, column names, row positions, and the spec that
    rebuilds it on new data (``spec.get_model_matrix(df, na_action=...)``)."""

    def __init__(self, values: np.ndarray, cols: list[str], index: np.ndarray, spec: Any) -> None:
        self.values, self.cols, self.index, self.spec = values, cols, index, spec

    def take(self, keep: np.ndarray) -> np.ndarray:
        if keep.shape == self.index.shape and np.array_equal(keep, self.index):
            return self.values
        return self.values[np.searchsorted(self.index, keep)]


class _SimpleSpec:
    """The spec of a formula that is a sum of numeric columns (no formulaic needed)."""

    def __init__(self, terms: list[str], intercept: bool) -> None:
        self.terms, self.intercept = terms, intercept
        self.cols = (["Intercept"] if intercept else []) + terms

    def get_model_matrix(self, df: Any, na_action: str = "raise") -> np.ndarray:
        cols = [np.asarray(df[t], dtype=float) for t in self.terms]
        n = len(df)
        return np.column_stack(([np.ones(n)] if self.intercept else []) + cols) if self.cols \
            else np.zeros((n, 0))


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _simple(side: str, df: Any) -> _SimpleSpec | None:
    """A spec for ``a + b + c`` (optionally ``1``, ``0``/``- 1``) of numeric columns, else None."""
    text = side.replace(" ", "")
    intercept = True
    if text.endswith("-1"):
        text, intercept = text[:-2], False
    terms = [t for t in text.split("+") if t] if text else []
    out = []
    for t in terms:
        if t == "1":
            continue
        if t == "0":
            intercept = False
            continue
        if not _IDENT.match(t) or t not in df.columns or t in out:
            return None
        kind = df[t].dtype.kind
        if kind not in "fiub":
            return None
        out.append(t)
    return _SimpleSpec(out, intercept)


def _matrix(formula: str, df: Any, nan_policy: str) -> tuple[_Mat | None, _Mat]:
    """(response, design) of ``formula`` on the rows kept by ``nan_policy``."""
    lhs_text, rhs_text = formula.split("~", 1)
    lhs_name = lhs_text.strip()
    rspec = _simple(rhs_text, df)
    if rspec is not None and (not lhs_name or (_IDENT.match(lhs_name) and lhs_name in df.columns
                                                and df[lhs_name].dtype.kind in "fiub")):
        X = rspec.get_model_matrix(df)
        y = np.asarray(df[lhs_name], dtype=float) if lhs_name else None
        bad = np.isnan(X).any(axis=1) if X.size else np.zeros(len(df), dtype=bool)
        if y is not None:
            bad |= np.isnan(y)
        idx = np.arange(len(df))
        if bad.any():
            if nan_policy == "raise":
                raise DataError(f"the data have missing values in the formula's columns "
                                f"({int(bad.sum())} rows). Hint: pass nan_policy='omit' to drop "
                                "those rows.")
            idx, X = idx[~bad], X[~bad]
            y = None if y is None else y[~bad]
        _finite(X, "the covariates", idx)
        if y is not None:
            _finite(y, "the response", idx)
        ym = None if y is None else _Mat(y[:, None], [lhs_name], idx, None)
        return ym, _Mat(X, rspec.cols, idx, rspec)
    try:
        from formulaic import model_matrix
    except ImportError:
        raise ImportError("formulas need formulaic: pip install 'mlekit[regression]' (or pass "
                          "y= and X= design matrices).") from None
    try:
        mm = model_matrix(formula, df, na_action="raise" if nan_policy == "raise" else "drop")
    except Exception as exc:  # formulaic raises several private error types
        text = str(exc)
        missing = [c for c in _names_in(formula) if c not in df.columns]
        if missing:
            raise DataError(
                f"the formula names columns that are not in the data: {', '.join(missing)}; "
                f"available: {name_list(df.columns)}.") from None
        if "missing" in text.lower() or "nan" in text.lower() or "null" in text.lower():
            raise DataError(f"the data have missing values in the formula's columns ({text}). "
                            "Hint: pass nan_policy='omit' to drop those rows.") from None
        raise DataError(f"the formula {formula!r} could not be evaluated: {text}") from None
    lhs, rhs = (mm.lhs, mm.rhs) if hasattr(mm, "rhs") else (None, mm)
    idx = np.asarray(rhs.index, dtype=np.intp)
    ym = None
    if lhs is not None:
        if lhs.shape[1] != 1:
            raise DataError(f"the formula must have one response on the left of '~'; got "
                            f"{lhs.shape[1]} columns.")
        ym = _Mat(_finite(_real(lhs, "the response"), "the response", idx),
                  [str(lhs.columns[0])], idx, None)
    return ym, _Mat(_finite(_real(rhs, "the covariates"), "the covariates", idx),
                    [str(c) for c in rhs.columns], idx, rhs.model_spec)


def _finite(a: np.ndarray, what: str, idx: np.ndarray) -> np.ndarray:
    """``a`` (rows of the formula's matrix, data rows ``idx``), or a DataError when it holds an
    infinity (missing values were handled by ``nan_policy`` before)."""
    inf = np.isinf(a)
    if inf.any():
        rows = inf.reshape(len(a), -1).any(axis=1)
        k = int(rows.sum())
        raise DataError(f"{what} must be finite; got infinite values in {k} row{'s' * (k != 1)} "
                        f"(first at data row {int(idx[np.flatnonzero(rows)[0]])}). Hint: drop or "
                        "cap those rows (nan_policy='omit' drops missing values only).")
    return a


def _real(m: Any, what: str) -> np.ndarray:
    """A model matrix as floats; complex values are a DataError (numpy would drop the
    imaginary part with a ComplexWarning)."""
    a = np.asarray(m)
    if a.dtype.kind == "c":
        raise DataError(f"{what} must be real numbers; got complex values. Hint: take .real, "
                        ".imag or abs() of the column first.")
    return np.asarray(a, dtype=float)


def _check_formula(formula: Any, what: str) -> None:
    if not isinstance(formula, str) or "~" not in formula:
        raise ParameterError(f"{what} must be a string such as 'y ~ x1 + x2'; got {formula!r}.")


class Designs:
    """The response, the main design and the extra formulas' designs on the kept rows."""

    def __init__(self, formula: str | None, data: Any, y: Any, X: Any, nan_policy: str,
                 formulas: dict[str, str], censor_cols: bool) -> None:
        self.extra: dict[str, tuple[np.ndarray, list[str], Any]] = {}
        self.spec: Any = None
        self.y: np.ndarray | None
        self.n_total: int
        if formula is None:
            if formulas:
                raise ParameterError("formulas= needs a main formula and data=.")
            self.y, self.X, self.cols, self.yname, self.rows = _plain(y, X, nan_policy)
            self.n_total = int(np.asarray(y).shape[0])
            return
        _check_formula(formula, "formula")
        if data is None:
            raise DataError("a formula needs data=, a data frame (or dict of columns).")
        df = _frame(data)
        self.n_total = len(df)
        lhs_text, rhs_text = formula.split("~", 1)
        if censor_cols:   # lower=/upper= give the response: the left side only names it
            lhs, rhs = None, _matrix("~" + rhs_text, df, nan_policy)[1]
            self.yname = lhs_text.strip() or "y"
        else:
            lhs, rhs = _matrix(formula, df, nan_policy)
            if lhs is None:
                raise DataError("the formula must have one response on the left of '~'; got 0 "
                                "columns.")
            self.yname = lhs.cols[0]
        keep = rhs.index
        extra_mm = {}
        for name, f in formulas.items():
            _check_formula(f, f"formulas[{name!r}]")
            if f.split("~", 1)[0].strip():
                raise ParameterError(f"formulas[{name!r}] has only a right-hand side, such as "
                                     f"'~ batch'; got {f!r}.")
            m = _matrix(f, df, nan_policy)[1]
            extra_mm[name] = m
            keep = keep[np.isin(keep, m.index)]
        self.rows = keep
        self.spec = rhs.spec
        self.X = rhs.take(keep)
        self.cols = list(rhs.cols)
        self.y = None if lhs is None else lhs.take(keep)[:, 0]
        for name, m in extra_mm.items():
            self.extra[name] = (m.take(keep), [f"{name}:{c}" for c in m.cols], m.spec)


def _plain(y: Any, X: Any, nan_policy: str
           ) -> tuple[np.ndarray, np.ndarray, list[str], str, np.ndarray]:
    if y is None or X is None:
        raise ParameterError("regress needs a formula and data=, or y= and X= (a design matrix).")
    yv = as_float_array(y, "y")
    names: list[str]
    try:
        Xm = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"X must be a numeric design matrix; got values of type "
                        f"{np.asarray(X).dtype}. Hint: encode categories as 0/1 columns, or "
                        "use a formula.") from None
    if hasattr(X, "columns"):
        names = [str(c) for c in X.columns]
    else:
        if Xm.ndim == 1:
            Xm = Xm[:, None]
        names = [f"x{j + 1}" for j in range(Xm.shape[1])]
    if Xm.ndim != 2 or Xm.shape[0] != yv.shape[0]:
        raise DataError(f"X must be a matrix with one row per response value ({yv.shape[0]}); got "
                        f"shape {Xm.shape}.")
    bad = ~np.isfinite(yv) | ~np.all(np.isfinite(Xm), axis=1)
    rows = np.arange(yv.shape[0])
    if bad.any():
        if nan_policy != "omit":
            raise DataError(f"y and X must be finite; got {int(bad.sum())} rows with NaN/inf (first "
                            f"at index {int(np.flatnonzero(bad)[0])}). Hint: nan_policy='omit'.")
        yv, Xm, rows = yv[~bad], Xm[~bad], rows[~bad]
    return yv, Xm, names, "y", rows


def _names_in(formula: str) -> list[str]:
    out = []
    for tok in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", formula):
        if tok not in ("C", "I", "np", "log", "exp", "center", "scale", "poly", "bs", "Q") \
                and tok not in out:
            out.append(tok)
    return out
