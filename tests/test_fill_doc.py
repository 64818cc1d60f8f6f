"""``_core.docs.fill_doc``: docstring parts written once (issue 10, "one of each thing")."""

from __future__ import annotations

import inspect

import pytest

import mlekit as mk
from mlekit._core.docs import fill_doc

PART = """x
    The value.
y
    Another."""


def test_a_placeholder_alone_on_its_line_takes_its_indentation() -> None:
    @fill_doc(params=PART)
    def f(x: float, y: float) -> None:
        """Summary with {0, 1} kept as it is.

        Parameters
        ----------
        {params}
        """

    doc = inspect.getdoc(f)
    assert doc == ("Summary with {0, 1} kept as it is.\n\nParameters\n----------\n"
                   "x\n    The value.\ny\n    Another.")


def test_a_template_in_place_of_the_docstring_and_inline_placeholders() -> None:
    @fill_doc("The {what} of a fit.\n\nParameters\n----------\n{arg}\n    {what} asked for.",
              what="quantile", arg="q")
    def g(q: float) -> None:
        pass

    assert inspect.getdoc(g) == "The quantile of a fit.\n\nParameters\n----------\nq\n    quantile asked for."


def test_a_missing_placeholder_is_a_mistake_said_at_import() -> None:
    with pytest.raises(KeyError, match=r"has no \{params\}"):
        @fill_doc(params=PART)
        def h() -> None:
            """No placeholder here."""


def test_no_docstring_stays_none() -> None:
    def k() -> None:
        pass

    assert fill_doc(params=PART)(k).__doc__ is None


def test_the_shared_parts_read_alike_in_the_public_docstrings() -> None:
    for fn in (mk.read_csv, mk.sql):
        doc = inspect.getdoc(fn) or ""
        assert "column, observed, censoring, lower, upper, weights, trials, truncation, entry\n" \
               "    The columns' roles and the truncation, as in :func:`read_parquet`." in doc
        assert "Raises\n------\nDataError\n    Conflicting column roles" in doc
    for name in ("quantile", "sf", "cdf", "hazard"):
        doc = inspect.getdoc(getattr(mk.FitResult, name)) or ""
        assert "{" not in doc and doc.endswith("(arrays for an array argument).")


def test_the_ci_docstrings_of_a_fit_and_a_grouped_fit_share_level_and_method() -> None:
    from mlekit._scale.grouped.result import GroupedResult

    shared = ("Parameters\n----------\nlevel\n    Confidence level, in (0, 1).\nmethod\n"
              "    ``\"wald\"``, ``\"wald-log\"``, ``\"profile\"`` or ``\"bootstrap\"``.\n**kwargs\n"
              "    Options of the method (")
    fit_doc = inspect.getdoc(mk.FitResult.ci) or ""
    assert shared + "above)." in fit_doc and fit_doc.startswith("Confidence intervals ``{name: (lo, hi)}``.")
    assert shared + "``n_boot=``, ``rng=`` for the bootstrap)." in (inspect.getdoc(GroupedResult.ci) or "")
