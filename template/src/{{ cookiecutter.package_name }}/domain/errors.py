"""Errors raised when a domain invariant would be broken."""


class DomainError(Exception):
    """Base class of every domain rule violation."""


class InvalidValueError(DomainError):
    """A value object was given a value that breaks its invariant."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
