"""Engine construction: URL or Secrets Manager credentials, TLS and pool settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import URL, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ..aws_parameters import AwsParameters
from ..settings import Settings
from .tls import client_ssl_context


def create_engine(settings: Settings, parameters: AwsParameters | None = None) -> AsyncEngine:
    secret_id = settings.database_secret_id
    if secret_id is None:
        url = make_url(settings.database_url.get_secret_value())
    else:
        parameters = parameters or AwsParameters(
            region=settings.aws_region, max_age_seconds=settings.parameters_max_age_seconds
        )
        url = _url_from_secret(secret_id, settings.database_host_parameter, parameters)
    if url.get_backend_name() == "sqlite":
        return create_async_engine(url)
    engine = create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=_postgres_connect_args(settings),
    )
    if parameters is not None and secret_id is not None:
        _read_password_per_connection(engine, parameters, secret_id)
    return engine


def _postgres_connect_args(settings: Settings) -> dict[str, Any]:
    args: dict[str, Any] = {"timeout": settings.database_connect_timeout_seconds}
    context = client_ssl_context(settings.database_tls, settings.database_ca_bundle)
    # asyncpg takes TLS as a connect argument; sslmode in the URL would be ignored or misread.
    args["ssl"] = context if context is not None else False
    return args


def _url_from_secret(secret_id: str, host_parameter: str | None, parameters: AwsParameters) -> URL:
    secret = parameters.secret_json(secret_id)
    host = parameters.parameter(host_parameter) if host_parameter else secret["host"]
    return URL.create(
        "postgresql+asyncpg",
        username=secret["username"],
        host=host,
        port=int(secret.get("port", 5432)),
        database=secret.get("dbname", "postgres"),
    )


def _read_password_per_connection(engine: AsyncEngine, parameters: AwsParameters, secret_id: str) -> None:
    """New connections take the password from the (TTL-cached) secret, so rotation needs no restart."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _inject_password(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["password"] = parameters.secret_json(secret_id)["password"]
