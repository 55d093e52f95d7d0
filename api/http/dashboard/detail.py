"""The article page and the entity page."""

from dataclasses import replace
from html import escape
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from api.http.dashboard.common import router, templates, to_json
from api.http.dashboard.data import entity_markets, market_line, series_chart, verdicts
from api.http.deps import SessionDep
from api.http.routes.articles import get_article
from api.http.routes.claims import claim_filters
from api.http.routes.entities import get_entity
from api.services.claims_search import search_claims
from api.services.series import SeriesQuery, sentiment_series
from models.narratives import Narrative, NarrativeAssignment

Mark = tuple[int, int, str, str]


def _marked(text: str, start: int, marks: list[Mark]) -> str:
    """`text` (which starts at article offset `start`) as HTML with non-overlapping marks."""
    out: list[str] = []
    pos = 0
    for mark_start, mark_end, css, title in sorted(marks):
        a, b = mark_start - start, mark_end - start
        if a < pos or b > len(text) or a >= b:
            continue
        out.append(escape(text[pos:a]))
        out.append(f'<mark class="{css}" title="{escape(title)}">{escape(text[a:b])}</mark>')
        pos = b
    out.append(escape(text[pos:]))
    return "".join(out)


def tint(score: float | None) -> str:
    """A sentence's background: green for positive, red for negative, stronger with |score|."""
    if score is None:
        return "transparent"
    alpha = round(0.08 + 0.42 * min(1.0, abs(score)), 2)
    return f"rgba(46,139,87,{alpha})" if score >= 0 else f"rgba(192,57,43,{alpha})"


def _sentence_narratives(session: Session, article_id: int) -> dict[int, list[tuple[str, str]]]:
    rows = session.exec(
        select(NarrativeAssignment.sentence_index, Narrative.id, Narrative.name)
        .join(Narrative, col(Narrative.id) == col(NarrativeAssignment.narrative_id))
        .where(col(NarrativeAssignment.article_id) == article_id)
        .order_by(col(NarrativeAssignment.score).desc())
    ).all()
    out: dict[int, list[tuple[str, str]]] = {}
    for index, nid, name in rows:
        out.setdefault(int(index), []).append((nid, name))
    return out


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, session: SessionDep, article_id: int) -> HTMLResponse:
    """An article: sentences coloured by sentiment, entities and claims highlighted."""
    from api.http.dashboard.common import claim_value

    article = get_article(session, article_id)
    marks: list[Mark] = [(m.start, m.end, "entity", m.entity_id or m.label)
                         for m in article.mentions]  # fmt: skip
    marks += [(c.start, c.end, "claim",
               f"{c.metric or 'claim'}: {claim_value(c.value, c.unit)}")
              for c in article.claims]  # fmt: skip
    claim_spans = {(c.start, c.end) for c in article.claims}
    marks = [m for m in marks if m[2] == "claim" or (m[0], m[1]) not in claim_spans]
    tags = _sentence_narratives(session, article_id)
    sentences = []
    for s in article.sentences:
        inside = [m for m in marks if s.start <= m[0] and m[1] <= s.end]
        sentences.append({"s": s, "html": _marked(s.text, s.start, inside), "tint": tint(s.score),
                          "narratives": tags.get(s.index, [])})  # fmt: skip
    chart = {"x": [s.index for s in article.sentences],
             "y": [s.score for s in article.sentences]}  # fmt: skip
    return templates.TemplateResponse(
        request, "article.html",
        {"article": article, "sentences": sentences, "chart": to_json(chart),
         "verdicts": verdicts(session, [c.id for c in article.claims])},
    )  # fmt: skip


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(
    request: Request,
    session: SessionDep,
    *,
    entity_id: Annotated[str, Path(max_length=200)],
    market: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    """An entity: its sentiment by day against its market series, recent articles, claims."""
    entity = get_entity(session, entity_id)
    series = sentiment_series(session, SeriesQuery(entity=entity_id, bucket="1d"))
    markets = entity_markets(session, entity_id)
    symbol = market or (markets[0].symbol if markets else None)
    chart = series_chart(series) | {"market": market_line(session, symbol, series.times)}
    claims = search_claims(session, replace(claim_filters(entity=entity_id), limit=50))
    checked = verdicts(session, [h.claim.id for h in claims if h.claim.id])
    return templates.TemplateResponse(
        request, "entity.html",
        {"entity": entity, "chart": to_json(chart), "claims": claims, "markets": markets,
         "symbol": symbol, "verdicts": checked},
    )  # fmt: skip
