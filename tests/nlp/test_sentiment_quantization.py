"""Float activations for chosen MatMuls of the shipped int8 graph (real model, no ../shared)."""

from pathlib import Path

import numpy as np
import pytest

from nlp.sentiment.embedded import default_model_dir
from nlp.sentiment.export import (
    ONNX_NAME,
    _Calibration,
    _softmax_probs,
    keep_float_activations,
    quantized_activation_inputs,
)

FFN_OUT = [f"/encoder/encoder/layer.{i}/output/dense/MatMul" for i in range(6)]
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
    tokenizer = default_model_dir() / "tokenizer.json"
    return _softmax_probs(session, _Calibration(Path(tokenizer), SENTENCES)._batches)


def _node(model, name: str):
    return next(node for node in model.graph.node if node.name == name)


def _int8_weights(model) -> set[str]:
    from onnx import TensorProto

    return {i.name for i in model.graph.initializer if i.data_type == TensorProto.INT8}


def test_every_matmul_of_the_shipped_graph_reads_quantized_activations(shipped) -> None:
    matmuls = [node for node in shipped.graph.node if node.op_type == "MatMul"]
    assert len(matmuls) == 48
    for node in matmuls:
        # projections: the activation only (the weight's Dequantize reads an int8 initializer);
        # the two attention products: both inputs
        expected = [0, 1] if node.name.endswith(("self/MatMul", "self/MatMul_1")) else [0]
        assert quantized_activation_inputs(shipped.graph, node) == expected, node.name


def test_chosen_matmuls_read_float_activations_and_keep_int8_weights(shipped) -> None:
    edited = keep_float_activations(shipped, FFN_OUT)
    for name in FFN_OUT:
        node = _node(edited, name)
        assert quantized_activation_inputs(edited.graph, node) == []
        assert node.input[0].endswith("intermediate_act_fn/Mul_1_output_0")  # the GELU output
        assert node.input[1].endswith("_DequantizeLinear_Output")  # int8 weight, dequantized
    others = [n for n in edited.graph.node if n.op_type == "MatMul" and n.name not in FFN_OUT]
    assert all(quantized_activation_inputs(edited.graph, n) for n in others)
    # the six GELU Quantize/Dequantize pairs had no other reader: gone with their scale and
    # zero point; every int8 weight stays
    assert len(edited.graph.node) == len(shipped.graph.node) - 12
    assert len(edited.graph.initializer) == len(shipped.graph.initializer) - 12
    assert _int8_weights(edited) == _int8_weights(shipped)
    assert len(_int8_weights(shipped)) >= 36
    assert len(shipped.graph.node) == 796  # the input model is not modified


def test_float_activations_change_the_numbers_but_not_the_answers(shipped) -> None:
    before = _probs(shipped)
    after = _probs(keep_float_activations(shipped, FFN_OUT))
    assert not np.allclose(before, after, atol=1e-6)
    assert np.allclose(after.sum(axis=1), 1.0, atol=1e-5)
    assert (before.argmax(axis=1) == after.argmax(axis=1)).all()
    assert np.abs(before - after).max() < 0.1


def test_an_unknown_node_name_is_a_clear_error(shipped) -> None:
    with pytest.raises(ValueError, match="no node named /nope/MatMul"):
        keep_float_activations(shipped, ["/nope/MatMul"])
