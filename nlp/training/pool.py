"""The training pool: every corpus the recipe mixes (../shared's public sets, our market-stance
labels, our commentary), each minus the held-out FPB texts and deduplicated by text."""

from pathlib import Path

from nlp.training.commentary import load_commentary
from nlp.training.data import (
    Example,
    fpb_split,
    heldout_keys,
    load_semeval_headlines,
    load_twitter,
    text_key,
)
from nlp.training.stance import load_stance


def training_pool(shared: Path) -> dict[str, list[Example]]:
    """Every training corpus, each minus the held-out FPB texts and deduped by text."""
    train, _ = fpb_split(shared)
    banned = heldout_keys(shared)
    pools = {
        "fpb50_train": train,
        "twitter_train": load_twitter(shared, "train"),
        "semeval_headlines": [e for e, _ in load_semeval_headlines(shared)],
        "crypto_stance": load_stance(shared),
        "market_commentary": load_commentary(),
    }
    out: dict[str, list[Example]] = {}
    for name, rows in pools.items():
        seen: set[str] = set()
        kept: list[Example] = []
        for row in rows:
            key = text_key(row.text)
            if key in banned or key in seen:
                continue
            seen.add(key)
            kept.append(row)
        out[name] = kept
    return out
