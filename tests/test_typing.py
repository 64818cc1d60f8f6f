"""Typing discipline (issue 10): ``mypy src/mlekit`` runs in the test command (scripts/test)
with 0 errors; nothing in src silences it wholesale."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mlekit"


def test_every_type_ignore_names_its_error_code() -> None:
    bare = []
    for p in sorted(SRC.rglob("*.py")):
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"#\s*type:\s*ignore(?!\[[a-z-]+(, *[a-z-]+)*\])", line):
                bare.append(f"{p.relative_to(ROOT)}:{i}")
    assert not bare, f"type: ignore without an error code: {bare}"


def test_every_type_ignore_says_why() -> None:
    """``# type: ignore[code]  # reason``: the reason follows the code on the same line, so a
    reader sees why mypy is overruled there (and pyproject's ``warn_unused_ignores`` makes
    mypy fail on an ignore that no longer silences anything)."""
    unexplained = []
    for p in sorted(SRC.rglob("*.py")):
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            m = re.search(r"#\s*type:\s*ignore\[[a-z, -]+\](.*)$", line)
            if m and not re.fullmatch(r"\s+#\s*\S.{3,}", m.group(1)):
                unexplained.append(f"{p.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not unexplained, ("type: ignore without a reason after it "
                             "(write `# type: ignore[code]  # why`):\n" + "\n".join(unexplained))


def test_mypy_warns_about_unused_ignores() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    mypy_section = pyproject.split("[tool.mypy]", 1)[1].split("\n[", 1)[0]
    assert re.search(r"^warn_unused_ignores\s*=\s*true", mypy_section, re.M)


def test_mypy_is_not_silenced_wholesale() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "[tool.mypy]" in pyproject
    assert "ignore_errors" not in pyproject
    for p in SRC.rglob("*.py"):
        assert "# mypy: ignore-errors" not in p.read_text(encoding="utf-8"), p


def test_the_test_command_runs_mypy_before_pytest() -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "-m mypy src/mlekit" in script
    assert script.index("-m mypy") < script.index("-m pytest")
