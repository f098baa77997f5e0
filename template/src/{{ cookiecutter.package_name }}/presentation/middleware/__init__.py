"""Pure ASGI middleware: request context, security headers and request limits.

Pure ASGI (no BaseHTTPMiddleware) keeps the per-request overhead to a few
microseconds and lets each middleware see every response, errors included.
"""
