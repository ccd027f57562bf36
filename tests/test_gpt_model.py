"""nn.GPT: microgpt's architecture as a Module (shapes, order, gradients, saving, sampling, errors)."""

import math
import random

import pytest
from microgpt_reference import MicroGPT

import nn
from autograd import Value
from nn.gpt import rmsnorm, softmax


def tiny(seed=0):
    return nn.GPT(4, n_layer=2, n_embd=4, n_head=2, block_size=4, seed=seed)


def test_microgpt_size_and_parameter_order():
    model = nn.GPT(27, seed=42)
    # 27*16 (wte) + 16*16 (wpe) + 27*16 (lm_head) + 4 * 16*16 (attention) + 2 * 64*16 (MLP)
    assert len(model.parameters()) == 4192
    names = list(model.state_dict())  # one key per number, the names of named_parameters()
    assert names == [name for name, _ in model.named_parameters()]
    matrices = [name.rstrip("0123456789").rstrip(".") for name in names]
    assert list(dict.fromkeys(matrices)) == ["wte", "wpe", "lm_head", "layers.0.attn_wq", "layers.0.attn_wk",
                                             "layers.0.attn_wv", "layers.0.attn_wo", "layers.0.mlp_fc1",
                                             "layers.0.mlp_fc2"]
    assert names[:2] == ["wte0", "wte1"] and names[-1] == f"layers.0.mlp_fc2.{16 * 64 - 1}"
    # the weights are gauss(0, 0.08) drawn from random.Random(42) in that order, row after row
    rng = random.Random(42)
    assert [p.data for p in model.parameters()] == [rng.gauss(0, 0.08) for _ in range(4192)]
    assert model.rows("layers.0.mlp_fc2")[1][0] is model.layers[0].mlp_fc2[64]


def test_microgpt_setup_draws_as_the_published_program():
    docs, model = nn.microgpt(seed=42)
    ref = MicroGPT(nn.load_names(), seed=42)
    assert docs == ref.docs and model.chars == "".join(ref.chars) and model.bos == ref.bos == 26
    assert [p.data for p in model.parameters()] == [p.data for p in ref.params]


def test_rmsnorm_and_softmax_by_hand():
    x = [Value(v) for v in (3.0, -4.0)]
    ms = (9 + 16) / 2
    assert [v.data for v in rmsnorm(x)] == pytest.approx([3 / math.sqrt(ms + 1e-5), -4 / math.sqrt(ms + 1e-5)])
    big = [Value(1000.0), Value(999.0), Value(-5.0)]  # e^1000 overflows: the max is subtracted first
    e = [1.0, math.exp(-1), math.exp(-1005)]
    assert [p.data for p in softmax(big)] == pytest.approx([v / sum(e) for v in e], rel=1e-14)


def test_gradients_match_central_differences():
    model = tiny()
    tokens = model.encode("abca")[:5]
    loss = model.loss(tokens)
    model.zero_grad()
    loss.backward()
    h = 1e-6
    for p in model.parameters():
        p.data += h
        up = model.loss(tokens).data
        p.data -= 2 * h
        down = model.loss(tokens).data
        p.data += h
        assert p.grad == pytest.approx((up - down) / (2 * h), abs=1e-7)


def test_attention_is_causal():
    """The logits at position t depend on tokens 0..t only (the key/value cache holds the past)."""
    model = tiny(1)
    first, second = model.new_cache(), model.new_cache()
    for pos, (a, b) in enumerate(zip([3, 0, 1, 2], [3, 0, 2, 1])):
        la, lb = model.step(a, pos, first), model.step(b, pos, second)
        if pos < 2:
            assert [v.data for v in la] == [v.data for v in lb]
        else:
            assert [v.data for v in la] != [v.data for v in lb]
    assert len(first[0][0]) == len(first[1][1]) == 4  # one key and one value per position, per layer


def test_loss_uses_the_first_block_size_positions():
    model = tiny(2)
    long = model.encode("abcabcabc")
    assert model.loss(long).data == model.loss(long[:5]).data  # block_size 4: positions 0..3 predict 1..4


def test_save_and_load_round_trip(tmp_path):
    docs, model = nn.microgpt(seed=42)
    nn.train_gpt(model, docs, steps=2, progress=False)
    path = tmp_path / "gpt.json"
    nn.save(model, path)
    again = nn.load(path)
    assert isinstance(again, nn.GPT) and again.config() == model.config()
    assert again.state_dict() == model.state_dict()
    tokens = model.encode("olivia")
    assert again.loss(tokens).data == model.loss(tokens).data
    other = nn.GPT(27, n_embd=8, seed=0)
    with pytest.raises(nn.ModelFileError, match="n_embd"):
        nn.load(path, model=other)


def test_sampling_follows_microgpts_random_stream():
    rng = random.Random(42)
    names = nn.load_names()
    rng.shuffle(names)
    model = nn.GPT(27, seed=rng)
    ours = model.sample(5, temperature=0.5, seed=rng)
    ref = MicroGPT(nn.load_names(), seed=42)
    assert ours == [ref.sample(0.5) for _ in range(5)]
    assert model.sample(3, seed=7) == model.sample(3, seed=7)
    assert all(len(n) <= 16 and set(n) <= set(model.chars) for n in model.sample(20, seed=1))


def test_train_gpt_lowers_the_loss_and_records_every_step():
    model = nn.GPT(27, n_embd=8, n_head=2, seed=0)
    history = nn.train_gpt(model, ["ab", "ba"] * 3, steps=30, progress=False)
    assert len(history.loss) == 30
    assert sum(history.loss[-4:]) < sum(history.loss[:4]) / 2


@pytest.mark.parametrize("kwargs, message", [
    ({"vocab_size": 1}, "vocab_size"),
    ({"vocab_size": 27, "n_embd": 10, "n_head": 4}, "multiple of n_head"),
    ({"vocab_size": 27, "n_layer": 0}, "n_layer"),
    ({"vocab_size": 40}, "chars="),
    ({"vocab_size": 4, "chars": "aab"}, "distinct"),
])
def test_bad_configurations_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.GPT(**kwargs)


def test_bad_inputs_are_named():
    model = tiny()
    with pytest.raises(ValueError, match=r"outside the vocabulary .*\['z'\]"):
        model.encode("abz")
    with pytest.raises(ValueError, match="position 4"):
        model.step(0, 4, model.new_cache())
    with pytest.raises(ValueError, match="token 7 is outside 0..3"):
        model.step(7, 0, model.new_cache())
    with pytest.raises(TypeError, match="seed must be an int"):
        nn.GPT(4, seed=1.5)
    with pytest.raises(ValueError, match="temperature"):
        model.sample(1, temperature=0)
    with pytest.raises(ValueError, match="steps"):
        nn.train_gpt(model, ["ab"], steps=0)
    with pytest.raises(ValueError, match="engine"):
        nn.train_gpt(model, ["ab"], steps=1, engine="fast")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        nn.train_gpt(model, ["ab", "xyz"], steps=2, progress=False)
