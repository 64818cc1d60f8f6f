"""The README's first command, verbatim, in a bare shell on a fresh copy of the checkout.

It runs as a new user on a fresh Debian 12 would: ``env -i HOME=<empty> PATH=/usr/bin:/bin bash -c
'<the command>'`` — only the system ``python3``, no ``python``, no activated environment. The command
makes its own ``.venv``, installs mlekit with the ``cli`` extra and runs ``mlekit demo``.

Slow (it installs from the package index), so it runs under ``--run-slow``, which is how CI runs the
suite (``scripts/test``). The checkout is copied first so that the venv and the editable install never
touch this working tree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The commands of the README's "Two commands" block, without their comments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    cmds = [re.sub(r"\s+#.*$", "", line).strip() for line in block.strip().splitlines()]
    return [c for c in cmds if c]


def test_readme_has_two_commands_and_ci_calls_the_second() -> None:
    cmds = readme_commands()
    assert len(cmds) == 2, cmds
    assert "python " not in cmds[0] and cmds[0].startswith("python3 -m venv .venv")
    assert cmds[1] == "./scripts/test"
    assert "./scripts/test" in (ROOT / ".ci" / "run").read_text()


def _tracked_files() -> list[str]:
    r = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("not a git checkout")
    return [f for f in r.stdout.splitlines() if (ROOT / f).is_file()]


@pytest.mark.slow
def test_readme_first_command_verbatim_in_a_bare_shell(tmp_path: Path) -> None:
    if not Path("/usr/bin/python3").exists() or not Path("/bin/bash").exists():
        pytest.skip("needs the system /usr/bin/python3 and /bin/bash (Debian)")
    first = readme_commands()[0]
    repo = tmp_path / "mlekit"
    for f in _tracked_files():
        dst = repo / f
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dst)
    home = tempfile.mkdtemp(dir=tmp_path)
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"}
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/env", "-i", *(f"{k}={v}" for k, v in env.items()), "/bin/bash",
                        "-c", first], cwd=repo, capture_output=True, text=True, timeout=2400)
    elapsed = time.perf_counter() - t0
    assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-4000:])
    assert "the conversion rate of b is 1.3 points higher" in r.stdout.lower()
    plots = sorted(p.name for p in (repo / "mlekit-demo").glob("*.png"))
    assert len(plots) >= 6, plots
    where = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-c",
                            "import mlekit; print(mlekit.__file__)"],
                           env=env, capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.strip().startswith(str(repo / "src")), where.stdout
    print(f"README first command (install + demo) took {elapsed:.1f} s")
