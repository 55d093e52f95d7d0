"""The three sentiment labels and the text normalisation every model input goes through."""

import re

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")

_URL = re.compile(r"https?://\S+")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?%)\]'])")
_SPACE_AFTER = re.compile(r"([(\[$])\s+")
_WS = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Undo FPB-style token spacing and drop URLs; a no-op on ordinary prose."""
    text = _URL.sub("", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AFTER.sub(r"\1", text)
    return _WS.sub(" ", text).strip()
