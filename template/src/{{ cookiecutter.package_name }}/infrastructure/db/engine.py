"""Engine construction: a URL, or coordinates with a per-connection password or IAM token; TLS and pool settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, event, exc, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ..aws_parameters import AwsParameters
from ..settings import Settings
from .tls import client_ssl_context

if TYPE_CHECKING:
    from mypy_boto3_rds.client import RDSClient


def create_engine(
    settings: Settings, parameters: AwsParameters | None = None, *, rds: RDSClient | None = None
) -> AsyncEngine:
    if settings.uses_database_url:
        url = make_url(settings.database_url.get_secret_value())
        if url.get_backend_name() == "sqlite":
            return create_async_engine(url)
        return _postgres_engine(settings, url)
    if parameters is None and (settings.database_secret_id or settings.database_host_parameter):
        parameters = AwsParameters(region=settings.aws_region, max_age_seconds=settings.parameters_max_age_seconds)
    url = _url_from_coordinates(settings, parameters)
    engine = _postgres_engine(settings, url)
    if settings.database_iam_auth:
        _sign_in_with_iam_token_per_connection(engine, url, rds or _rds_client(settings), settings.aws_region)
    elif parameters is not None and settings.database_secret_id is not None:
        _read_password_per_connection(engine, parameters, settings.database_secret_id)
    return engine


def _postgres_engine(settings: Settings, url: URL) -> AsyncEngine:
    # No pool_pre_ping: on asyncpg it costs BEGIN, a ping and ROLLBACK before every checkout.
    # A connection the server closed (restart, failover, pg_terminate_backend) is known to
    # the driver without asking; recycling bounds the age of the rest.
    engine = create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        pool_recycle=1800,
        connect_args=_postgres_connect_args(settings),
    )
    event.listen(engine.sync_engine.pool, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
    """Hand out no connection the server has closed: the pool replaces it (DisconnectionError), no round trip."""
    if connection_record.driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this pooled connection")


def _postgres_connect_args(settings: Settings) -> dict[str, Any]:
    args: dict[str, Any] = {"timeout": settings.database_connect_timeout_seconds}
    context = client_ssl_context(settings.database_tls, settings.database_ca_bundle)
    # asyncpg takes TLS as a connect argument; sslmode in the URL would be ignored or misread.
    args["ssl"] = context if context is not None else False
    return args


def _url_from_coordinates(settings: Settings, parameters: AwsParameters | None) -> URL:
    """Plain settings first; the secret's own host, port and name (older secret format) fill the gaps."""
    secret: dict[str, Any] = {}
    if settings.database_secret_id is not None and parameters is not None:
        secret = parameters.secret_json(settings.database_secret_id)
    host = settings.database_host or secret.get("host")
    if settings.database_host_parameter is not None and parameters is not None:
        host = parameters.parameter(settings.database_host_parameter)
    if not host:
        raise ValueError("no database host: set DATABASE_HOST (or DATABASE_HOST_PARAMETER)")
    return URL.create(
        "postgresql+asyncpg",
        username=settings.database_user or secret["username"],
        host=host,
        port=settings.database_port or int(secret.get("port", 5432)),
        database=settings.database_name or secret.get("dbname", "postgres"),
    )


def _read_password_per_connection(engine: AsyncEngine, parameters: AwsParameters, secret_id: str) -> None:
    """New connections take the password from the (TTL-cached) secret, so rotation needs no restart."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _inject_password(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["password"] = parameters.secret_json(secret_id)["password"]


def _rds_client(settings: Settings) -> RDSClient:
    import boto3  # noqa: PLC0415 - a third of a second to import; only IAM sign-in needs it
    from botocore.config import Config  # noqa: PLC0415 - with boto3

    return boto3.client("rds", region_name=settings.aws_region, config=Config(retries={"max_attempts": 3}))


def _sign_in_with_iam_token_per_connection(engine: AsyncEngine, url: URL, rds: RDSClient, region: str) -> None:
    """Each new connection presents a fresh IAM token as its password (valid 15 minutes).

    The token is a SigV4 presigned request made locally from the task's or function's
    credentials: no AWS call, and nothing stored that could leak or need rotating.
    """
    host, port, user = str(url.host), int(url.port or 5432), str(url.username)

    @event.listens_for(engine.sync_engine, "do_connect")
    def _inject_token(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["password"] = rds.generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=region)
