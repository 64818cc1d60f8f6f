"""The skew-normal family (Azzalini) and its global start.

The skew-normal likelihood can have several local maxima in small samples (and its supremum
can be the half-normal limit, ``alpha -> ±inf``). Its ``_start`` therefore *is* a global search:
the profile log-likelihood of ``alpha`` on a fixed grid, where for each ``alpha`` the
maximum over ``(loc, scale)`` is a concave problem (a location-scale family with a log-concave
density is concave in ``(1/scale, loc/scale)``), solved by Newton for all grid points at once.
Every backend (in memory, grouped, streamed) starts its Newton from that start, so they all
end in the same maximum; the start reads only weighted sums of the standardised values (a
row of weight 2 is two rows) and is scale-free. Per-observation derivatives are analytic
(``zeta1(t) = phi(t)/Phi(t)`` through ``log_ndtr``).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import log_ndtr, owens_t

from .._core.domains import Positive, Real
from .._core.lazy import scipy_stats as st
from .base import Derivs, Family, Support, register
from .stats import moments_of

__all__ = ["SkewNormal", "profile_start"]

Theta = tuple[Any, ...]
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG2 = math.log(2.0)
# the profile grid of alpha (symmetric; 0 is the normal); beyond the last point the density is
# the half-normal to within the data's resolution
_ALPHA_GRID = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 12.0, 20.0,
                        35.0, 60.0])
_GRID = np.concatenate((-_ALPHA_GRID[:0:-1], _ALPHA_GRID))
# |alpha| from here: the estimate is the half-normal limit (flagged as a boundary)
ALPHA_LIMIT = 50.0
# the estimate reported at the half-normal limit: far enough that the log-likelihood is the
# limit's to ~1e-4 per value
ALPHA_AT_LIMIT = 1e4
_SUMMARY = 2000      # above this many rows the grid reads this many weighted quantiles


def _zeta(u: Any) -> tuple[Any, Any]:
    """``zeta1(u) = phi(u)/Phi(u)`` and its derivative ``zeta2 = -zeta1 (u + zeta1)``."""
    z1 = np.exp(-0.5 * u * u - _LOG_SQRT_2PI - log_ndtr(u))
    return z1, -z1 * (u + z1)


def _summary(y: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """``y`` itself, or (many rows) its weighted quantiles at ``(j + 1/2)/M``: the same for a
    weight of 2 as for a repeated row."""
    if y.size <= _SUMMARY:
        return y, w
    o = np.argsort(y, kind="stable")
    ys = y[o]
    cw = np.cumsum(np.ones(y.size) if w is None else w[o])
    t = (np.arange(_SUMMARY) + 0.5) / _SUMMARY * cw[-1]
    return ys[np.minimum(np.searchsorted(cw, t, side="left"), y.size - 1)], None


def _profile(y: np.ndarray, w: np.ndarray | None, alphas: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each ``alpha``: the maximum of the log-likelihood over ``(loc, scale)`` of the
    standardised values ``y``, and where it is. Newton on ``(c, d) = (1/scale, loc/scale)``,
    where the log-likelihood ``W log c + sum w h(c y - d)`` is concave."""
    W = float(y.size if w is None else np.sum(w))
    ww = np.ones(y.size) if w is None else w
    a = alphas[:, None]
    dl = np.sqrt(1.0 - 2.0 / math.pi * (alphas / np.sqrt(1.0 + alphas**2)) ** 2)
    c = dl.copy()                                             # 1/omega of the matched moments
    d = -(alphas / np.sqrt(1.0 + alphas**2)) * math.sqrt(2.0 / math.pi)

    def value(c: np.ndarray, d: np.ndarray) -> np.ndarray:
        t = c[:, None] * y - d[:, None]
        h = -0.5 * t * t + log_ndtr(a * t)
        return W * np.log(c) + (h * ww).sum(axis=1)

    f = value(c, d)
    for _ in range(60):
        t = c[:, None] * y - d[:, None]
        z1, z2 = _zeta(a * t)
        h1 = -t + a * z1
        h2 = -1.0 + a * a * z2
        gc = W / c + (h1 * y * ww).sum(axis=1)
        gd = -(h1 * ww).sum(axis=1)
        hcc = -W / c**2 + (h2 * y * y * ww).sum(axis=1)
        hcd = -(h2 * y * ww).sum(axis=1)
        hdd = (h2 * ww).sum(axis=1)
        det = hcc * hdd - hcd * hcd
        sc = -(hdd * gc - hcd * gd) / det
        sd = -(hcc * gd - hcd * gc) / det
        dec = gc * sc + gd * sd
        ok = np.isfinite(sc) & np.isfinite(sd) & (det > 0) & (hcc < 0)
        sc, sd = np.where(ok, sc, 0.0), np.where(ok, sd, 0.0)
        if not np.any(ok & (np.abs(dec) > 1e-13 * (1.0 + np.abs(f)))):
            break
        step = np.ones_like(c)
        for _ in range(40):                                    # backtracking: c stays > 0
            cn, dn = c + step * sc, d + step * sd
            with np.errstate(invalid="ignore", divide="ignore"):
                fn = np.where(cn > 0, value(np.where(cn > 0, cn, 1.0), dn), -np.inf)
            good = fn >= f - 1e-12 * (1.0 + np.abs(f))
            if np.all(good | ~ok):
                break
            step = np.where(good | ~ok, step, 0.5 * step)
        take = ok & good
        c, d, f = np.where(take, cn, c), np.where(take, dn, d), np.where(take, fn, f)
    return f, c, d


