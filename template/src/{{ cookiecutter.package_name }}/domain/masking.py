"""Masked forms of personal data, for the rare log or audit field that must refer to it."""

from __future__ import annotations


def mask_email(address: str) -> str:
    """'ada.lovelace@example.com' -> 'a***@example.com' (the domain helps support, the rest is hidden)."""
    local, at, domain = address.partition("@")
    if not at:
        return mask_text(address)
    return f"{local[:1]}***@{domain}"


def mask_text(value: str) -> str:
    """'Lovelace' -> 'L***'; never reveals the length."""
    return f"{value[:1]}***" if value else ""


def mask_identifier(value: str) -> str:
    """Subjects are opaque ids, except with identity providers that use the e-mail address."""
    return mask_email(value) if "@" in value else value
