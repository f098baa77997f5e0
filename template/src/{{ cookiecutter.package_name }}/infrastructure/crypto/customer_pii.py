"""Seals and opens the PII columns of a customer row, and builds the e-mail blind index.

Both are bound to the row's tenant: a row moved to another tenant in the database
neither decrypts nor is found by e-mail there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..aws_parameters import AwsParameters
from .blind_index import BlindIndex, dev_only_keys, keys_from_secret
from .envelope import FieldContext, FieldEncryptor, PreparedKey
from .keys import KeyProvider, KmsKeyProvider, LocalDevKeyring

if TYPE_CHECKING:
    from ..settings import Settings

TABLE = "customers"
EMAIL_INDEX = "customer-email"


@dataclass(frozen=True, slots=True)
class CustomerPii:
    email: str = field(repr=False)
    first_name: str = field(repr=False)
    last_name: str = field(repr=False)
    phone: str | None = field(repr=False)


@dataclass(frozen=True, slots=True)
class SealedCustomerPii:
    email: str
    email_index: str
    first_name: str
    last_name: str
    phone: str | None
    key_version: int


class CustomerPiiCodec:
    def __init__(self, encryptor: FieldEncryptor, index: BlindIndex, *, search_scan_limit: int = 500) -> None:
        self.encryptor = encryptor
        self.index = index
        # How many recent customers a non-e-mail search decrypts and scans at most.
        self.search_scan_limit = search_scan_limit

    def seal(self, record_id: str, pii: CustomerPii, *, tenant: str | None) -> SealedCustomerPii:
        def seal(column: str, value: str) -> str:
            return self.encryptor.encrypt(value, FieldContext(TABLE, column, record_id, tenant))

        return SealedCustomerPii(
            email=seal("email", pii.email),
            email_index=self.index.compute(EMAIL_INDEX, _normalized_email(pii.email), tenant=tenant),
            first_name=seal("first_name", pii.first_name),
            last_name=seal("last_name", pii.last_name),
            phone=seal("phone", pii.phone) if pii.phone is not None else None,
            key_version=self.encryptor.active_version,
        )

    async def seal_async(self, record_id: str, pii: CustomerPii, *, tenant: str | None) -> SealedCustomerPii:
        """`seal` for the event loop: a KMS call for a new data key runs in a worker thread."""
        await self.encryptor.prepare_encryption(fields=4)
        return self.seal(record_id, pii, tenant=tenant)

    async def open_many(
        self, records: Sequence[tuple[str, SealedCustomerPii]], *, tenant: str | None
    ) -> list[CustomerPii]:
        """`open` for the event loop and for pages of one tenant: each data key is unwrapped once, in a thread."""
        keys = await self.encryptor.unwrap_keys(
            token
            for _, sealed in records
            for token in (sealed.email, sealed.first_name, sealed.last_name, sealed.phone)
        )
        return [self.open(record_id, sealed, tenant=tenant, keys=keys) for record_id, sealed in records]

    def open(
        self,
        record_id: str,
        sealed: SealedCustomerPii,
        *,
        tenant: str | None,
        keys: Mapping[bytes, PreparedKey] | None = None,
    ) -> CustomerPii:
        def unseal(column: str, token: str) -> str:
            return self.encryptor.decrypt(token, FieldContext(TABLE, column, record_id, tenant), keys=keys)

        return CustomerPii(
            email=unseal("email", sealed.email),
            first_name=unseal("first_name", sealed.first_name),
            last_name=unseal("last_name", sealed.last_name),
            phone=unseal("phone", sealed.phone) if sealed.phone is not None else None,
        )

    def email_index_candidates(self, email: str, *, tenant: str | None) -> list[str]:
        return self.index.candidates(EMAIL_INDEX, _normalized_email(email), tenant=tenant)

    def is_current(self, key_version: int, email_index: str) -> bool:
        """False when the row still uses an older encryption or blind-index key."""
        return (
            key_version == self.encryptor.active_version
            and BlindIndex.version_of(email_index) == self.index.active_version
        )


def _normalized_email(email: str) -> str:
    # The index must match however the address was capitalised.
    return email.strip().lower()


def key_provider(settings: Settings) -> KeyProvider:
    if not settings.pii_kms_key_ids:
        # Refused (raises) in any environment but local.
        versions = frozenset(range(1, settings.pii_active_key_version + 1))
        return LocalDevKeyring(environment=settings.environment.value, versions=versions)
    import boto3  # noqa: PLC0415 - a third of a second to import: only where a client is made
    from botocore.config import Config  # noqa: PLC0415 - with boto3

    client = boto3.client(
        "kms",
        region_name=settings.aws_region,
        config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 3}),
    )
    return KmsKeyProvider(client, settings.pii_kms_key_ids, service=settings.service_name)


def blind_index(settings: Settings, parameters: AwsParameters | None = None) -> BlindIndex:
    secret_id = settings.pii_blind_index_secret_id
    if secret_id is None:
        return BlindIndex(dev_only_keys(environment=settings.environment.value))
    source = parameters or AwsParameters(
        region=settings.aws_region, max_age_seconds=settings.parameters_max_age_seconds
    )
    # Read on use through the TTL cache: no AWS call at start-up, and a new key version
    # added to the secret is seen without a restart.
    return BlindIndex(
        lambda: keys_from_secret(source.secret_json(secret_id)),
        active_version=settings.pii_blind_index_active_version,
    )


def build_codec(
    settings: Settings, *, keys: KeyProvider | None = None, parameters: AwsParameters | None = None
) -> CustomerPiiCodec:
    encryptor = FieldEncryptor(
        keys or key_provider(settings),
        active_version=settings.pii_active_key_version,
        max_age_seconds=settings.pii_data_key_max_age_seconds,
        max_messages=settings.pii_data_key_max_messages,
    )
    return CustomerPiiCodec(
        encryptor, blind_index(settings, parameters), search_scan_limit=settings.pii_search_scan_limit
    )
