"""AWS Lambda entrypoint: API Gateway (HTTP API v2 or REST v1) events through Mangum.

Everything is built at module level so warm invocations reuse the app, the
connection pool and the cached secrets. Mangum's lifespan is off because it
would run start-up and shutdown around every single invocation.
"""

from __future__ import annotations

from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum
from mangum.types import LambdaContext as MangumLambdaContext

from ..infrastructure.settings import Settings
from ..presentation.app import create_app

settings = Settings()
logger = Logger(service=settings.service_name, level=settings.log_level)
metrics = Metrics(service=settings.service_name, namespace=settings.service_name)
app = create_app(settings)
asgi_handler = Mangum(app, lifespan="off")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Same runtime object; the two libraries only describe it with different protocols.
    response: dict[str, Any] = asgi_handler(event, cast("MangumLambdaContext", context))
    status_class = f"{int(response.get('statusCode', 500)) // 100}xx"
    metrics.add_dimension(name="StatusClass", value=status_class)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    return response
