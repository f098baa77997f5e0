"""The service as its own token issuer: RS256 key ring in Secrets Manager, refresh tokens, revocation.

- signing_keys.py: an RS256 signing key, its JWK and how a key ring is stored.
- key_rings.py: the ring (current + previous key) in Secrets Manager or in memory, and rotation.
  A second secret holds only the public keys, which is all the Lambda authorizer reads.
- clients.py: the machine-client registry (AUTH_CLIENTS) and secret hashing.
- token_service.py: the grants: client credentials, refresh-token rotation, revocation.
- revocations.py: revoked access-token ids, shared through the database, checked on the request path.
- token_store.py: refresh tokens, their families and revocations in the service's database.

Their ports live in application/issued_tokens.py; providers/self_issued.py wires them up.
"""
