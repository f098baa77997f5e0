"""Errors the use cases raise; the presentation layer maps each to an HTTP status."""

import enum


class ApplicationError(Exception):
    """Base class of the errors a caller of a use case is expected to handle."""


class CustomerNotFoundError(ApplicationError):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"customer {customer_id} not found")


class EmailAlreadyRegisteredError(ApplicationError):
    def __init__(self) -> None:
        # The address itself is personal data: keep it out of the message and logs.
        super().__init__("a customer with this e-mail address already exists")


class PermissionDeniedError(ApplicationError):
    def __init__(self, permission: str) -> None:
        super().__init__(f"missing permission {permission}")
        self.permission = permission


class AuthFailureReason(enum.StrEnum):
    """Why a credential was refused: a closed set, safe for logs, audit events and metric dimensions.

    Never shown to the client, whose answer stays a generic 401 (or 503).
    """

    MISSING_TOKEN = "missing_token"  # noqa: S105 - a reason code, not a credential
    INVALID_REQUEST = "invalid_request"  # an Authorization header that is not `Bearer <token>`
    HEADER_TOO_LARGE = "header_too_large"
    MALFORMED = "malformed"  # segments, encoding, JSON of the header or payload
    DISALLOWED_ALG = "disallowed_alg"
    INVALID_KID = "invalid_kid"  # absent, not a string, too long
    FORBIDDEN_HEADER = "forbidden_header"  # jku, x5u, jwk, x5c, crit
    UNKNOWN_KID = "unknown_kid"
    KEY_MISMATCH = "key_mismatch"  # the JWK's alg/use/kty does not allow this token
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_AUDIENCE = "wrong_audience"  # aud, or client_id of Cognito access tokens
    WRONG_TOKEN_USE = "wrong_token_use"  # noqa: S105 - a reason code, not a credential
    MISSING_CLAIM = "missing_claim"
    INVALID_CLAIM = "invalid_claim"
    REVOKED = "revoked"
    KEYS_UNAVAILABLE = "keys_unavailable"


class AuthenticationError(ApplicationError):
    """The presented credentials are missing, malformed, expired or not trusted."""

    def __init__(self, message: str = "invalid token", reason: AuthFailureReason = AuthFailureReason.MALFORMED) -> None:
        super().__init__(message)
        self.reason = reason


class AuthenticationUnavailableError(ApplicationError):
    """Credentials cannot be checked right now (e.g. the key endpoint is down); answered 503."""

    reason = AuthFailureReason.KEYS_UNAVAILABLE


class StorageUnavailableError(ApplicationError):
    """The persistence backend cannot be reached; the request may be retried."""
