"""AWS Lambda entrypoint: API Gateway (HTTP API v2 or REST v1) events through Mangum.

Everything is built at module level so warm invocations reuse the app, the
connection pool and the cached secrets. Mangum's lifespan is off because it
would run start-up and shutdown around every single invocation.
"""

from __future__ import annotations

from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum
from mangum.types import LambdaContext as MangumLambdaContext

from ..bootstrap import build_app
from ..infrastructure.settings import Settings
from ..presentation.app import run_flush_hooks
from ..presentation.middleware.access_log import ACCESS_LOGGER

settings = Settings()
logger = Logger(service=settings.service_name, level=settings.log_level)
metrics = Metrics(service=settings.service_name, namespace=settings.metrics_namespace)
# The app's access line (method, path without query string, status, duration, request id)
# goes out as JSON through the same handler as the Powertools logger.
copy_config_to_registered_loggers(source_logger=logger, include={ACCESS_LOGGER})
app = build_app(settings)
asgi_handler = Mangum(app, lifespan="off")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Same runtime object; the two libraries only describe it with different protocols.
    try:
        response: dict[str, Any] = asgi_handler(event, cast("MangumLambdaContext", context))
    finally:
        # Lifespan is off and a frozen environment may never shut down: flush batches per invocation.
        run_flush_hooks(app.state.container)
    status_class = f"{int(response.get('statusCode', 500)) // 100}xx"
    metrics.add_dimension(name="StatusClass", value=status_class)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    return response
