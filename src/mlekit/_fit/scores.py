"""Per-observation scores, their outer-product sum (the "meat" of the sandwich) and the robust
(Huber–White) covariance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .likelihood import Likelihood

__all__ = ["score_outer", "observation_scores", "sandwich_cov"]


def observation_scores(lik: Likelihood, th: tuple[float, ...], idx: list[int]
                       ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per-row scores (rows × len(idx)) and weights, block by block."""
    return lik.scores(th, idx)


def score_outer(lik: Likelihood, th: tuple[float, ...], idx: list[int]) -> np.ndarray:
    B = np.zeros((len(idx), len(idx)))
    for G, w in lik.scores(th, idx):
        B += (G * w[:, None]).T @ G
    return B


def sandwich_cov(lik: Likelihood, th: tuple[float, ...], cov: np.ndarray,
                 idx: list[int]) -> np.ndarray:
    """Robust (Huber–White) covariance ``A^-1 B A^-1`` with B the outer product of the
    per-observation scores."""
    B = score_outer(lik, th, idx)
    A_inv = cov[np.ix_(idx, idx)]
    out = np.zeros_like(cov)
    out[np.ix_(idx, idx)] = A_inv @ B @ A_inv
    return out
