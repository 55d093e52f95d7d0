"""API keys, scopes, rate limit, body limit, sources, POST /analyze, a real uvicorn server and
the `tidings keys` / `tidings serve` commands."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.http import create_app
from api.http.keys import create_key, revoke_key
from api.http.settings import ApiSettings
from models.db import init_engine
from models.keys import KeyScope
from tests.conftest import served

V1 = "/api/v1"
FEED = "https://feeds.example.org/rss.xml"


def _client(engine: Engine, **settings: object) -> TestClient:
    return TestClient(create_app(ApiSettings(**settings), engine=engine))  # type: ignore[arg-type]


def test_writes_need_a_write_key(engine: Engine) -> None:
    _, read_key = create_key(engine, KeyScope.READ)
    _, write_key = create_key(engine, KeyScope.WRITE, "ci")
    with _client(engine) as client:
        anonymous = client.post(f"{V1}/sources", json={"url": FEED})
        assert anonymous.status_code == 401 and anonymous.json()["param"] == "X-API-Key"
        reader = client.post(f"{V1}/sources", json={"url": FEED}, headers={"X-API-Key": read_key})
        assert reader.status_code == 403 and "write needed" in reader.json()["detail"]
        bogus = client.post(f"{V1}/sources", json={"url": FEED}, headers={"X-API-Key": "tdg_x"})
        assert bogus.status_code == 401
        auth = {"Authorization": f"Bearer {write_key}"}
        created = client.post(f"{V1}/sources", json={"url": FEED, "name": "Ex"}, headers=auth)
        assert created.status_code == 201, created.text
        source = created.json()
        assert source["name"] == "Ex" and source["enabled"] is True
        assert [s["url"] for s in client.get(f"{V1}/sources").json()] == [FEED]
        again = client.post(f"{V1}/sources", json={"url": FEED}, headers=auth)
        assert again.status_code == 400 and "already registered" in again.json()["detail"]
        bad = client.post(f"{V1}/sources", json={"url": "ftp://x"}, headers=auth)
        assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"
        missing = client.post(f"{V1}/sources", json={"name": "no url"}, headers=auth)
        assert missing.status_code == 422 and missing.json()["param"] == "url"
        assert client.delete(f"{V1}/sources/{source['id']}", headers=auth).status_code == 204
        assert client.get(f"{V1}/sources").json() == []
        gone = client.delete(f"{V1}/sources/{source['id']}", headers=auth)
        assert gone.status_code == 404 and gone.json()["param"] == "source_id"


def test_reads_need_a_key_when_the_setting_says_so(engine: Engine) -> None:
    row, key = create_key(engine, KeyScope.READ)
    with _client(engine, api_require_read_key=True) as client:
        assert client.get(f"{V1}/articles").status_code == 401
        assert client.get(f"{V1}/articles", headers={"X-API-Key": key}).status_code == 200
        assert client.get(f"{V1}/healthz").status_code == 200  # liveness stays open
        assert row.id is not None and revoke_key(engine, row.id)
        assert client.get(f"{V1}/articles", headers={"X-API-Key": key}).status_code == 401
    with _client(engine) as client:
        assert client.get(f"{V1}/articles").status_code == 200


def test_rate_limit_per_key(engine: Engine) -> None:
    _, first = create_key(engine, KeyScope.READ)
    _, second = create_key(engine, KeyScope.READ)
    with _client(engine, api_rate_limit_per_minute=3) as client:
        codes = [client.get(f"{V1}/stats", headers={"X-API-Key": first}).status_code
                 for _ in range(4)]  # fmt: skip
        assert codes == [200, 200, 200, 429]
        limited = client.get(f"{V1}/stats", headers={"X-API-Key": first})
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["content-type"] == "application/problem+json"
        assert client.get(f"{V1}/stats", headers={"X-API-Key": second}).status_code == 200


def test_body_size_limit(engine: Engine) -> None:
    _, key = create_key(engine, KeyScope.WRITE)
    with _client(engine, api_max_body_bytes=200) as client:
        big = client.post(f"{V1}/sources", content=b"x" * 500, headers={"X-API-Key": key})
        assert big.status_code == 413 and big.json()["param"] == "body"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"url": "' + b"a" * 150
            yield b"b" * 150 + b'"}'

        streamed = client.post(f"{V1}/sources", content=chunks(), headers={"X-API-Key": key})
        assert streamed.status_code == 413
        small = client.post(f"{V1}/sources", content=b"{", headers={"X-API-Key": key})
        assert small.status_code == 422


def test_analyze_loads_the_models_once_and_limits_the_text(tmp_path: Path) -> None:
    engine = init_engine(f"sqlite:///{tmp_path / 'tidings.db'}")
    app = create_app(ApiSettings(api_max_analyze_chars=300), engine=engine)
    with TestClient(app) as client:
        assert app.state.analyzer is None  # not loaded by start-up
        text = "US spot bitcoin ETFs saw net outflows of $523 million on Monday."
        body = client.post(f"{V1}/analyze", json={"text": text, "published": "2025-11-18"})
        assert body.status_code == 200, body.text
        result = body.json()
        assert [c["value"] for c in result["claims"]] == [523e6]
        analyzer = app.state.analyzer
        assert analyzer is not None
        client.post(f"{V1}/analyze", json={"text": "Ether rose 5%."})
        assert app.state.analyzer is analyzer
        long = client.post(f"{V1}/analyze", json={"text": "word " * 100})
        assert long.status_code == 413 and long.json()["param"] == "text"
        bad_date = client.post(f"{V1}/analyze", json={"text": "x", "published": "soon"})
        assert bad_date.status_code == 422 and bad_date.json()["param"] == "published"
        empty = client.post(f"{V1}/analyze", json={"text": ""})
        assert empty.status_code == 422 and empty.json()["param"] == "text"
    engine.dispose()


def test_real_uvicorn_server_on_loopback(tmp_path: Path) -> None:
    engine = init_engine(f"sqlite:///{tmp_path / 'tidings.db'}")
    with served(engine) as root:
        base = f"{root}{V1}"
        assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
        bad = httpx.get(f"{base}/claims", params={"limit": "-1"})
        assert bad.status_code == 422 and bad.json()["param"] == "limit"
        assert httpx.get(f"{base}/claims").json() == {"items": [], "next_cursor": None}
    engine.dispose()


def test_keys_cli_shows_the_key_once_and_stores_its_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlmodel import Session, select

    from api.cli import app
    from api.context import get_engine
    from api.http.keys import find_key
    from models.keys import ApiKey
    from models.settings import get_database_settings

    monkeypatch.setenv("TIDINGS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_database_settings.cache_clear()
    get_engine.cache_clear()
    try:
        result = CliRunner().invoke(app, ["keys", "create", "--scope", "write", "--name", "bot"])
        assert result.exit_code == 0, result.output
        key = result.stdout.strip().splitlines()[-1]
        assert key.startswith("tdg_") and len(key) > 40
        engine = get_engine()
        with Session(engine) as session:
            stored = session.exec(select(ApiKey)).one()
        assert key not in (stored.key_hash, stored.prefix) and stored.scope == KeyScope.WRITE
        found = find_key(engine, key)
        assert found is not None and found.name == "bot"
        listed = CliRunner().invoke(app, ["keys", "list"])
        assert "write" in listed.output and key not in listed.output
        assert CliRunner().invoke(app, ["keys", "revoke", str(stored.id)]).exit_code == 0
        assert find_key(engine, key) is None
        wrong = CliRunner().invoke(app, ["keys", "create", "--scope", "root"])
        assert wrong.exit_code == 2
    finally:
        get_database_settings.cache_clear()
        get_engine.cache_clear()


def test_cors_origins_come_from_the_setting(engine: Engine) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
    with _client(engine, api_cors_origins=["https://app.example"]) as client:
        allowed = client.options(f"{V1}/claims", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        other = client.get(f"{V1}/stats", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    with _client(engine) as client:
        plain = client.get(f"{V1}/stats", headers={"Origin": "https://app.example"})
        assert "access-control-allow-origin" not in plain.headers
