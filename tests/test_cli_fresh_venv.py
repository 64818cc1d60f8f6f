"""The README's first command in a brand-new virtual environment:

    python -m pip install -e ".[all]" && mlekit demo

Slow (it installs every extra from the package index), so it runs under ``--run-slow``, which
is how CI runs the suite (``scripts/test``). The checkout is copied first so that the editable
install and its egg-info never touch this working tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked_files() -> list[str]:
    r = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("not a git checkout")
    return [f for f in r.stdout.splitlines() if (ROOT / f).is_file()]


@pytest.mark.slow
def test_readme_first_command_in_a_fresh_venv(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'python -m pip install -e ".[all]" && mlekit demo' in readme
    repo = tmp_path / "mlekit"
    for f in _tracked_files():
        dst = repo / f
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dst)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    run_dir = tmp_path / "cwd"
    run_dir.mkdir()
    install = subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q",
                              "--disable-pip-version-check", "-e", ".[all]"],
                             cwd=repo, env=env, capture_output=True, text=True, timeout=1800)
    assert install.returncode == 0, install.stderr[-4000:]
    t0 = time.perf_counter()
    demo = subprocess.run(["mlekit", "demo"], cwd=run_dir, env=env, capture_output=True, text=True,
                          timeout=600)
    elapsed = time.perf_counter() - t0
    assert demo.returncode == 0, demo.stderr[-4000:]
    assert "the conversion rate of B is 1.3 points higher" in demo.stdout
    plots = sorted(p.name for p in (run_dir / "mlekit-demo").glob("*.png"))
    assert len(plots) >= 6, plots
    assert elapsed < 60, f"mlekit demo took {elapsed:.0f} s"
    where = subprocess.run([str(bindir / "python"), "-c", "import mlekit; print(mlekit.__file__)"],
                           env=env, capture_output=True, text=True, cwd=run_dir)
    assert where.stdout.strip().startswith(str(repo)), where.stdout
    print(f"fresh venv: mlekit demo took {elapsed:.1f} s; python {sys.version.split()[0]}")
