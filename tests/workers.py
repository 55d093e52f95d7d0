"""Real `tidings worker` subprocesses on the loopback brokers, for the queue tests."""

import os
import re
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BROKERS = {
    "redis": ("127.0.0.1", 6379, "redis://127.0.0.1:6379/{db}"),
    "amqp": ("127.0.0.1", 5672, "amqp://guest:guest@127.0.0.1:5672//"),
}


def broker_url(kind: str, *, redis_db: int = 13) -> str:
    """The broker's URL with its tidings queues emptied, or skip when it does not answer; each
    test module uses a Redis database of its own (flushed here)."""
    host, port, url = BROKERS[kind]
    url = url.format(db=redis_db)
    try:
        with socket.create_connection((host, port), timeout=1):
            pass
    except OSError:
        pytest.skip(f"{kind} does not answer on {host}:{port}: queue test skipped")
    from kombu import Connection

    with Connection(url, connect_timeout=3) as connection:
        channel = connection.default_channel
        if kind == "redis":
            channel.client.flushdb()
        else:
            for queue in ("process", "crawl"):  # Celery declares them again
                channel.queue_delete(queue)
    return url


@dataclass
class Worker:
    """One `tidings worker` process and its log file."""

    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def received(self) -> set[str]:
        return set(re.findall(r"Task tidings\.\w+\[([0-9a-f-]+)\] received", self.text()))

    def finished(self) -> set[str]:
        pattern = r"Task tidings\.\w+\[([0-9a-f-]+)\] (?:succeeded|retry)"
        return set(re.findall(pattern, self.text()))


def worker_env(db_url: str, broker: str, **extra: str) -> dict[str, str]:
    """The environment of a worker (and of the CLI commands that feed it)."""
    env = {**os.environ, "TIDINGS_DATABASE_URL": db_url, "TIDINGS_BROKER_URL": broker,
           "TIDINGS_BUILTIN_SOURCES": "false", "PYTHONPATH": str(REPO)}  # fmt: skip
    env.update(extra)
    return env


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run one `tidings` command to its end."""
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def start_cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start one `tidings` command (communicate() to wait for it)."""
    return subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@contextmanager
def workers(
    count: int, env: dict[str, str], folder: Path, *, queues: str = "process"
) -> Iterator[list[Worker]]:
    """`count` worker processes (concurrency 1 each), stopped (SIGTERM, then SIGKILL) after."""
    started: list[Worker] = []
    try:
        for i in range(count):
            log = folder / f"worker-{i}-{uuid.uuid4().hex[:6]}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-c", "from api.cli import main; main()", "worker",
                     "--queues", queues, "--concurrency", "1", "--name", f"w{i}-{log.stem}@test"],
                    cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
            started.append(Worker(proc, log))
        yield started
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in started:
            try:
                worker.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(timeout=10)
