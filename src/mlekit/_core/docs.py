"""Docstrings written once: a shared text filled into the docstrings of functions that say
the same thing (the four interval methods of ``FitResult``, the data sources' roles)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["fill_doc"]

F = TypeVar("F", bound=Callable[..., object])


def fill_doc(template: str | None = None, **parts: str) -> Callable[[F], F]:
    """Decorator: the function's docstring (or ``template`` in its place) with each
    ``{name}`` of ``parts`` replaced by its text. A placeholder alone on its line takes that
    line's indentation for every line of the text, so a numpydoc section can be shared.
    Other braces are left as they are (docstrings hold ``{0, 1}`` and the like)."""

    def fill(fn: F) -> F:
        doc = template if template is not None else fn.__doc__
        if doc is None:         # python -OO: no docstrings to fill
            return fn
        for name, text in parts.items():
            key = "{" + name + "}"
            if key not in doc:
                raise KeyError(f"fill_doc: the docstring of {fn.__qualname__} has no {key}")

            def indented(m: re.Match[str], text: str = text) -> str:
                pad = m.group(1)
                return "\n".join(pad + line if line else line for line in text.splitlines())

            doc = re.sub(r"^([ \t]*)" + re.escape(key) + r"[ \t]*$", indented, doc, flags=re.M)
            doc = doc.replace(key, text)
        fn.__doc__ = doc
        return fn

    return fill
