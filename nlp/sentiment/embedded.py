"""The shipped default sentiment model: MiniLM-L6 fine-tuned by tidings, ONNX Runtime int8.

Loaded once per process and model folder; sentences are sorted by token length and run in
batches, so padding stays small. The graph is statically quantized (fixed activation scales), so
a sentence's result does not depend on which other sentences share its batch.
"""

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.backend import Probs, SentimentError, length_sorted_batches
from nlp.sentiment.labels import LABELS, normalize_text
from nlp.sentiment.settings import SentimentSettings

MODEL_DIR = Path(__file__).resolve().parent / "model"
EMBEDDING_OUTPUT = "sentence_embedding"
REQUIRED_FILES = ("model.onnx", "tokenizer.json", "labels.json", "version.txt")


def default_model_dir() -> Path:
    """The model folder that ships inside the package."""
    return MODEL_DIR


def _check_dir(model_dir: Path) -> None:
    """Fail with a clear message when the folder is not a complete embedded model."""
    missing = [name for name in REQUIRED_FILES if not (model_dir / name).is_file()]
    if missing:
        raise SentimentError(
            f"embedded sentiment model at {model_dir} is incomplete "
            f"(missing {', '.join(missing)}); "
            "reinstall tidings or rebuild it with `tidings train sentiment --out DIR`"
        )


