"""The HTTP API (FastAPI, under /api/v1): `create_app(settings)` builds it."""

from api.http.app import create_app

__all__ = ["create_app"]
