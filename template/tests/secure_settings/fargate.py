"""Fargate: the service sits behind the load balancer, whose subnets must be the trusted proxies."""

DEPLOYED: dict[str, object] = {"trusted_proxies": ["10.0.0.0/24", "10.0.1.0/24"]}
