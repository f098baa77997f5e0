"""Self-issued tokens: /.well-known/jwks.json, /oauth/token (client credentials, refresh) and /oauth/revoke.

Client authentication is HTTP Basic or `client_id`/`client_secret` form fields
(RFC 6749 §2.3.1). Responses carry `Cache-Control: no-store`; errors follow RFC
6749 §5.2 and never echo the presented secret or token.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from ..application.issued_tokens import TokenGrantError, TokenIssuer

MAX_FORM_BYTES = 16 * 1024
MAX_FORM_FIELDS = 10  # more than any request here needs (RFC 6749 §4.4.2, §6; RFC 7009 §2.1)
BEARER = "Bearer"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

# OpenAPI only (the endpoints read the form themselves): RFC 6749 §4.4.2, §5, §6 and RFC 7009 §2.
_OAUTH_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {"application/json": {"schema": _OAUTH_ERROR}}}
    for status, description in (
        (400, "invalid_request, invalid_grant, unsupported_grant_type ..."),
        (401, "invalid_client (HTTP Basic challenge)"),
        (503, "temporarily_unavailable: the token store is unreachable"),
    )
}
_TOKEN = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"const": BEARER},
        "expires_in": {"type": "integer"},
        "refresh_token": {"type": "string"},
    },
}


def _form_body(*fields: str) -> dict[str, Any]:
    properties = {field: {"type": "string"} for field in ("client_id", "client_secret", *fields)}
    return {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": properties}}}}


def _required(service: TokenIssuer | None) -> TokenIssuer:
    if service is None:  # the app's verifier issues no tokens (a test's stand-in)
        raise TokenGrantError("unsupported_grant_type")
    return service


# The refresh-token store (the service's database) is unreachable: retryable, never a 500.
_STORE_DOWN = (SQLAlchemyError, OSError, TimeoutError)


def _unavailable() -> JSONResponse:
    headers = {**NO_STORE, "Retry-After": "5"}
    return JSONResponse({"error": "temporarily_unavailable"}, status_code=503, headers=headers)


def _error(code: str) -> JSONResponse:
    status = 401 if code == "invalid_client" else 400
    headers = {**NO_STORE, **({"WWW-Authenticate": "Basic"} if status == 401 else {})}
    return JSONResponse({"error": code}, status_code=status, headers=headers)


async def _form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise TokenGrantError("invalid_request")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise TokenGrantError("invalid_request")
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:  # more fields than MAX_FORM_FIELDS
        raise TokenGrantError("invalid_request") from None
    if any(len(values) != 1 for values in fields.values()):
        raise TokenGrantError("invalid_request")  # RFC 6749 §3.2: parameters must not repeat
    return {name: values[0] for name, values in fields.items()}


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    authorization = request.headers.get("authorization", "")
    if authorization[:6].lower() == "basic ":
        if "client_secret" in form:
            raise TokenGrantError("invalid_request")  # RFC 6749 §2.3: one authentication method only
        try:
            client_id, _, secret = base64.b64decode(authorization[6:], validate=True).decode().partition(":")
        except ValueError:  # binascii.Error, non-ASCII input and UnicodeDecodeError are all ValueErrors
            raise TokenGrantError("invalid_client") from None
        return client_id, secret
    form_id, form_secret = form.get("client_id"), form.get("client_secret")
    if not form_id or not form_secret:
        raise TokenGrantError("invalid_client")
    return form_id, form_secret


def token_router(issuer: Callable[[], TokenIssuer | None]) -> APIRouter:
    """The endpoints of the token service `issuer()` returns (None: every grant is unsupported, no keys)."""
    router = APIRouter(tags=["auth"])

    @router.get("/.well-known/jwks.json", include_in_schema=False)
    async def jwks() -> JSONResponse:
        try:
            keys = await asyncio.to_thread(_required(issuer()).public_jwks)
        except TokenGrantError:
            return JSONResponse({"keys": []}, status_code=404)
        # Served `no-store` like every response (SecurityHeadersMiddleware replaces any
        # Cache-Control); verifiers cache the key set themselves.
        return JSONResponse(keys)

    @router.post(
        "/oauth/token",
        responses={200: {"content": {"application/json": {"schema": _TOKEN}}}, **_OAUTH_ERRORS},
        openapi_extra={"requestBody": _form_body("grant_type", "refresh_token")},
    )
    async def token(request: Request) -> JSONResponse:
        try:
            service = _required(issuer())
            form = await _form(request)
            client_id, secret = _client_credentials(request, form)
            grant = form.get("grant_type")
            if grant == "client_credentials":
                pair = await service.client_credentials(client_id, secret)
            elif grant == "refresh_token" and form.get("refresh_token"):
                pair = await service.refresh(client_id, secret, form["refresh_token"])
            else:
                raise TokenGrantError("unsupported_grant_type" if grant else "invalid_request")
        except TokenGrantError as error:
            return _error(error.code)
        except _STORE_DOWN:
            return _unavailable()
        body: dict[str, Any] = {
            "access_token": pair.access_token,
            "token_type": BEARER,
            "expires_in": pair.expires_in,
            "refresh_token": pair.refresh_token,
        }
        return JSONResponse(body, headers=NO_STORE)

    @router.post(
        "/oauth/revoke",
        response_class=Response,
        responses={200: {"description": "Revoked, or nothing to revoke (RFC 7009 §2.2)"}, **_OAUTH_ERRORS},
        openapi_extra={"requestBody": _form_body("token", "token_type_hint")},
    )
    async def revoke(request: Request) -> Response:
        try:
            service = _required(issuer())
            form = await _form(request)
            client_id, secret = _client_credentials(request, form)
            await service.revoke(client_id, secret, form.get("token"))
        except TokenGrantError as error:
            return _error(error.code)
        except _STORE_DOWN:
            return _unavailable()
        return Response(status_code=200, headers=NO_STORE)

    return router
