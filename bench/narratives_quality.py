"""Narrative quality by encoder: leave-one-article-out sentence F1 on all four gold splits.

For each encoder (`minilm`: the narrative encoder, narratives-3; `sentiment`: the sentiment
model's pooled vectors, the shared pass), every gold article of nlp/evaluation/narrative_gold
(dev, dev2, blind2, blind3 — all studied now) is split into sentences as `analyze` splits it,
encoded once, and assigned with the taxonomy's prototypes (re-encoded by the same encoder) and
a narrative classifier trained on the gold sentences of the other 27 articles only. Scored as
`tidings eval` scores the narrative gold (sentence overlap, micro P/R/F1 per split and pooled).

Each encoder runs with its own thresholds (narratives-3's for minilm, SHARED_CONFIG for the
sentiment vectors); `--set` overrides fields for both, `--grid` searches GRID for the sentiment
encoder (on the scored articles themselves: an optimistic figure).

Usage: python bench/narratives_quality.py [--encoder minilm sentiment] [--set name=value ...]
       [--grid] [--json]
"""

import argparse
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlp.evaluation.narratives import load_narrative_gold, score_assignment  # noqa: E402
from nlp.evaluation.scoring import Counts  # noqa: E402
from nlp.narratives.assign import SHARED_CONFIG, AssignConfig, NarrativeModel  # noqa: E402
from nlp.narratives.encoder import load_encoder, load_sentiment_encoder  # noqa: E402
from nlp.narratives.stage import document_narratives  # noqa: E402
from nlp.narratives.taxonomy import Taxonomy  # noqa: E402
from nlp.sentences import split_sentences  # noqa: E402
from nlp.training.narrative_classifier import fit  # noqa: E402

SPLITS = ("dev", "dev2", "blind2", "blind3")


def encoder_of(name: str) -> Any:
    """The narrative encoder or the shared sentiment encoder."""
    return load_encoder() if name == "minilm" else load_sentiment_encoder()


def prepare(name: str, shared: Path) -> tuple[NarrativeModel, list[dict[str, Any]]]:
    """The model (prototypes by this encoder) and, per gold article, what the decisions need:
    sentence spans, embeddings, cues, word counts, similarities and the probabilities of a
    classifier trained on the other articles' gold sentences."""
    encoder = encoder_of(name)
    model = NarrativeModel(Taxonomy.load(), encoder)
    ids = [n.id for n in model.narratives]
    docs = [d for split in SPLITS for d in load_narrative_gold(shared, split=split)]
    gold_x = [
        encoder.encode([d.text[g["char_start"] : g["char_end"]] for g in d.sentences]) for d in docs
    ]
    gold_y = [[set(g["narratives"]) for g in d.sentences] for d in docs]
    prepared = []
    for k, doc in enumerate(docs):
        spans = split_sentences(doc.text)
        texts = [doc.text[s.start : s.end] for s in spans]
        emb = encoder.encode(texts)
        x = np.concatenate([gold_x[i] for i in range(len(docs)) if i != k])
        y = [s for i in range(len(docs)) if i != k for s in gold_y[i]]
        prepared.append(
            {
                "doc": doc,
                "spans": spans,
                "emb": emb,
                "probs": fit(x, y, ids).probabilities(emb, ids),
                "cues": np.stack([model.cues(t) for t in texts]),
                "words": np.array([len(t.split()) for t in texts], dtype=np.int32),
                "sims": model.narrative_similarities(emb),
            }
        )
    return model, prepared


def evaluate(
    model: NarrativeModel, prepared: list[dict[str, Any]], config: AssignConfig
) -> dict[str, Counts]:
    """Per split (and pooled) counts under one configuration."""
    model.reconfigure(config)
    totals: dict[str, Counts] = {}
    for p in prepared:
        per = model.decide_document(
            p["sims"], p["cues"], emb=p["emb"], words=p["words"], probs=p["probs"]
        )
        pred = {
            "sentences": [{"start": s.start, "end": s.end} for s in p["spans"]],
            "narratives": [r.model_dump() for r in document_narratives(model, per)],
        }
        counts = score_assignment(p["doc"].sentences, pred)
        split = p["doc"].split
        totals[split] = totals.get(split, Counts()) + counts
        totals["pooled"] = totals.get("pooled", Counts()) + counts
    return totals


GRID = {
    "cue_threshold": (0.2, 0.3, 0.5, 0.7),
    "margin": (0.05, 0.15),
    "context_threshold": (0.7, 0.8, 0.9, 0.95),
    "carry_floor": (0.5, 0.7, 0.8),
    "carry_cosine": (0.3, 0.5, 0.7),
    "classifier_threshold": (0.4, 0.5, 0.6),
}


def grid(model: NarrativeModel, prepared: list[dict[str, Any]], base: AssignConfig) -> AssignConfig:
    """The GRID configuration with the best pooled F1 (tuned on the scored articles: an
    optimistic figure for the shared encoder, said so where it is reported)."""
    best, best_f1 = base, -1.0
    for values in itertools.product(*GRID.values()):
        fields: dict[str, Any] = dict(zip(GRID, values, strict=True))
        config = replace(base, **fields)
        f1 = evaluate(model, prepared, config)["pooled"].f1
        if f1 > best_f1:
            best, best_f1 = config, f1
    print("grid best:", {k: getattr(best, k) for k in GRID}, f"pooled F1 {best_f1:.3f}")
    return best


def check_logits(shared: Path, n: int = 200) -> bool:
    """Logits of the edited graph (with the pooled-vector output) byte-identical to the shipped
    graph's on the first `n` gold sentences."""
    from nlp.sentiment.embedded import EmbeddedBackend, default_model_dir

    docs = [d for split in SPLITS for d in load_narrative_gold(shared, split=split)]
    texts = [d.text[g["char_start"] : g["char_end"]] for d in docs for g in d.sentences][:n]
    opts: dict[str, Any] = {"threads": 2, "batch_size": 32, "max_length": 128}
    plain = EmbeddedBackend(default_model_dir(), **opts).logits(texts)
    edited = EmbeddedBackend(default_model_dir(), embeddings=True, **opts)
    same = plain.tobytes() == edited.logits_and_embeddings(texts)[0].tobytes()
    print(f"logits of {len(texts)} gold sentences byte-identical with the embedding output: {same}")
    return same


def main() -> None:
    """Print one line per encoder and split; --json for the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--encoder", nargs="+", default=["minilm", "sentiment"])
    parser.add_argument("--set", nargs="*", default=[], help="AssignConfig field=value")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--grid", action="store_true", help="search the sentiment encoder's thresholds (GRID)"
    )
    args = parser.parse_args()
    overrides: dict[str, Any] = {k: float(v) for k, v in (i.split("=") for i in args.set)}
    check_logits(args.shared)
    out = {}
    for name in args.encoder:
        # Each encoder with its own thresholds (SHARED_CONFIG for the sentiment vectors).
        config = replace(SHARED_CONFIG if name == "sentiment" else AssignConfig(), **overrides)
        model, prepared = prepare(name, args.shared)
        if args.grid and name == "sentiment":
            config = grid(model, prepared, config)
        totals = evaluate(model, prepared, config)
        out[name] = {s: c.as_dict() for s, c in totals.items()}
        for split in (*SPLITS, "pooled"):
            c = totals[split]
            print(f"{name:9} {split:7} P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f} "
                  f"(tp {c.tp} fp {c.fp} fn {c.fn})", flush=True)  # fmt: skip
    if args.json:
        print(json.dumps({"config": overrides, "encoders": out}))


if __name__ == "__main__":
    main()
