"""Analysis of article text: sentences, linked entities, numeric claims and sentiment.

`Analyzer`, `analyze` and `pipe` are imported on first use, so importing a light module of this
package (settings, errors, the KB) never loads spaCy or torch.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp.pipeline import Analyzer, analyze, pipe

__all__ = ["Analyzer", "analyze", "pipe"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("nlp.pipeline"), name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
