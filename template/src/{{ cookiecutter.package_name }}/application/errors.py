"""Errors the use cases raise; the presentation layer maps each to an HTTP status."""


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


class AuthenticationError(ApplicationError):
    """The presented credentials are missing, malformed, expired or not trusted."""


class AuthenticationUnavailableError(ApplicationError):
    """Credentials cannot be checked right now (e.g. the key endpoint is down); answered 503."""


class StorageUnavailableError(ApplicationError):
    """The persistence backend cannot be reached; the request may be retried."""