def _limit(y: np.ndarray, w: np.ndarray | None, sign: float) -> float:
    """The supremum of the profile as ``alpha -> sign * inf`` (the half-normal limit: the
    location at the smallest value, or the largest for ``-inf``), on the scale of ``_profile``."""
    m = float(np.min(y)) if sign > 0 else float(np.max(y))
    W, _, _ = moments_of(y, w)
    s2 = float(np.average((y - m) ** 2, weights=w))
    return -0.5 * W * math.log(s2) - 0.5 * W if s2 > 0 else -math.inf


def profile_start(x: np.ndarray, w: np.ndarray | None) -> dict[str, float] | None:
    """The global start: the best point of the profile of ``alpha`` on ``_GRID``, refined by
    parabolas through it and its neighbours; when the half-normal limit is higher, the point
    of the profile at ``±ALPHA_AT_LIMIT`` (beyond ``ALPHA_LIMIT``, where Newton stops:
    ``SkewNormal._beyond_limit``).
    None when the values have no spread."""
    W, m, m2 = moments_of(x, w)
    if not (W > 0 and m2 > 0 and math.isfinite(m2)):
        return None
    sd = math.sqrt(m2 / W)
    y, wy = _summary((x - m) / sd, w)
    with np.errstate(all="ignore"):
        f, c, d = _profile(y, wy, _GRID)
    if not np.any(np.isfinite(f)):
        return None
    j = int(np.argmax(np.where(np.isfinite(f), f, -np.inf)))
    alpha, best, cj, dj = float(_GRID[j]), float(f[j]), float(c[j]), float(d[j])
    if 0 < j < _GRID.size - 1:
        xs, fs = [float(v) for v in _GRID[j - 1:j + 2]], [float(v) for v in f[j - 1:j + 2]]
        for _ in range(4):
            # the vertex of the parabola through the bracket, kept strictly inside it
            den = (xs[0] - xs[1]) * (xs[0] - xs[2]) * (xs[1] - xs[2])
            A = (xs[2] * (fs[1] - fs[0]) + xs[1] * (fs[0] - fs[2]) + xs[0] * (fs[2] - fs[1])) / den
            B = (xs[2]**2 * (fs[0] - fs[1]) + xs[1]**2 * (fs[2] - fs[0])
                 + xs[0]**2 * (fs[1] - fs[2])) / den
            if not (A < 0 and math.isfinite(B / A)):
                break
            lo, hi = xs[0] + 0.05 * (xs[2] - xs[0]), xs[2] - 0.05 * (xs[2] - xs[0])
            cand = min(max(-B / (2.0 * A), lo), hi)
            if abs(cand - xs[1]) <= 1e-6 * (1.0 + abs(xs[1])):
                break
            with np.errstate(all="ignore"):
                f2, c2, d2 = _profile(y, wy, np.array([cand]))
            v = float(f2[0])
            if not math.isfinite(v):
                break
            if v > fs[1]:
                xs = [xs[0], cand, xs[1]] if cand < xs[1] else [xs[1], cand, xs[2]]
                fs = [fs[0], v, fs[1]] if cand < xs[1] else [fs[1], v, fs[2]]
                alpha, best, cj, dj = cand, v, float(c2[0]), float(d2[0])
            elif cand < xs[1]:
                xs, fs = [cand, xs[1], xs[2]], [v, fs[1], fs[2]]
            else:
                xs, fs = [xs[0], xs[1], cand], [fs[0], fs[1], v]
    for sign in (1.0, -1.0):
        if _limit(y, wy, sign) > best + 1e-9 * (1.0 + abs(best)):
            best = _limit(y, wy, sign)
            with np.errstate(all="ignore"):
                _, c2, d2 = _profile(y, wy, np.array([sign * ALPHA_AT_LIMIT]))
            alpha, cj, dj = sign * ALPHA_AT_LIMIT, float(c2[0]), float(d2[0])
    return {"loc": m + sd * dj / cj, "scale": sd / cj, "alpha": alpha}