class EmbeddedBackend:
    """ONNX Runtime session + fast tokenizer for one exported model folder."""

    name = "embedded"

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int,
        batch_size: int,
        max_length: int,
        embeddings: bool = False,
    ) -> None:
        """With `embeddings`, the session also returns the pooled sentence vector (the
        classifier's input) as EMBEDDING_OUTPUT; the logits are the same either way."""
        _check_dir(model_dir)
        meta = json.loads((model_dir / "labels.json").read_text(encoding="utf-8"))
        self.labels: list[str] = list(meta["labels"])
        if sorted(self.labels) != sorted(LABELS):
            raise SentimentError(f"{model_dir}/labels.json must list exactly {LABELS}")
        self.version = "embedded-" + (model_dir / "version.txt").read_text(encoding="utf-8").strip()
        self.batch_size = max(1, batch_size)
        self.embeddings = embeddings
        self.tokenizer, self.session = open_onnx_model(
            model_dir,
            threads=threads,
            max_length=min(max_length, int(meta.get("max_length", 128))),
            graph=with_embedding_output if embeddings else None,
        )

    def logits_and_embeddings(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Raw logits (len(texts) × 3) and pooled sentence vectors (len(texts) × hidden), one
        model pass; needs `embeddings=True`."""
        if not self.embeddings:
            raise SentimentError("this backend was opened without the embedding output")
        encs = self.tokenizer.encode_batch([normalize_text(t) for t in texts])
        width = int(self.session.get_outputs()[1].shape[1])
        logits = np.zeros((len(encs), len(self.labels)), dtype=np.float32)
        vectors = np.zeros((len(encs), width), dtype=np.float32)
        for idx in length_sorted_batches([len(e.ids) for e in encs], self.batch_size):
            feed = padded_batch([encs[i] for i in idx])
            logits[idx], vectors[idx] = self.session.run(["logits", EMBEDDING_OUTPUT], feed)
        return logits, vectors

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw logits (len(texts) × 3, in self.labels order), computed in length-sorted batches."""
        encs = self.tokenizer.encode_batch([normalize_text(t) for t in texts])
        out = np.zeros((len(encs), len(self.labels)), dtype=np.float32)
        for idx in length_sorted_batches([len(e.ids) for e in encs], self.batch_size):
            out[idx] = self.session.run(["logits"], padded_batch([encs[i] for i in idx]))[0]
        return out

    def predict(self, texts: Sequence[str]) -> list[Probs]:
        """Softmax probabilities per text, rounded to 6 places for stable output."""
        if not texts:
            return []
        return self._probs(self.logits(texts))

    def predict_with_embeddings(self, texts: Sequence[str]) -> tuple[list[Probs], np.ndarray]:
        """`predict`'s probabilities and the pooled vectors (rows in input order), one pass."""
        logits, vectors = self.logits_and_embeddings(texts)
        return self._probs(logits), vectors

    def _probs(self, logits: np.ndarray) -> list[Probs]:
        """Rounded softmax probabilities of logits rows."""
        return [
            {lab: round(float(row[j]), 6) for j, lab in enumerate(self.labels)}
            for row in softmax(logits)
        ]


def with_embedding_output(model: Any) -> Any:
    """The sentiment graph with its pooled sentence vector as a second output.

    The shipped graph ends with masked mean pooling (Mul -> ReduceSum -> Div) and a Gemm
    classifier whose only output is `logits`; the Div's output, the Gemm's input, becomes the
    output EMBEDDING_OUTPUT (batch × hidden) through an Identity node. Nothing else changes, so
    the logits are those of the unedited graph (tests/nlp/test_sentiment_embedding.py).
    """
    import onnx
    from onnx import TensorProto, helper

    graph = model.graph
    producers = {out: node for node in graph.node for out in node.output}
    head = producers.get("logits")
    if head is None or head.op_type != "Gemm":
        raise SentimentError("the sentiment graph does not end with a Gemm producing 'logits'")
    pooled = producers.get(head.input[0])
    if pooled is None or pooled.op_type != "Div":
        raise SentimentError("the sentiment classifier's input is not a mean-pooling Div")
    weight = next(t for t in graph.initializer if t.name == head.input[1])
    transposed = any(a.name == "transB" and a.i == 1 for a in head.attribute)
    hidden = int(weight.dims[1] if transposed else weight.dims[0])
    edited = onnx.ModelProto()
    edited.CopyFrom(model)
    edited.graph.node.append(
        helper.make_node("Identity", [head.input[0]], [EMBEDDING_OUTPUT], name="pooled_output")
    )
    edited.graph.output.append(
        helper.make_tensor_value_info(EMBEDDING_OUTPUT, TensorProto.FLOAT, ["batch", hidden])
    )
    return edited


def open_onnx_model(
    model_dir: Path, *, threads: int, max_length: int, graph: Any = None
) -> tuple[Any, Any]:
    """The fast tokenizer (no padding, truncated to `max_length`) and a CPU ONNX Runtime session
    (`threads` intra-op threads that do not spin when idle, one inter-op) of a model folder;
    `graph`, when given, edits the loaded ONNX model before the session is built."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, threads)
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle worker threads sleep instead of spinning: spinning only burns CPU that the rest of
    # the pipeline (spaCy, claims) or another process could use; results are unchanged.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    source: Any = str(model_dir / "model.onnx")
    if graph is not None:
        import onnx

        source = graph(onnx.load(source)).SerializeToString()
    session = ort.InferenceSession(source, opts, providers=["CPUExecutionProvider"])
    return tokenizer, session


def padded_batch(encodings: Sequence[Any]) -> dict[str, np.ndarray]:
    """Model inputs for tokenizer encodings: ids and attention mask, zero-padded to the longest."""
    width = max(len(enc.ids) for enc in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, enc in enumerate(encodings):
        ids[row, : len(enc.ids)] = enc.ids
        mask[row, : len(enc.ids)] = 1
    return {"input_ids": ids, "attention_mask": mask}


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, computed in float64."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    return probs / probs.sum(axis=1, keepdims=True)


@lru_cache(maxsize=4)
def load_embedded(
    model_dir: Path,
    *,
    threads: int = 2,
    batch_size: int = 32,
    max_length: int = 128,
    embeddings: bool = False,
) -> EmbeddedBackend:
    """One backend per (folder, options) per process: no per-call model loads."""
    return EmbeddedBackend(
        model_dir,
        threads=threads,
        batch_size=batch_size,
        max_length=max_length,
        embeddings=embeddings,
    )


def shared_backend(settings: SentimentSettings) -> EmbeddedBackend:
    """The embedded model with the embedding output, opened with the sentiment settings' options:
    the sentiment stage and the narrative stage get the same session (and the same vectors)."""
    return load_embedded(
        (settings.sentiment_model_dir or default_model_dir()).resolve(),
        threads=settings.sentiment_threads,
        batch_size=settings.sentiment_batch_size,
        max_length=settings.sentiment_max_length,
        embeddings=True,
    )


def embedded_factory(settings: SentimentSettings) -> Any:
    """Backend factory for TIDINGS_SENTIMENT_BACKEND=embedded."""
    return load_embedded(
        (settings.sentiment_model_dir or default_model_dir()).resolve(),
        threads=settings.sentiment_threads,
        batch_size=settings.sentiment_batch_size,
        max_length=settings.sentiment_max_length,
    )
