"""Request and error bodies; the domain value objects do the deeper validation.

Successful responses are the application's views (application/dto.py), serialized by FastAPI.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..domain.customer import CustomerStatus
from .input_types import EmailText, NameText, PhoneText


class RequestBody(BaseModel):
    # Unknown fields are an error, not silently dropped: catches typos and mass assignment.
    # NaN/Infinity are refused; every string is bounded (see input_types.py).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False, str_max_length=1000)


class CustomerCreate(RequestBody):
    email: EmailText = Field(examples=["ada.lovelace@example.com"])
    first_name: NameText = Field(examples=["Ada"])
    last_name: NameText = Field(examples=["Lovelace"])
    phone: PhoneText | None = Field(default=None, examples=["+442071234567"])


class CustomerUpdate(RequestBody):
    """Fields left out stay unchanged; `"phone": null` removes the phone number."""

    model_config = RequestBody.model_config | ConfigDict(json_schema_extra={"minProperties": 1})

    email: EmailText | None = None
    first_name: NameText | None = None
    last_name: NameText | None = None
    phone: PhoneText | None = None
    status: CustomerStatus | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class FieldError(BaseModel):
    """Where a request failed validation and why; never the value that was sent."""

    loc: list[str | int]
    type: str
    msg: str


class Problem(BaseModel):
    """Every error body: a stable code and a safe message, never internals; 422 adds `errors`."""

    code: str
    message: str
    errors: list[FieldError] = Field(default_factory=list, max_length=20)