# ------------------------------------------------------------------------- skew-normal
@register
class SkewNormal(Family):
    r"""Skew-normal distribution (Azzalini).

    .. math:: f(x) = \frac{2}{\omega}\,\phi(z)\,\Phi(\alpha z),\quad z = \frac{x-\xi}{\omega}

    Parameters: ``loc`` (ξ, real), ``scale`` (ω > 0), ``alpha`` (real: the skewness; 0 is the
    normal). scipy's ``skewnorm(alpha, loc, scale)``. The MLE of ``alpha`` can be infinite
    (the half-normal limit) in small samples: reported as a boundary estimate. The fit starts
    from the best point of the profile likelihood of ``alpha`` (a global search, the same for
    every backend), so it does not stop in a lower local maximum.
    """

    name = "skew_normal"
    param_names = ("loc", "scale", "alpha")
    scale_powers: ClassVar[dict[str, int] | None] = {"loc": 1, "scale": 1, "alpha": 0}
    domains = (Real, Positive, Real)
    support = Support()
    data_unit_params = ("loc",)
    boundary_hints: ClassVar[dict[str, str]] = {
        "alpha": "; the data fit the half-normal limit (a location plus |normal|): the "
                 "estimate of alpha and its SE mean little"}
    formula = "f(x) = (2/scale) phi(z) Phi(alpha z), z = (x - loc)/scale"

    def _degenerate(self, x0: float) -> dict[str, float]:
        return {"loc": x0, "scale": 0.0, "alpha": 0.0}

    def _logpdf(self, x: Any, th: Theta, blk: Any) -> Any:
        m, s, a = th
        z = (x - m) / s
        return _LOG2 - 0.5 * z * z - _LOG_SQRT_2PI - np.log(s) + log_ndtr(a * z)

    def _d_logpdf(self, x: Any, th: Theta, blk: Any) -> Derivs:
        m, s, a = th
        z = (x - m) / s
        u = a * z
        v = _LOG2 - 0.5 * z * z - _LOG_SQRT_2PI - np.log(s) + log_ndtr(u)
        z1, z2 = _zeta(u)
        lz = -z + a * z1                       # d/dz
        lzz = -1.0 + a * a * z2
        lza = z1 + u * z2
        s2 = s * s
        g = [-lz / s, (-1.0 - z * lz) / s, z * z1]
        hmm = lzz / s2
        hms = (z * lzz + lz) / s2
        hss = (1.0 + z * z * lzz + 2.0 * z * lz) / s2
        hma = -lza / s
        hsa = -z * lza / s
        haa = z * z * z2
        return v, g, [[hmm, hms, hma], [hms, hss, hsa], [hma, hsa, haa]]

    def _cdf_parts(self, x: Any, th: Theta) -> Any:
        m, s, a = th
        z = np.asarray((x - m) / s, dtype=float)
        return z, a

    def _logcdf(self, x: Any, th: Theta, blk: Any) -> Any:
        z, a = self._cdf_parts(x, th)
        # F = Φ(z) − 2T(z, α); in the far lower tail use the sf of the mirrored law
        with np.errstate(all="ignore"):
            F = st.norm.cdf(z) - 2.0 * owens_t(z, a)
            out = np.log(np.clip(F, 0.0, 1.0))
            bad = ~(F > 1e-10)
            if np.any(bad):
                out = np.where(bad, st.skewnorm.logcdf(z, a), out)
        return out

    def _logsf(self, x: Any, th: Theta, blk: Any) -> Any:
        z, a = self._cdf_parts(x, th)
        return self._logcdf(-z * th[1] + th[0], (th[0], th[1], -a), blk)

    def _ppf(self, q: Any, th: Theta) -> Any:
        return self._scipy(th).ppf(q)

    def _scipy(self, th: Theta) -> Any:
        return st.skewnorm(th[2], loc=th[0], scale=th[1])

    def _boundary_message(self, name: str, params: dict[str, float]) -> str | None:
        if name == "alpha" and abs(params["alpha"]) >= ALPHA_LIMIT:
            return f"alpha = {params['alpha']:.4g} is effectively infinite"
        return None

    def _beyond_limit(self, th: Theta) -> Any:
        """Newton stops at ``|alpha| >= ALPHA_LIMIT``: the half-normal limit, approached only as
        ``alpha -> ±inf`` (flagged as a boundary by ``_boundary_message``)."""
        return np.abs(th[2]) >= ALPHA_LIMIT

    def _start(self, x: np.ndarray, w: np.ndarray | None, fixed: dict[str, float]) -> dict[str, float]:
        if not fixed:
            g = profile_start(np.asarray(x, dtype=float), w)
            if g is not None:
                return g
        return self._moment_start(x, w, fixed)

    @staticmethod
    def _moment_start(x: np.ndarray, w: np.ndarray | None,
                      fixed: dict[str, float]) -> dict[str, float]:
        W, m, m2 = moments_of(x, w)
        sd = math.sqrt(m2 / W) if W else 1.0
        d = x - m
        g = float(np.average(d**3, weights=w)) / sd**3 if sd > 0 else 0.0
        g = max(min(g, 0.95), -0.95)
        # method of moments (Azzalini): |δ| from the skewness, capped inside its range
        r = abs(g) ** (2.0 / 3.0)
        delta = math.copysign(math.sqrt(math.pi / 2 * r / (r + ((4 - math.pi) / 2) ** (2 / 3))), g)
        delta = max(min(delta, 0.95), -0.95)
        omega = sd / math.sqrt(1.0 - 2.0 * delta * delta / math.pi)
        return {"loc": fixed.get("loc", m - omega * delta * math.sqrt(2.0 / math.pi)),
                "scale": fixed.get("scale", omega),
                "alpha": fixed.get("alpha", delta / math.sqrt(1.0 - delta * delta))}
