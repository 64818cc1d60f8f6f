"""Before/after of a change to the regression engine's per-row terms, in ONE process.

``DistReg.evaluate(theta, order=2)`` (the work of one Newton step of ``mk.regress``) on three
models — Poisson n = 2e5 with 10 covariates, Weibull n = 1e5 right-censored, the same with a
late-entry time per row — timed for an older tree and this one, alternately (ABBA, 40 pairs),
so the load of a shared machine hits both alike. The older tree's package is copied to a
temporary folder as ``mlekit_old``::

    git archive ae6c7a0 src | tar -x -C /tmp/old
    PYTHONPATH=src python bench/bench_distreg_terms.py /tmp/old/src
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def _load_old(src: str) -> tuple[Any, Any, Any]:
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(Path(src) / "mlekit", tmp / "mlekit_old")
    sys.path.insert(0, str(tmp))
    import mlekit_old._core.domains as dm
    import mlekit_old._families.base as fb
    import mlekit_old._models.distreg as dr
    return dr, fb, dm


def _model(dr: Any, fb: Any, dm: Any, case: str, d: dict[str, Any]) -> tuple[Any, np.ndarray]:
    if case == "poisson":
        X = np.column_stack([np.ones(d["y"].size), d["X"]])
        coords = [dr.Coord("rate", dm.Positive, X, [f"x{j}" for j in range(X.shape[1])])]
        return dr.DistReg(fb.get_family("poisson"), dr.Response.build(d["y"]), coords, None), \
            np.r_[0.5, np.zeros(X.shape[1] - 1)]
    Xw = np.column_stack([np.ones(d["x"].size), d["x"]])
    coords = [dr.Coord("scale", dm.Positive, Xw, ["Intercept", "x"]),
              dr.Coord("shape", dm.Positive, None, ["shape"])]
    win = (d["ent"], np.full(d["x"].size, np.inf)) if case == "weibull + entry" else None
    resp = dr.Response.build(d["yy"], d["obs"])
    return dr.DistReg(fb.get_family("weibull"), resp, coords, None, None, win), \
        np.array([0.5, 0.3, 1.5])


def main(old_src: str, pairs: int = 40) -> None:
    import mlekit._core.domains as dm_new
    import mlekit._families.base as fb_new
    import mlekit._models.distreg as dr_new

    old = _load_old(old_src)
    new = (dr_new, fb_new, dm_new)
    rng = np.random.default_rng(0)
    n, p, m = 200_000, 10, 100_000
    X = rng.normal(size=(n, p)) * 0.3
    x = rng.normal(size=m)
    t = rng.weibull(1.5, m) * np.exp(0.5 + 0.3 * x)
    c = rng.uniform(0.5, 4, m)
    d = {"X": X, "y": rng.poisson(np.exp(0.5 + X @ rng.normal(0, 0.3, p))).astype(float),
         "x": x, "obs": t <= c, "yy": np.minimum(t, c),
         "ent": rng.uniform(0, 0.3, m) * np.minimum(t, c)}
    for case in ("poisson", "weibull censored", "weibull + entry"):
        mo, th = _model(*old, case, d)
        mn, _ = _model(*new, case, d)
        lo, ln = mo.evaluate(th, 2)[0], mn.evaluate(th, 2)[0]
        to: list[float] = []
        tn: list[float] = []
        for i in range(pairs):
            for mdl in ((mo, mn) if i % 2 == 0 else (mn, mo)):
                a = time.perf_counter()
                mdl.evaluate(th, 2)
                (to if mdl is mo else tn).append(time.perf_counter() - a)
        r = np.array(tn) / np.array(to)
        print(f"{case:17s} old min {min(to) * 1e3:6.2f} ms, new min {min(tn) * 1e3:6.2f} ms; "
              f"new/old per pair: median {np.median(r):.3f} (quartiles {np.quantile(r, .25):.3f}"
              f"-{np.quantile(r, .75):.3f}); loglik old - new = {lo - ln:.1e}")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
