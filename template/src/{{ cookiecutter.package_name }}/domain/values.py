"""Value objects of the customer domain; each validates itself on creation."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass

from .errors import InvalidValueError
from .text import has_refused_character

# Practical address shape (RFC 5321 limits), not the full RFC 5322 grammar:
# the address is also checked by sending mail to it, which this service does not do.
_EMAIL = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class CustomerId:
    value: uuid.UUID

    @classmethod
    def new(cls) -> CustomerId:
        return cls(uuid.uuid4())

    @classmethod
    def parse(cls, raw: str) -> CustomerId:
        try:
            return cls(uuid.UUID(raw))
        except ValueError:
            raise InvalidValueError("id", "must be a UUID") from None

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class Email:
    """An e-mail address, stored lower-cased so uniqueness is case-insensitive."""

    value: str

    def __post_init__(self) -> None:
        normalized = self.value.strip().lower()
        if len(normalized) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(normalized):
            raise InvalidValueError("email", "must be a valid e-mail address")
        object.__setattr__(self, "value", normalized)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class PersonName:
    """A first or last name: any script is allowed, control characters are not."""

    value: str

    def __post_init__(self) -> None:
        normalized = unicodedata.normalize("NFC", " ".join(self.value.split()))
        if not 1 <= len(normalized) <= MAX_NAME_LENGTH:
            raise InvalidValueError("name", f"must have 1 to {MAX_NAME_LENGTH} characters")
        if has_refused_character(normalized):
            raise InvalidValueError("name", "must not contain control or format characters")
        object.__setattr__(self, "value", normalized)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A phone number in E.164 form (+ country code, at most 15 digits)."""

    value: str

    def __post_init__(self) -> None:
        normalized = _PHONE_SEPARATORS.sub("", self.value)
        if normalized.startswith("00"):
            normalized = "+" + normalized[2:]
        if not _E164.fullmatch(normalized):
            raise InvalidValueError("phone", "must be an international number such as +353861234567")
        object.__setattr__(self, "value", normalized)

    def __str__(self) -> str:
        return self.value
