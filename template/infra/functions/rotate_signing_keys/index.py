"""Secrets Manager rotation of the service's RS256 key ring (the service's own format).

createSecret puts a pending ring [new key, current key]; setSecret publishes the public
keys of the pending and current rings to the JWKS secret (so verifiers know the new key
before anyone signs with it); testSecret checks both; finishSecret makes the ring
current. The service signs with a new key only after its activation delay.
"""

import base64
import json
import logging
import secrets
import textwrap
import time

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)
secretsmanager = boto3.client("secretsmanager")
kms = boto3.client("kms")
KEYS_KEPT = 2  # current + previous, as the service keeps them
JWKS_TAG = "public-jwks-secret"


def _element(data, at):
    """The DER element at `at`: (tag, content, end)."""
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[at : at + size], "big")
        at += size
    return tag, data[at : at + length], at + length


def _children(data):
    at, children = 0, []
    while at < len(data):
        tag, content, at = _element(data, at)
        children.append((tag, content))
    return children


def _b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(entry):
    """The JWK of a ring entry: n and e read from its PKCS#8 RSAPrivateKey."""
    body = "".join(line for line in entry["private_key_pem"].splitlines() if not line.startswith("-----"))
    _, info, _ = _element(base64.b64decode(body), 0)
    private_key = _children(info)[2]  # version, algorithm, privateKey
    _, rsa_key, _ = _element(private_key[1], 0)
    numbers = _children(rsa_key)
    modulus, exponent = numbers[1][1].lstrip(b"\x00"), numbers[2][1].lstrip(b"\x00")
    if len(modulus) < 256 or int.from_bytes(exponent, "big") != 65537:
        raise ValueError(f"key {entry['kid']} is not a 2048-bit (or larger) RSA key with e=65537")
    return {
        "kty": "RSA",
        "key_ops": ["verify"],
        "n": _b64url(modulus),
        "e": _b64url(exponent),
        "kid": entry["kid"],
        "alg": "RS256",
        "use": "sig",
    }


def _pem(der):
    lines = textwrap.wrap(base64.b64encode(der).decode(), 64)
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"


def _ring(arn, **version):
    value = secretsmanager.get_secret_value(SecretId=arn, **version)["SecretString"]
    try:
        keys = json.loads(value)["keys"]
    except (ValueError, KeyError, TypeError):
        return []  # not a ring yet: the first rotation starts one
    return keys if isinstance(keys, list) else []


def create(arn, token, metadata):
    try:
        secretsmanager.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        return  # an earlier attempt of this rotation created it
    except secretsmanager.exceptions.ResourceNotFoundException:
        pass
    current = _ring(arn, VersionStage="AWSCURRENT")
    pair = kms.generate_data_key_pair(KeyId=metadata["KmsKeyId"], KeyPairSpec="RSA_2048")
    created = int(time.time())
    entry = {
        "kid": f"{created}-{secrets.token_hex(4)}",
        "alg": "RS256",
        "private_key_pem": _pem(pair["PrivateKeyPlaintext"]),
        "created_at": created,
    }
    public_jwk(entry)
    ring = {"keys": [entry, *current][:KEYS_KEPT]}
    secretsmanager.put_secret_value(
        SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(ring), VersionStages=["AWSPENDING"]
    )
    logger.info("created signing key %s", entry["kid"])


def _published_keys(arn, token):
    pending = _ring(arn, VersionId=token, VersionStage="AWSPENDING")
    current = _ring(arn, VersionStage="AWSCURRENT")
    keys, seen = [], set()
    for entry in pending + current:
        if entry["kid"] not in seen:
            seen.add(entry["kid"])
            keys.append(public_jwk(entry))
    return pending, keys


def publish(arn, token, metadata):
    _, keys = _published_keys(arn, token)
    jwks = json.dumps({"keys": keys})
    target = _jwks_secret(metadata)
    if secretsmanager.get_secret_value(SecretId=target)["SecretString"] != jwks:
        secretsmanager.put_secret_value(SecretId=target, SecretString=jwks)


def test(arn, token, metadata):
    pending, keys = _published_keys(arn, token)
    published = json.loads(secretsmanager.get_secret_value(SecretId=_jwks_secret(metadata))["SecretString"])
    if not pending or any(key not in published["keys"] for key in keys):
        raise ValueError("the public JWKS does not hold every key of the pending ring")


def finish(arn, token, metadata):
    for version, stages in metadata["VersionIdsToStages"].items():
        if "AWSCURRENT" in stages and version != token:
            secretsmanager.update_secret_version_stage(
                SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=version
            )
            logger.info("signing key ring version %s is current", token)


def _jwks_secret(metadata):
    return next(tag["Value"] for tag in metadata.get("Tags", []) if tag["Key"] == JWKS_TAG)


STEPS = {"createSecret": create, "setSecret": publish, "testSecret": test, "finishSecret": finish}


def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    metadata = secretsmanager.describe_secret(SecretId=arn)
    stages = metadata.get("VersionIdsToStages", {}).get(token)
    if not metadata.get("RotationEnabled") or stages is None:
        raise ValueError("rotation is not enabled, or the version is unknown")
    if "AWSCURRENT" in stages:
        return  # this rotation already finished
    if "AWSPENDING" not in stages:
        raise ValueError("the version is not pending rotation")
    STEPS[step](arn, token, metadata)
