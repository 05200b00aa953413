"""The 422 of a request that fails validation, safe to encode whatever the request held.

FastAPI's own handler echoes each field's input back; when that input was the very text
`server.text` refuses (a lone surrogate), encoding the 422 itself failed and the client got a
500 instead. Here every string of the answer is made encodable first (a surrogate is spelled
`\\udc80`), so the refusal always reaches the client with its message.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def encodable(value: Any) -> Any:
    """`value` with every string (keys too) in it encodable as UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encodable(v) for v in value]
    return value


async def validation_error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": encodable(jsonable_encoder(exc.errors()))}, status_code=422)
