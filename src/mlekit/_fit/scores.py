"""Per-observation scores and their outer-product sum (the "meat" of the sandwich)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._core.numdiff import numeric_derivs
from .likelihood import _censored_within, _funcs, _shifted, interval_derivs, truncation_term

if TYPE_CHECKING:
    from .likelihood import Likelihood

__all__ = ["score_outer", "observation_scores"]


def observation_scores(lik: Likelihood, th: tuple[float, ...], idx: list[int]
                       ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per-row scores (rows × len(idx)) and weights, block by block."""
    fam = lik.family
    out = []
    tg = None
    if lik.data.truncation is not None:
        _, tg, _ = truncation_term(fam, lik.data.truncation, th, 1, idx, lik.k, units=lik.units)
    with np.errstate(all="ignore"):
        for chunk in lik.chunks:
            for kind, blk in chunk.blocks.items():
                if not blk.size:
                    continue
                if lik.data.truncation is not None and kind in ("left", "right"):
                    inside = _censored_within(fam, kind, blk, lik.data.truncation)
                    if inside is not None:
                        kind, blk = "interval", inside
                if kind == "interval":
                    d = interval_derivs(fam, _shifted(fam, blk, "x"), blk.hi, th, blk, 1, idx,
                                        units=lik.units)
                else:
                    f, df = _funcs(fam, kind)
                    x = _shifted(fam, blk, "x") if kind == "right" else blk.x
                    d = df(x, th, blk)
                    if d is None:
                        d = numeric_derivs(lambda t, f=f, x=x, blk=blk: f(x, t, blk), th,
                                           fam.domains, idx, 1, units=lik.units)
                G = np.column_stack([np.broadcast_to(d[1][i], (blk.size,)) for i in idx])
                if tg is not None:
                    G = G - tg[idx]
                w = np.ones(blk.size) if blk.w is None else blk.w
                out.append((G, w))
    return out


def score_outer(lik: Likelihood, th: tuple[float, ...], idx: list[int]) -> np.ndarray:
    B = np.zeros((len(idx), len(idx)))
    for G, w in observation_scores(lik, th, idx):
        B += (G * w[:, None]).T @ G
    return B

