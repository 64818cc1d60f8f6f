"""The gallery in docs/plots/ is what the code draws today (regenerated and compared loosely:
same size, and pixels that differ only by anti-aliasing or font rendering)."""

from __future__ import annotations

import runpy
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.image as mpimg
import matplotlib.pyplot as plt

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plots"
gallery = runpy.run_path(str(DOCS / "generate.py"), run_name="gallery")


def _gray(path: Path) -> np.ndarray:
    img = mpimg.imread(path)
    return np.asarray(img[..., :3].mean(axis=2), dtype=float)


def test_every_gallery_file_is_committed() -> None:
    names = set(gallery["figures"]())
    assert names == {p.name for p in DOCS.glob("*.png")}


@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.glob("*.png")))
def test_gallery_image_is_current(name: str, tmp_path: Path) -> None:
    make = gallery["figures"]()[name]
    out = tmp_path / name
    gallery["render"](make, out)
    plt.close("all")
    new, old = _gray(out), _gray(DOCS / name)
    assert new.shape == old.shape, f"{name}: size changed; run python docs/plots/generate.py"
    diff = np.abs(new - old)
    assert diff.mean() < 0.02, f"{name}: the picture changed (mean |diff| {diff.mean():.3f})"
    assert (diff > 0.5).mean() < 0.03, f"{name}: {100 * (diff > 0.5).mean():.1f}% of pixels changed"
