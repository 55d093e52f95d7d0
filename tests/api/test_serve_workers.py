"""`tidings serve --workers 2`: a real server on 127.0.0.1 whose worker processes share the port,
pool their latency metrics and stop on SIGINT."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.cli.serve import AUTO_WORKERS_MAX, auto_workers
from models.db import init_engine
from tests.conftest import free_port


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_serve_with_two_workers_answers_and_stops(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    init_engine(url).dispose()
    port = free_port()
    env = {**os.environ, "TIDINGS_DATABASE_URL": url, "TIDINGS_API_RATE_LIMIT_PER_MINUTE": "100000"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port),
         "--workers", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the server did not answer in time"
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        spawned = [Path(f"/proc/{p}/cmdline").read_text() for p in _children(process.pid)]
        assert sum("spawn_main" in line for line in spawned) == 2  # the two workers
        for i in range(12):  # new connections: the kernel spreads them over the workers
            response = httpx.get(f"{base}/claims", params={"q": f"bitcoin{i}"}, timeout=10)
            assert response.status_code == 200 and response.json()["items"] == []
        # any worker's scrape counts every worker's requests
        for _ in range(3):
            metrics = httpx.get(f"{base}/metrics", timeout=10).text
            counted = re.search(
                r'tidings_http_request_duration_seconds_count\{method="GET",'
                r'route="/api/v1/claims",status="200"\} (\S+)',
                metrics,
            )
            assert counted is not None and float(counted.group(1)) == 12
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "2 worker processes" in err and "stopped" in err


@pytest.mark.parametrize(
    ("cpus", "workers"), [(None, 1), (1, 1), (2, 2), (4, 4), (16, AUTO_WORKERS_MAX)]
)
def test_workers_zero_means_one_per_cpu_up_to_a_cap(cpus: int | None, workers: int) -> None:
    assert auto_workers(cpus) == workers
