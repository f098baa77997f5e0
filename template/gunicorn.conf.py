"""Gunicorn settings for Fargate: uvicorn workers, graceful SIGTERM, nothing written to the root filesystem."""

import os

bind = "0.0.0.0:8000"  # the container port; only the ALB's security group reaches it
worker_class = "uvicorn.workers.UvicornWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# ECS sends SIGTERM then SIGKILL after stopTimeout (30 s by default): finish in-flight requests first.
graceful_timeout = 25
timeout = 60
keepalive = 75  # longer than the ALB idle timeout (60 s) so the ALB closes connections first
# Worker heartbeats go to tmpfs: works with a read-only root filesystem and never blocks on disk.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - tmpfs owned by the container, not a shared /tmp
# No gunicorn access log: it prints the full request line, query string (search terms) included.
# The app logs one JSON line per request without it; see presentation/middleware/access_log.py.
accesslog = None
errorlog = "-"
# Do not let uvicorn rewrite the client address from X-Forwarded-For: with "*" it takes the
# left-most entry, which the caller writes, so a forged header would pick the rate-limit
# bucket and the audited source IP. The app reads the header itself, right to left and
# only through TRUSTED_PROXIES (the ALB subnets); see presentation/middleware/client_ip.py.
forwarded_allow_ips = "127.0.0.1"
proxy_protocol = False
