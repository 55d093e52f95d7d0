"""Routers of the HTTP API, mounted under /api/v1 by api.http.app."""
