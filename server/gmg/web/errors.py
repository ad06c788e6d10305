"""Errors are answers: a status, a message a person can act on, and the right headers."""

from __future__ import annotations

from fastapi.responses import PlainTextResponse, Response


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error_response(err: ProtocolError) -> Response:
    return PlainTextResponse(err.message + "\n", status_code=err.status, headers=err.headers)
