"""POST /analyze: one text through the analysis pipeline (models loaded on first use, once)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request

from api.http.deps import ReadAccess, SettingsDep
from api.http.errors import ApiProblem
from api.http.schemas import AnalyzeIn
from nlp.errors import NlpError

if TYPE_CHECKING:
    from nlp.pipeline import Analyzer

router = APIRouter(tags=["analysis"], dependencies=[ReadAccess])
_lock = threading.Lock()


def get_analyzer(request: Request) -> Analyzer:
    """The app's Analyzer, built on the first call (with the store's user entities)."""
    state = request.app.state
    with _lock:
        if state.analyzer is None:
            from api.services.processing import build_analyzer

            state.analyzer = build_analyzer(state.engine)
        analyzer: Analyzer = state.analyzer
    return analyzer


@router.post("/analyze")
def analyze(request: Request, settings: SettingsDep, body: AnalyzeIn) -> dict[str, Any]:
    """Entities, claims and sentiment of one text: the `tidings analyze --json` object."""
    if len(body.text) > settings.api_max_analyze_chars:
        raise ApiProblem(
            413, f"text is {len(body.text):,} characters; the limit is "
            f"{settings.api_max_analyze_chars:,} (TIDINGS_API_MAX_ANALYZE_CHARS)", param="text",
        )  # fmt: skip
    try:
        analyzer = get_analyzer(request)
    except NlpError as exc:
        raise ApiProblem(503, f"the analysis models cannot be loaded: {exc}") from exc
    try:
        with _lock:
            analysis = analyzer.analyze(body.text, body.published)
    except NlpError as exc:
        raise ApiProblem(422, str(exc), param="text") from exc
    result: dict[str, Any] = analysis.to_json_dict()
    return result
