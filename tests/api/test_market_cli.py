"""`tidings market import/list/fetch` through typer's runner on a real SQLite file and a local
HTTP server."""

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.context import get_engine
from ingest.market.settings import get_market_settings
from ingest.settings import get_ingest_settings
from models.settings import get_database_settings

runner = CliRunner()
CACHES = (get_engine, get_database_settings, get_ingest_settings, get_market_settings)
FRED_CSV = b"observation_date,DGS10\n2024-01-02,3.95\n2024-01-03,3.91\n2024-01-15,\n"


class _Fred(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        """fredgraph.csv's shape for DGS10."""
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(FRED_CSV)))
        self.end_headers()
        self.wfile.write(FRED_CSV)


@pytest.fixture
def fred_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Fred)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/graph/fredgraph.csv"
    server.shutdown()
    server.server_close()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI on a fresh database, local addresses allowed, quick retries."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ALLOW_PRIVATE_ADDRESSES": "true",
        "MAX_RETRIES": "0",
        "POLITENESS_DELAY_S": "0",
        "FRED_CSV_URL": f"{closed}/fredgraph.csv",
        "BINANCE_API_URL": f"{closed}/api/v3",
    }
    for key, value in env.items():
        monkeypatch.setenv(f"TIDINGS_{key}", value)
    for cached in CACHES:
        cached.cache_clear()
    yield tmp_path
    for cached in CACHES:
        cached.cache_clear()


def test_import_then_list(cli_env: Path) -> None:
    flows = cli_env / "farside_btc.csv"
    flows.write_text(
        "date,IBIT,GBTC,Total\n"
        "2024-01-11,111.7,-95.1,16.6\n"
        "2024-01-12,386.0,-484.1,-98.1\n"
        "2024-01-13,0.0,0.0,0.0\n"
        "2024-01-16,oops,1.0,2.0\n",
        encoding="utf-8",
    )
    fred = cli_env / "fred_SOFR.csv"
    fred.write_text("observation_date,SOFR\n2024-01-02,5.40\n2024-01-03,.\n", encoding="utf-8")
    result = runner.invoke(app, ["market", "import", str(flows), str(fred)])
    assert result.exit_code == 0, result.output
    assert "2 files, 6 rows: 7 points in 4 series (7 new), 1 bad rows, 2 set aside" in result.output
    assert f"{flows}:5: not a number: 'oops'" in result.output
    assert "set aside: 1 x NYSE closed that day" in result.output
    again = runner.invoke(app, ["market", "import", str(flows), str(fred), "--json"])
    report = json.loads(again.stdout)
    assert (report["points"], report["new"], report["errors"]) == (
        7, 0, [f"{flows}:5: not a number: 'oops'"],
    )  # fmt: skip
    assert report["set_aside"] == {"NYSE closed that day": 1, "missing value": 1}
    listed = runner.invoke(app, ["market", "list", "--json"])
    rows = {r["symbol"]: r for r in json.loads(listed.stdout)}
    assert set(rows) == {"GBTC-FLOW", "IBIT-FLOW", "SOFR", "US-SPOT-BTC-ETF-FLOW"}
    total = rows["US-SPOT-BTC-ETF-FLOW"]
    assert (total["kind"], total["unit"], total["entity_id"], total["count"]) == (
        "flow", "USD", "etf:us-spot-bitcoin-etfs", 2,
    )  # fmt: skip
    assert (total["first"], total["last"]) == ("2024-01-11T14:30:00", "2024-01-12T14:30:00")
    table = runner.invoke(app, ["market", "list"])
    assert table.exit_code == 0 and "SOFR" in table.output


def test_import_flags_and_failures(cli_env: Path) -> None:
    data = cli_env / "tvl.csv"
    data.write_text("date,value\n2024-01-02,1.5\n", encoding="utf-8")
    ok = runner.invoke(
        app,
        ["market", "import", str(data), "--symbol", "AAVE-TVL", "--kind", "value", "--unit", "USD",
         "--entity", "protocol:aave", "--scale", "1e9", "--source", "defillama", "--json"],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    series = json.loads(ok.stdout)["series"]
    assert series == [
        {"symbol": "AAVE-TVL", "source": "defillama", "kind": "value",
         "entity_id": "protocol:aave", "points": 1, "new": 1},
    ]  # fmt: skip
    missing = runner.invoke(app, ["market", "import", str(cli_env / "nope.csv")])
    assert missing.exit_code == 1
    assert "failed:" in missing.output and "nope.csv" in missing.output


def test_fetch_offline_is_one_line(cli_env: Path) -> None:
    for source, symbol in (("fred", "SOFR"), ("binance", "BTCUSDT")):
        result = runner.invoke(
            app, ["market", "fetch", symbol, "--source", source, "--since", "2024-01-01"]
        )
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    bad = runner.invoke(app, ["market", "fetch", "SOFR", "--source", "fred", "--since", "soon"])
    assert bad.exit_code == 2 and "not a date" in bad.output
    other = runner.invoke(
        app, ["market", "fetch", "X", "--source", "kraken", "--since", "2024-01-01"]
    )
    assert other.exit_code == 2 and "binance or fred" in other.output


def test_fetch_fred_through_the_cli(
    cli_env: Path, fred_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_FRED_CSV_URL", fred_url)
    get_market_settings.cache_clear()
    result = runner.invoke(
        app, ["market", "fetch", "DGS10", "--source", "fred", "--since", "2024-01-01"]
    )
    assert result.exit_code == 0, result.output
    assert "DGS10 (fred) from 2024-01-01: 2 points, 2 new, last 2024-01-03T14:30:00" in (
        result.output
    )
    listed = json.loads(runner.invoke(app, ["market", "list", "--json"]).stdout)
    assert [(r["symbol"], r["entity_id"], r["count"]) for r in listed] == [
        ("DGS10", "macro:us10y", 2)
    ]
