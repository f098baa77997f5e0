"""Test helpers for the auth suites: key pairs, token minting and a local JWKS/OIDC server (HTTP or HTTPS)."""

from __future__ import annotations

import base64
import ipaddress
import json
import ssl
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm


@dataclass
class RsaKey:
    kid: str
    private_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self, **overrides: Any) -> dict[str, Any]:
        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig", **overrides}

    def sign(self, claims: dict[str, Any], *, algorithm: str = "RS256", headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(claims, self.private_key, algorithm=algorithm, headers={"kid": self.kid, **(headers or {})})


def claims(issuer: str, audience: str | None, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": issuer,
        "sub": "user-1",
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "roles": ["admin"],
    }
    if audience is not None:
        base["aud"] = audience
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_signed(header: dict[str, Any], payload: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    """RS256 over arbitrary header/payload JSON, bypassing PyJWT's own claim and header checks."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = RSAAlgorithm(RSAAlgorithm.SHA256).sign(signing_input.encode(), key)
    return f"{signing_input}.{b64(signature)}"


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: str = "") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{signature}"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for 127.0.0.1; the certificate is its own CA, for SSL_CERT_FILE."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.pem", directory / "server-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class KeyServer:
    """Serves a JWKS and (optionally) an OIDC discovery document on 127.0.0.1, counting hits.

    With `tls` (a server context) it speaks HTTPS; `jwks_uri` overrides what discovery names.
    `redirect_to` answers every request with a 302 there; `delay` holds each answer that long.
    """

    def __init__(
        self,
        keys: list[dict[str, Any]],
        *,
        issuer: str | None = None,
        tls: ssl.SSLContext | None = None,
        jwks_uri: str | None = None,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.jwks_uri = jwks_uri
        self.hits: dict[str, int] = {}
        self.down = False
        self.redirect_to: str | None = None
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                time.sleep(server.delay)
                if server.redirect_to is not None:
                    self.send_response(302)
                    self.send_header("Location", server.redirect_to)
                    self.end_headers()
                    return
                body = server.respond(self.path)
                if body is None:
                    self.send_response(503 if server.down else 404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._httpd.server_address[1]}"

    def respond(self, path: str) -> bytes | None:
        if self.down:
            return None
        if path == "/jwks.json":
            return json.dumps({"keys": self.keys}).encode()
        if path == "/.well-known/openid-configuration":
            document = {"issuer": self.issuer or self.url, "jwks_uri": self.jwks_uri or f"{self.url}/jwks.json"}
            return json.dumps(document).encode()
        return None

    @property
    def jwks_hits(self) -> int:
        return self.hits.get("/jwks.json", 0)

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())

    def start(self) -> None:
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def key_server(
    keys: list[dict[str, Any]],
    *,
    issuer: str | None = None,
    tls: ssl.SSLContext | None = None,
    jwks_uri: str | None = None,
) -> Iterator[KeyServer]:
    server = KeyServer(keys, issuer=issuer, tls=tls, jwks_uri=jwks_uri)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def served_jwks(url: str, *, timeout_seconds: float) -> Callable[[], Mapping[str, Any]]:
    """A plain fetcher of a test server's JWKS: the shared verifier's suites run with every provider's render."""

    def fetch() -> Mapping[str, Any]:
        with urllib.request.urlopen(url, timeout=timeout_seconds) as response:  # noqa: S310 - the tests' own server
            document: dict[str, Any] = json.loads(response.read())
        return document

    return fetch


def tls_server_context(certificate: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    return context
