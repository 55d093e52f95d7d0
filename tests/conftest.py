"""Shared test helpers: where ../shared is, and skipping cleanly when it is absent."""

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

# pytest-xdist starts its workers with COLUMNS=80; a rich Console created at import would fix its
# width from it, and the CLI tests that pass their own COLUMNS to CliRunner would see 80 columns.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def shared_dir() -> Path:
    """The ../shared folder, or skip the calling test when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip("../shared is absent: data-dependent test skipped")
    return SHARED_DIR


@pytest.fixture
def shared_path() -> Path:
    """Fixture form of shared_dir(): the ../shared folder, or skip."""
    return shared_dir()


def save_tiny_bert(folder: Path, id2label: dict[int, str] | None = None) -> Path:
    """A randomly initialised 2-layer BERT on MiniLM's vocabulary and tokenizer, saved to
    `folder` like a checkpoint: a sequence classifier when `id2label` is given, else a bare
    encoder (a base to fine-tune)."""
    import torch
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        BertModel,
        BertTokenizerFast,
    )

    from nlp.training.recipe import base_model_dir

    torch.manual_seed(0)
    labels = {"num_labels": len(id2label), "id2label": id2label} if id2label else {}
    if id2label:
        labels["label2id"] = {v: k for k, v in id2label.items()}
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        **labels,
    )
    if id2label:
        BertForSequenceClassification(config).save_pretrained(folder)
    else:
        BertModel(config, add_pooling_layer=False).save_pretrained(folder)
    BertTokenizerFast(vocab_file=str(base_model_dir() / "vocab.txt")).save_pretrained(folder)
    return folder


PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_available() -> bool:
    """True when something listens on 127.0.0.1:5432."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema (dropped afterwards), or skip."""
    if not pg_available():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432: PostgreSQL test skipped")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """A migrated engine on a fresh PostgreSQL schema."""
    from models.db import init_engine

    engine = init_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def analyzer():
    """The default pipeline (spaCy, the KB, every stage), built once per test session."""
    from nlp.pipeline import Analyzer

    return Analyzer()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A store migrated to the newest schema: a new SQLite file, then a fresh PostgreSQL schema
    (skipped when none answers). A test that only holds on one of them narrows it with
    `@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)`."""
    from models.db import init_engine

    if request.param == "sqlite":
        eng = init_engine(f"sqlite:///{tmp_path / 'tidings.db'}")
        yield eng
        eng.dispose()
        return
    yield request.getfixturevalue("pg_engine")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(engine: Engine, settings: object | None = None) -> Iterator[str]:
    """The HTTP app on `engine` served by a real uvicorn on a free loopback port; yields its base
    URL (`http://127.0.0.1:PORT`) and stops the server afterwards."""
    from api.http.server import make_server, serve_until
    from api.http.settings import ApiSettings

    port = free_port()
    server = make_server(settings or ApiSettings(), engine=engine, host="127.0.0.1", port=port)
    stop = threading.Event()
    thread = threading.Thread(target=serve_until, args=(server, stop), daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            stop.wait(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive(), "the server did not stop"


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite store named by TIDINGS_DATABASE_URL, as CLI commands find it (caches cleared)."""
    from api.context import get_engine
    from models.settings import get_database_settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TIDINGS_DATABASE_URL", url)
    for cached in (get_engine, get_database_settings):
        cached.cache_clear()
    yield url
    for cached in (get_engine, get_database_settings):
        cached.cache_clear()
