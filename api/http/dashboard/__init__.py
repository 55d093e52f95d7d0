"""The dashboard at `/`: server-rendered pages (Jinja2) with plotly charts, fully offline.

Pages call api/services directly (not the HTTP routes); plotly's JavaScript is served from the
installed plotly package (/static/plotly.min.js), so the pages fetch nothing from outside.
"""

from api.http.dashboard import correlation, detail, narratives, overview
from api.http.dashboard.common import router

__all__ = ["correlation", "detail", "narratives", "overview", "router"]
