"""Analysis of article text: sentences, linked entities, numeric claims and sentiment."""

from nlp.pipeline import Analyzer, analyze, pipe

__all__ = ["Analyzer", "analyze", "pipe"]
