"""Test helpers for the auth suites: key pairs, token minting and a local JWKS/OIDC HTTP server."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
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


class KeyServer:
    """Serves a JWKS and (optionally) an OIDC discovery document on 127.0.0.1, counting hits."""

    def __init__(self, keys: list[dict[str, Any]], *, issuer: str | None = None) -> None:
        self.keys = keys
        self.issuer = issuer
        self.hits: dict[str, int] = {}
        self.down = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
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
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def respond(self, path: str) -> bytes | None:
        if self.down:
            return None
        if path == "/jwks.json":
            return json.dumps({"keys": self.keys}).encode()
        if path == "/.well-known/openid-configuration":
            document = {"issuer": self.issuer or self.url, "jwks_uri": f"{self.url}/jwks.json"}
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
def key_server(keys: list[dict[str, Any]], *, issuer: str | None = None) -> Iterator[KeyServer]:
    server = KeyServer(keys, issuer=issuer)
    server.start()
    try:
        yield server
    finally:
        server.stop()
