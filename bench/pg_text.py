"""PostgreSQL free text before and after migration 0016 (stored tsvector column), one store.

    python -m bench.pg_text --db-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_pg

The store is built at revision 0015 with bench/api_store.py when the database is empty (else it is
brought back down to 0015). Each claim and article free-text query then runs in this one process
through the real query builders (`search_claims`, `search_articles`): one warm-up, then the median
of `--repeats` runs, and one EXPLAIN (ANALYZE, BUFFERS) of the SQL they sent. Then the store is
upgraded to the newest revision (timed) and the same queries run again. Before the upgrade the
builders match and rank the tsvector expression, as they did at 0015; after it, the stored column.
Prints a JSON report (and writes it to --out).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlmodel import Session

from api.http import queries
from api.services import claims_search
from api.services.claims_search import ClaimQuery, search_claims
from bench.api_store import build_store, store_summary
from models.db import make_engine, migrate

BEFORE = "0015_claim_unit_inferred"
CLAIM_QUERIES: dict[str, ClaimQuery] = {
    "bitcoin": ClaimQuery(text="bitcoin"),
    '"spot bitcoin"': ClaimQuery(text='"spot bitcoin"'),
    '"bitcoin price"': ClaimQuery(text='"bitcoin price"'),
    "bitcoin, metric=price": ClaimQuery(text="bitcoin", metric="price"),
    "bitcoin, sort=newest": ClaimQuery(text="bitcoin", sort="newest"),
}
ARTICLE_QUERIES: dict[str, queries.ArticleQuery] = {
    "bitcoin": queries.ArticleQuery(text="bitcoin"),
    '"spot bitcoin"': queries.ArticleQuery(text='"spot bitcoin"'),
}


@contextmanager
def _as_at_0015() -> Iterator[None]:
    """The query builders as they were at 0015: the tsvector expressions, not stored columns."""
    saved = claims_search.CLAIM_VECTOR
    claims_search.CLAIM_VECTOR = claims_search.CLAIM_TSVECTOR
    article_vector = getattr(queries, "ARTICLE_VECTOR", None)
    if article_vector is not None:
        queries.ARTICLE_VECTOR = queries.ARTICLE_TSVECTOR  # type: ignore[attr-defined]
    try:
        yield
    finally:
        claims_search.CLAIM_VECTOR = saved
        if article_vector is not None:
            queries.ARTICLE_VECTOR = article_vector  # type: ignore[attr-defined]


def _rare_word(engine: Engine) -> str:
    """The word (lexeme form, 6 letters or more) of the fewest claims: one base claim's copies."""
    with engine.connect() as conn:
        word = conn.execute(
            text(
                f"SELECT word FROM ts_stat($$SELECT {claims_search.CLAIM_TSVECTOR} FROM claim$$) "
                "WHERE word ~ '^[a-z]{6,}$' ORDER BY ndoc, word LIMIT 1"
            )
        ).scalar_one()
    return str(word)


def _timed(engine: Engine, run: Callable[[Session], list[Any]], repeats: int) -> dict[str, Any]:
    """Median and min wall ms of `run` over `repeats` runs after a warm-up; EXPLAIN of its SQL."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    with Session(engine) as session:
        event.listen(engine, "before_cursor_execute", capture)
        rows = run(session)
        event.remove(engine, "before_cursor_execute", capture)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            run(session)
            times.append((time.perf_counter() - started) * 1000)
        statement, parameters = sent[-1]
        explain = session.connection().exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
        )
        plan = [str(line) for (line,) in explain.all()]
    return {
        "rows": len(rows),
        "median_ms": round(statistics.median(times), 2),
        "min_ms": round(min(times), 2),
        "plan": plan,
    }


def _claims(session: Session, query: ClaimQuery) -> list[Any]:
    return list(search_claims(session, query))


def _articles(session: Session, query: queries.ArticleQuery) -> list[Any]:
    return queries.search_articles(session, query)


def _phase(engine: Engine, rare: str, repeats: int) -> dict[str, Any]:
    claims = CLAIM_QUERIES | {f"{rare} (rare)": ClaimQuery(text=rare)}
    articles = ARTICLE_QUERIES | {f"{rare} (rare)": queries.ArticleQuery(text=rare)}
    out: dict[str, Any] = {}
    for name, query in claims.items():
        out[f"claims: {name}"] = _timed(engine, partial(_claims, query=query), repeats)
    for name, article_query in articles.items():
        out[f"articles: {name}"] = _timed(engine, partial(_articles, query=article_query), repeats)
    return out


def _sizes(engine: Engine) -> dict[str, str]:
    """Table (with TOAST) and index sizes of claim and article."""
    sizes: dict[str, str] = {}
    with engine.connect() as conn:
        for table in ("claim", "article"):
            row = conn.execute(
                text(
                    f"SELECT pg_size_pretty(pg_table_size('{table}')), "
                    f"pg_size_pretty(pg_indexes_size('{table}'))"
                )
            ).one()
            sizes |= {f"{table}_table": row[0], f"{table}_indexes": row[1]}
    return sizes


def run(args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(args.db_url)
    migrate(engine, BEFORE)  # an empty database, or one this script left at 0015
    report: dict[str, Any] = {"store": store_summary(engine)}
    if report["store"]["claims"] == 0:
        info = build_store(
            engine, min_articles=args.articles, min_claims=args.claims, base=args.base
        )
        report["build"] = vars(info)
        report["store"] = store_summary(engine)
    rare = _rare_word(engine)
    report["rare_word"] = rare
    report["sizes_before"] = _sizes(engine)
    with _as_at_0015():
        report["before"] = _phase(engine, rare, args.repeats)
    started = time.perf_counter()
    migrate(engine)
    report["upgrade_s"] = round(time.perf_counter() - started, 2)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE claim")
        conn.exec_driver_sql("ANALYZE article")
    report["sizes_after"] = _sizes(engine)
    report["after"] = _phase(engine, rare, args.repeats)
    if args.leave_at_0015:
        from alembic import command

        from models.db import alembic_config

        command.downgrade(alembic_config(args.db_url), BEFORE)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # a dropped column keeps its bytes until the table is rewritten
            conn.exec_driver_sql("VACUUM FULL ANALYZE claim")
            conn.exec_driver_sql("VACUUM FULL ANALYZE article")
    engine.dispose()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", required=True, help="a scratch PostgreSQL database")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=100, help="real articles to process")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--leave-at-0015", action="store_true", help="downgrade (and VACUUM FULL) at the end"
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/tidings-bench-pg-text.json"))
    args = parser.parse_args(argv)
    report = run(args)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    for phase in ("before", "after"):
        for name, result in report[phase].items():
            print(f"{phase:6} {name:32} rows {result['rows']:4} median {result['median_ms']:8} ms")
    print(json.dumps({k: v for k, v in report.items() if k not in ("before", "after")}, indent=1))


if __name__ == "__main__":
    main()
