"""Envelope encryption of customer PII and the HMAC blind index used to find it.

A KMS key (one per key version) wraps random 256-bit data keys; each field is
sealed with AES-256-GCM under a data key, and the wrapped data key travels with
the ciphertext. See docs/security.md for the format and for key rotation.
"""
