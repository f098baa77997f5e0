"""A 422 handler that says what is wrong without repeating what was sent.

FastAPI's default handler returns each error's `input` (personal data, tokens,
whatever the client sent) and fails with a 500 when that input is NaN, which
JSON cannot encode. Here only the location, the error type and a message that
never contains the input are returned; messages of custom and e-mail
validators, which may quote the value, are replaced by a generic one.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse

MAX_ERRORS = 20
MAX_LOC_LENGTH = 64
_GENERIC_MESSAGES = {
    "json_invalid": "Malformed JSON body",
    "value_error": "Invalid value",
    "assertion_error": "Invalid value",
    "string_pattern_mismatch": "Invalid characters or format",  # not the (long) pattern itself
}


def _safe_loc_part(part: Any) -> str | int:
    if isinstance(part, int):
        return part
    # Field names of unknown (extra) fields come from the client: keep them short and printable.
    return "".join(char for char in str(part)[:MAX_LOC_LENGTH] if char.isprintable())


def sanitize_errors(errors: Any) -> list[dict[str, Any]]:
    cleaned = []
    for error in list(errors)[:MAX_ERRORS]:
        error_type = str(error.get("type", "value_error"))
        cleaned.append(
            {
                "loc": [_safe_loc_part(part) for part in error.get("loc", ())],
                "type": error_type,
                "msg": _GENERIC_MESSAGES.get(error_type, str(error.get("msg", "Invalid value"))),
            }
        )
    return cleaned


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse(
        status_code=422,
        content={"code": "invalid_request", "message": "request validation failed", "errors": sanitize_errors(errors)},
    )
