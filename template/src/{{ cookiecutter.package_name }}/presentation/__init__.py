"""HTTP layer: app factory, routers, request/response models and error mapping."""
