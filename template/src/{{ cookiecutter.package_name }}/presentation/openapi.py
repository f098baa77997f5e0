"""The OpenAPI document declares every status an operation can answer, with the one error-body schema.

Routes declare what their handler answers (201, 404, 409 ...). What the layers
around them answer is added here, once per operation it applies to:

- an operation with a request body: 400 (not UTF-8, nested too deeply), 413 and
  415 from RequestLimitsMiddleware;
- an operation with parameters or a JSON body: 422, in the service's error shape
  (FastAPI's default declares a shape this service never sends);
- an authenticated operation (one that declares `security`): 401 with its
  `WWW-Authenticate` challenge, 403, and 503 with `Retry-After` (identity
  provider or storage unavailable);
- every operation, when rate limiting is on: 429 with `Retry-After`.

Each error is `Problem` (presentation/schemas.py), the body errors.py,
validation_errors.py and the middleware write, unless the route declares its own
answer for that status (the OAuth endpoints answer RFC 6749 errors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from .schemas import Problem

_PROBLEM_REF = "#/components/schemas/Problem"
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"  # FastAPI's default 422 body, not this service's
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}, "required": True}
}
_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {"description": "The RFC 6750 bearer challenge", "schema": {"type": "string"}, "required": True}
}

WITH_BODY = {
    "400": "The body is not UTF-8 JSON, or nests deeper than MAX_JSON_DEPTH",
    "413": "The body is larger than MAX_REQUEST_BODY_BYTES",
    "415": "The body is not application/json (UTF-8)",
}
AUTHENTICATED = {
    "401": "No bearer token, or one that is not valid",
    "403": "The token does not grant the permission this operation needs",
    "503": "The identity provider or the storage is unavailable; retry after `Retry-After` seconds",
}
VALIDATED = {"422": "The request does not match this operation's schema; `errors` says where"}
RATE_LIMITED = {"429": "Too many requests; retry after `Retry-After` seconds"}
_HEADERS = {"401": _WWW_AUTHENTICATE, "429": _RETRY_AFTER, "503": _RETRY_AFTER}


def _problem(description: str, status: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _PROBLEM_REF}}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def error_responses(operation: dict[str, Any], *, rate_limited: bool) -> dict[str, str]:
    """status -> description of what the layers around the route answer for this operation."""
    statuses: dict[str, str] = {}
    body = operation.get("requestBody", {}).get("content", {})
    if body:
        statuses |= WITH_BODY
    # FastAPI validates JSON bodies and parameters (422); a form read by the endpoint itself is not.
    if "application/json" in body or operation.get("parameters"):
        statuses |= VALIDATED
    if operation.get("security"):
        statuses |= AUTHENTICATED
    if rate_limited:
        statuses |= RATE_LIMITED
    return statuses


def _declare(schema: dict[str, Any], *, rate_limited: bool) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("Problem", problem)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in error_responses(operation, rate_limited=rate_limited).items():
                declared = responses.get(status, {})
                if "content" in declared and _FASTAPI_422 not in repr(declared["content"]):
                    continue  # the route declares its own answer (e.g. the OAuth endpoints' RFC 6749 errors)
                responses[status] = _problem(declared.get("description", description), status) | {
                    key: value for key, value in declared.items() if key not in {"content", "description"}
                }
    # FastAPI's own 422 shape is referenced nowhere now: keep it out of the document.
    if _FASTAPI_422 not in repr(schema["paths"]):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)


def document_error_responses(app: FastAPI, *, rate_limited: bool = False) -> None:
    """Adds the statuses of the middleware, validation and authentication layers to every operation."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        _declare(schema, rate_limited=rate_limited)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
