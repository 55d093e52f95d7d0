"""Keeping chosen activations of the shipped int8 graph in float (real model, no ../shared)."""

import json
from pathlib import Path

import numpy as np
import pytest

from nlp.sentiment.embedded import default_model_dir
from nlp.training.export import (
    ONNX_NAME,
    batch_probs,
    keep_float_activations,
    quantized_activations,
    token_batches,
)

GELU = [
    f"/encoder/encoder/layer.{i}/intermediate/intermediate_act_fn/Mul_1_output_0" for i in range(6)
]
FFN_OUT = "/encoder/encoder/layer.5/output/dense/MatMul_output_0"
SENTENCES = [
    "Operating profit fell to EUR 3.1 mn from EUR 8.9 mn a year earlier.",
    "US spot bitcoin ETFs saw a net outflow of $802 million last week.",
    "The company will hold its annual general meeting on 5 April.",
    "Net sales rose 12 % and the order book hit a record.",
]


@pytest.fixture(scope="module")
def shipped():
    import onnx

    return onnx.load(str(default_model_dir() / ONNX_NAME))


def _probs(model) -> np.ndarray:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Path(default_model_dir() / "tokenizer.json")
    return batch_probs(session, token_batches(tokenizer, SENTENCES))


def _readers(model, tensor: str) -> list:
    return [node for node in model.graph.node if tensor in node.input]


def _int8_weights(model) -> set[str]:
    from onnx import TensorProto

    return {i.name for i in model.graph.initializer if i.data_type == TensorProto.INT8}


def test_the_shipped_graph_keeps_float_exactly_what_quantization_json_names(shipped) -> None:
    meta = json.loads((default_model_dir() / "quantization.json").read_text(encoding="utf-8"))
    kept = meta["float_activations"]
    assert len(kept) == len(set(kept)) > 0
    assert [name for name, _gain in meta["ranking_kl_gain"][: len(kept)]] == kept
    assert not set(kept) & set(quantized_activations(shipped))
    produced = {out for node in shipped.graph.node for out in node.output}
    for tensor in kept:  # still computed, now read directly by its consumers
        assert tensor in produced
        assert "QuantizeLinear" not in [node.op_type for node in _readers(shipped, tensor)]
    # all 99 activations of the exported graph were ranked; the rest stay quantized
    assert len(meta["ranking_kl_gain"]) == 99
    assert len(quantized_activations(shipped)) == 99 - len(kept)


def test_the_quantized_activations_are_computed_tensors_not_weights(shipped) -> None:
    found = quantized_activations(shipped)
    initializers = {init.name for init in shipped.graph.initializer}
    assert len(found) == len(set(found))
    assert not set(found) & initializers
    assert set(GELU) <= set(found) and FFN_OUT in found
    for tensor in found:
        assert [node.op_type for node in _readers(shipped, tensor)] == ["QuantizeLinear"]


def test_float_activations_skip_their_quantize_pair_and_keep_int8_weights(shipped) -> None:
    edited = keep_float_activations(shipped, [*GELU, FFN_OUT])
    assert quantized_activations(edited) == [
        t for t in quantized_activations(shipped) if t not in {*GELU, FFN_OUT}
    ]
    for tensor in GELU:  # the FFN output projection now reads the GELU output directly
        (reader,) = _readers(edited, tensor)
        assert reader.op_type == "MatMul" and reader.name.endswith("output/dense/MatMul")
        assert reader.input[1].endswith("_DequantizeLinear_Output")  # int8 weight, dequantized
    # the projection's output reaches its bias Add without rounding
    assert [n.op_type for n in _readers(edited, FFN_OUT)] == ["Add"]
    # seven Quantize/Dequantize pairs had no other reader: gone with their scale and zero point
    assert len(edited.graph.node) == len(shipped.graph.node) - 14
    assert len(edited.graph.initializer) == len(shipped.graph.initializer) - 14
    assert _int8_weights(edited) == _int8_weights(shipped)
    assert len(_int8_weights(shipped)) >= 36
    assert quantized_activations(shipped) != quantized_activations(edited)  # input untouched


def test_float_activations_change_the_numbers_but_not_the_answers(shipped) -> None:
    before = _probs(shipped)
    after = _probs(keep_float_activations(shipped, [*GELU, FFN_OUT]))
    assert not np.allclose(before, after, atol=1e-6)
    assert np.allclose(after.sum(axis=1), 1.0, atol=1e-5)
    assert (before.argmax(axis=1) == after.argmax(axis=1)).all()
    assert np.abs(before - after).max() < 0.1


def test_every_activation_float_is_still_a_valid_model(shipped) -> None:
    edited = keep_float_activations(shipped, quantized_activations(shipped))
    assert quantized_activations(edited) == []
    assert not [n for n in edited.graph.node if n.op_type == "QuantizeLinear"]
    assert _int8_weights(edited) == _int8_weights(shipped)
    assert (_probs(edited).argmax(axis=1) == _probs(shipped).argmax(axis=1)).all()


@pytest.mark.parametrize("name", ["/nope/MatMul_output_0", "onnx::MatMul_783_quantized"])
def test_an_unknown_or_weight_tensor_is_a_clear_error(shipped, name: str) -> None:
    with pytest.raises(ValueError, match="not a quantized activation"):
        keep_float_activations(shipped, [name])
