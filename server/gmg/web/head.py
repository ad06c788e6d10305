"""HEAD requests: GET's answer without its body."""

from __future__ import annotations

from fastapi.responses import Response, StreamingResponse


async def without_body(response: Response) -> Response:
    """HEAD: GET's status and headers, no body (a streamed body is stopped, not sent).

    A whole body keeps its Content-Length, as GET would send it; a streamed one has none.
    """
    if isinstance(response, StreamingResponse):
        close = getattr(response.body_iterator, "aclose", None)
        if close is not None:
            await close()
    head = Response(status_code=response.status_code)
    head.raw_headers = list(response.raw_headers)  # Response() would add Content-Length: 0
    return head
