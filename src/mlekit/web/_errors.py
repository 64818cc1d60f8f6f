"""The error every explorer endpoint answers with: ``{"error": {"type", "message"}}``."""

from __future__ import annotations

from typing import Any

__all__ = ["WebError", "error_body"]


class WebError(Exception):
    """A request the explorer refuses, with the HTTP status to answer it with."""

    def __init__(self, status: int, message: str, type_: str = "BadRequest") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_


def error_body(type_: str, message: str, **extra: Any) -> dict[str, Any]:
    from .._api.words import for_web

    return {"error": {"type": type_, "message": for_web(message), **extra}}
