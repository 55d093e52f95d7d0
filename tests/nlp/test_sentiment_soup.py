"""Weight averaging and seed parsing of the stage-2 soup (no training, no ../shared)."""

import pytest
import torch

from nlp.training.recipe import average_states, parse_seeds


def test_average_states_is_the_elementwise_mean_and_keeps_integer_buffers() -> None:
    ids = torch.arange(4)
    a = {"w": torch.tensor([1.0, 2.0]), "ids": ids}
    b = {"w": torch.tensor([3.0, 6.0]), "ids": ids.clone()}
    c = {"w": torch.tensor([2.0, 1.0]), "ids": ids.clone()}
    out = average_states([a, b, c])
    assert torch.equal(out["w"], torch.tensor([2.0, 3.0]))
    assert out["w"].dtype == torch.float32
    assert torch.equal(out["ids"], ids) and out["ids"].dtype == ids.dtype


def test_average_of_one_state_is_that_state() -> None:
    a = {"w": torch.tensor([0.1, -0.7])}
    assert torch.equal(average_states([a])["w"], a["w"])


def test_average_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no weights"):
        average_states([])


@pytest.mark.parametrize(
    ("text", "seeds"),
    [("13,101,2024", [13, 101, 2024]), (" 7 ", [7]), ("none", []), ("", []), ("NONE", [])],
)
def test_parse_seeds(text: str, seeds: list[int]) -> None:
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize(("text", "message"), [("1,x", "integers"), ("3,3", "repeated")])
def test_parse_seeds_rejects_bad_lists(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_seeds(text)
