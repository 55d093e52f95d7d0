"""Dependency parse for claims, only where claims are: sentences with numbers and the one before.

The shared spaCy pass runs without the parser (entities and sentiment do not need it). Claims do,
but only around their numbers (and the sentence before, which may name who speaks), so each such
sentence is parsed as its own small Doc (the tagger's tensor comes along) and the heads and
labels are copied back into the article's Doc. Other tokens stay their own roots, labelled "dep".
"""

from __future__ import annotations

from typing import Any

import numpy
from spacy.attrs import DEP, HEAD
from spacy.language import Language
from spacy.tokens import Doc


def claim_sentences(spans: list[tuple[int, int]], offsets: list[int]) -> list[tuple[int, int]]:
    """The sentence spans holding one of `offsets`, each with the sentence before it."""
    keep: set[int] = set()
    for offset in offsets:
        for i, (start, end) in enumerate(spans):
            if start <= offset < end:
                keep.update({i, i - 1} if i else {i})
                break
    return [spans[i] for i in sorted(keep)]


def parse_spans(nlp: Language, docs: list[tuple[Doc, list[tuple[int, int]]]]) -> None:
    """Parse the given character spans of each Doc, in place; Docs already parsed are skipped."""
    parser: Any = nlp.get_pipe("parser") if "parser" in nlp.component_names else None
    if parser is None:
        return
    jobs: list[tuple[Doc, int]] = []  # (host doc, first token index) per piece
    pieces: list[Doc] = []
    for doc, spans in docs:
        if doc.has_annotation("DEP"):
            continue
        for start, end in spans:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None and len(span):
                jobs.append((doc, span.start))
                pieces.append(span.as_doc())
    for piece in parser.pipe(pieces, batch_size=64):
        del piece  # annotated in place
    _copy_back(jobs, pieces)


def _copy_back(jobs: list[tuple[Doc, int]], pieces: list[Doc]) -> None:
    """Write the pieces' heads and labels into their host Docs."""
    by_doc: dict[int, tuple[Doc, Any]] = {}
    filler = pieces[0].vocab.strings.add("dep") if pieces else 0
    for (doc, first), piece in zip(jobs, pieces, strict=True):
        if id(doc) not in by_doc:
            blank = numpy.zeros((len(doc), 2), dtype="uint64")
            blank[:, 1] = filler
            by_doc[id(doc)] = (doc, blank)
        _, array = by_doc[id(doc)]
        array[first : first + len(piece)] = piece.to_array([HEAD, DEP])
    for doc, array in by_doc.values():
        doc.from_array([HEAD, DEP], array)
