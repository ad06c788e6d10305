"""Errors are answers: a status, a message a person can act on, and the right headers."""

from __future__ import annotations

from fastapi.responses import PlainTextResponse, Response

from ..engine import EngineBusy, EngineFailure, QueryTimeout

RETRY_AFTER = "2"
ENGINE_ERRORS = (EngineFailure, QueryTimeout, EngineBusy)


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error_response(err: ProtocolError) -> Response:
    return PlainTextResponse(err.message + "\n", status_code=err.status, headers=err.headers)


def engine_error(err: Exception) -> ProtocolError:
    """What the client hears when the engine fails, times out or is too busy (one of ENGINE_ERRORS)."""
    if isinstance(err, EngineFailure):
        return ProtocolError(err.status, err.message)
    if isinstance(err, QueryTimeout):
        return ProtocolError(503, str(err), {"Retry-After": RETRY_AFTER})
    return ProtocolError(429, f"{err} Retry in a few seconds.", {"Retry-After": RETRY_AFTER})
