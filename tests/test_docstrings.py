"""numpydoc sections on the public entry points (issue 10): every callable in ``mk.__all__``
and every public method of ``FitResult``, ``Comparison`` and ``GroupedResult`` has a docstring,
and one that takes parameters has a ``Parameters`` section naming each of them.

numpydoc is not a dependency, so the sections are read by the small parser below (a section
is a title underlined with dashes; an entry is a line at the section's indentation, ``name``,
``name : type`` or ``a, b``)."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

import mlekit as mk

# returned by mlekit, never constructed by users: their methods are checked instead
RESULT_CLASSES = {"FitResult", "Summary", "Diagnostic", "Comparison", "GroupedResult"}
_SECTION = re.compile(r"^(\w[\w ]*)\n-{3,}$", re.M)


def sections(doc: str) -> dict[str, str]:
    """``{title: body}`` of a (cleaned) numpydoc docstring."""
    out: dict[str, str] = {}
    marks = list(_SECTION.finditer(doc))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(doc)
        out[m.group(1)] = doc[m.end():end]
    return out


def documented_params(doc: str) -> set[str]:
    """The names listed in the Parameters section (``a, b : float`` lists two)."""
    body = sections(doc).get("Parameters", "")
    names: set[str] = set()
    for line in body.splitlines():
        if line and not line[0].isspace():
            names.update(n.strip() for n in line.split(" : ")[0].split(","))
    return names


def signature_params(fn: Any) -> list[str]:
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.name in ("self", "cls"):
            continue
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        out.append(prefix + p.name)
    return out


def _missing(fn: Any, doc: str | None) -> str | None:
    if not doc:
        return "no docstring"
    params = signature_params(fn)
    if not params:
        return None
    if "Parameters" not in sections(doc):
        return f"no Parameters section (takes {', '.join(params)})"
    missing = [p for p in params if p not in documented_params(doc)]
    return f"Parameters section lacks {', '.join(missing)}" if missing else None


def _entry_points() -> list[str]:
    out = []
    for name in mk.__all__:
        obj = getattr(mk, name)
        if not callable(obj) or name in RESULT_CLASSES:
            continue
        if inspect.isclass(obj) and issubclass(obj, (Exception, Warning)):
            continue
        out.append(name)
    return out


def _methods() -> list[tuple[str, str]]:
    out = []
    for cls in (mk.FitResult, mk.Comparison, mk.GroupedResult):
        for name, _ in inspect.getmembers(cls):
            if name.startswith("_") or isinstance(inspect.getattr_static(cls, name), property):
                continue
            if callable(getattr(cls, name)):
                out.append((cls.__name__, name))
    return out


def test_the_parser_reads_sections() -> None:
    doc = inspect.cleandoc("""Summary.

        Parameters
        ----------
        x
            The data.
        lower, upper : float
            Bounds.
        **kw
            Options.

        Returns
        -------
        float
        """)
    assert set(sections(doc)) == {"Parameters", "Returns"}
    assert documented_params(doc) == {"x", "lower", "upper", "**kw"}
    assert _missing(lambda x, lower, upper, **kw: None, doc) is None
    assert _missing(lambda x, y: None, doc) == "Parameters section lacks y"
    assert _missing(lambda x: None, "Summary only.") == "no Parameters section (takes x)"
    assert _missing(lambda: None, None) == "no docstring"


@pytest.mark.parametrize("name", _entry_points())
def test_public_entry_point_documents_its_parameters(name: str) -> None:
    obj = getattr(mk, name)
    if inspect.isclass(obj) and issubclass(obj, mk.Family) and obj is not mk.Family:
        doc = inspect.getdoc(obj) or ""
        assert doc, f"mk.{name} has no docstring"
        # the values of its parameters (``**params``) are documented once, on mk.Family; a
        # family's own docstring names each parameter and documents any other argument
        own = [p for p in signature_params(obj) if p != "**params"]
        undocumented = [p for p in own if p not in documented_params(doc)]
        assert not undocumented, f"mk.{name}'s Parameters section lacks {undocumented}"
        if "family" in own:               # a wrapper: names the parameter it adds
            params: tuple[str, ...] = (obj.extra,)
        else:
            params = obj().param_names
        unnamed = [p for p in params if f"``{p}``" not in doc]
        assert not unnamed, f"mk.{name}'s docstring does not name its parameters {unnamed}"
        return
    msg = _missing(obj, inspect.getdoc(obj))
    assert msg is None, f"mk.{name}: {msg}"


@pytest.mark.parametrize(("cls", "name"), _methods())
def test_result_method_documents_its_parameters(cls: str, name: str) -> None:
    fn = getattr(getattr(mk, cls), name)
    msg = _missing(fn, inspect.getdoc(fn))
    assert msg is None, f"{cls}.{name}: {msg}"


def _functions() -> list[str]:
    """The public functions of ``mk.__all__`` (classes and modules are checked elsewhere)."""
    return [n for n in _entry_points() if inspect.isfunction(getattr(mk, n))]


@pytest.mark.parametrize("name", _functions())
def test_public_function_says_what_it_returns_and_shows_a_call(name: str) -> None:
    doc = inspect.getdoc(getattr(mk, name)) or ""
    secs = sections(doc)
    missing = [s for s in ("Returns", "Examples") if s not in secs and
               not (s == "Returns" and name == "set_threads")]    # set_threads returns None
    assert not missing, f"mk.{name} has no {' / '.join(missing)} section"


def _examples() -> list[str]:
    import doctest

    finder = doctest.DocTestFinder(recurse=False)
    return [n for n in _functions() + ["Data"]
            if any(t.examples for t in finder.find(getattr(mk, n), globs={}))]


@pytest.mark.parametrize("name", _examples())
def test_public_examples_run(name: str) -> None:
    """The Examples of the public entry points run and print what they say (``+SKIP`` for
    those that need files or a cluster)."""
    import doctest

    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for t in doctest.DocTestFinder(recurse=False).find(getattr(mk, name), globs={"mk": mk}):
        runner.run(t, clear_globs=True)
    res = runner.summarize(verbose=False)
    assert res.failed == 0, f"mk.{name}: {res.failed} of {res.attempted} examples failed"
