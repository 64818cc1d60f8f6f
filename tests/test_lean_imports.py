"""The first fit in a new process imports only what its path needs (issue 13: cold start).

``scipy.stats`` (~0.3 s) and pandas (~0.25 s) serve other paths (quantiles, ``Family.scipy``,
inference, data frames); an in-memory fit, its summary and Wald intervals — and the CLI fit of
a small file — must not import them. No timing is asserted: only which modules are loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
HEAVY = ("scipy.stats", "pandas")


def _loaded(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg"})
    assert r.returncode == 0, r.stderr
    return eval(r.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_fit_normal_imports_neither_scipy_stats_nor_pandas() -> None:
    assert _loaded("import mlekit as mk\nmk.fit([1.2, 2.3, 0.7, 1.9, 3.1], 'normal')") == []


def test_result_fields_and_wald_intervals_stay_lean() -> None:
    code = ("import mlekit as mk\n"
            "for fam in ('normal', 'exponential', 'lognormal', 'poisson', 'bernoulli', 'gamma', "
            "'weibull'):\n"
            "    r = mk.fit([1.0, 0.0, 1.0, 1.0, 0.0, 1.0], fam) if fam in ('poisson', 'bernoulli')"
            " else mk.fit([1.2, 2.3, 0.7, 1.9, 3.1], fam)\n"
            "    r.se, r.cov, r.loglik, r.aic, r.diagnostics, r.ci(), str(r.summary())\n")
    assert _loaded(code) == []


def test_cli_fit_of_a_small_csv_stays_lean(tmp_path: Path) -> None:
    f = tmp_path / "small.csv"
    f.write_text("x\n1\n2.5\n0.7\n1.9\n3\n")
    code = ("from mlekit.cli import main\n"
            f"try:\n    main(['fit', {str(f)!r}, '-f', 'normal'])\nexcept SystemExit:\n    pass")
    assert _loaded(code) == []
