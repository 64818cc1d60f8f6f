"""The shape of the package: imports only go down (no cycle, function-level imports included),
the top level stays small and no module grows past 600 lines. The layer order itself is the
import-linter contract in pyproject.toml (``lint-imports``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")

SRC = Path(__file__).resolve().parents[1] / "src" / "mlekit"

# Edges that still close a cycle, each with who removes it. Keep this list empty.
KNOWN: set[tuple[str, str]] = set()


# Modules still over 600 lines, with who splits them. Keep this list empty.
KNOWN_LONG: set[str] = set()


def _graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(SRC.parent))
    try:
        return grimp.build_graph("mlekit", exclude_type_checking_imports=True, cache_dir=None)
    finally:
        sys.path.remove(str(SRC.parent))


def _declared_exceptions() -> list[tuple[str, str]]:
    import tomllib

    cfg = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    out = []
    for c in cfg["tool"]["importlinter"]["contracts"]:
        for rule in c.get("ignore_imports", []):
            a, b = (part.strip() for part in rule.split("->"))
            out.append((a, b))
    return out


def test_at_most_two_declared_exceptions() -> None:
    assert len(_declared_exceptions()) <= 2, _declared_exceptions()


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_the_import_graph_has_no_cycle() -> None:
    g = _graph()
    edges = {m: set(g.find_modules_directly_imported_by(m)) for m in g.modules}
    # the contract's declared exceptions (FitResult.plot(), Comparison.plot(): optional accessors
    # imported when called) are upward by design; every other edge must leave the graph acyclic
    for a, b in _declared_exceptions():
        edges.get(a, set()).discard(b)
    for a, b in KNOWN:
        edges.get(a, set()).discard(b)
    offenders = []
    for comp in _cycles(edges):
        inside = set(comp)
        lines = []
        for a in comp:
            for b in sorted(edges[a] & inside):
                where = sorted({d["line_number"] for d in g.get_import_details(importer=a, imported=b)})
                lines.append(f"    {a} -> {b} (line {', '.join(map(str, where))})")
        offenders.append(f"  cycle of {len(comp)} modules:\n" + "\n".join(lines))
    assert not offenders, "imports must only go down; these close a cycle:\n" + "\n".join(offenders)


def test_known_exceptions_still_exist() -> None:
    """An edge in KNOWN that is gone must leave the list (so the list only shrinks)."""
    g = _graph()
    stale = [(a, b) for a, b in KNOWN if not g.direct_import_exists(importer=a, imported=b)]
    assert not stale, f"remove from KNOWN (the import is gone): {stale}"


def test_the_top_level_stays_small() -> None:
    allowed = {"__init__.py", "__main__.py", "errors.py", "py.typed"}
    entries = sorted(p.name for p in SRC.iterdir()
                     if p.name not in allowed and p.name != "__pycache__")
    assert len(entries) <= 12, f"{len(entries)} entries under src/mlekit: {entries}"


def test_no_module_over_600_lines() -> None:
    big = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not set(big) - KNOWN_LONG, f"split these modules (over 600 lines): {big}"
