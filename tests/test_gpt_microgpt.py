"""Exactness: nn.GPT trained by nn.train_gpt gives the published microgpt's losses, step for step.

The oracle is tests/microgpt_reference.py, an independent re-statement of Karpathy's program with
its own scalar class; the full 200-step comparison runs in benchmarks/bench_gpt.py.
"""

import math

from microgpt_reference import MicroGPT

import nn

STEPS = 8


def test_first_steps_equal_the_published_program():
    docs, model = nn.microgpt(seed=42)
    optimizer = nn.optim.Adam(model.parameters(), lr=nn.optim.LinearDecay(0.01, 0.0, steps=1000),
                              betas=(0.85, 0.99), eps=1e-8)
    ours = nn.train_gpt(model, docs, steps=STEPS, optimizer=optimizer, progress=False).loss
    ref = MicroGPT(nn.load_names(), seed=42, num_steps=1000)
    theirs = [ref.train_step() for _ in range(STEPS)]
    assert abs(theirs[0] - math.log(27)) < 0.2  # an untrained model guesses: about ln 27
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert abs(a - b) <= 1e-9, f"step {k}: chainrule {a!r}, microgpt {b!r}"
    assert max(abs(p.data - q.data) for p, q in zip(model.parameters(), ref.params)) < 1e-12
