"""Grad mode and anomaly mode belong to one thread, one asyncio task: never to the process."""

import asyncio
import threading

import pytest

from autograd import Value, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad

TIMEOUT = 30


def derivative(x: float) -> float:
    """d/dx (x^2 + 3x) by backward; the hand formula is 2x + 3."""
    v = Value(x)
    (v * v + 3 * v).backward()
    return v.grad


def right(x: float, g: float) -> bool:
    return abs(g - (2 * x + 3)) <= 1e-12 * (1 + abs(x))


def run_threads(*targets):
    errors = []

    def guarded(target):
        try:
            target()
        except BaseException as error:  # noqa: BLE001 - reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_stop_another_from_training():
    inside, done = threading.Event(), threading.Event()
    results = []

    def inference():
        with no_grad():
            inside.set()
            assert done.wait(TIMEOUT)
            assert not is_grad_enabled() and Value(2.0) * 3 is not None

    def training():
        assert inside.wait(TIMEOUT)  # the other thread is inside no_grad() for all of this
        try:
            results.extend((x, derivative(x)) for x in [i / 100 for i in range(-1000, 1000)])
        finally:
            done.set()

    run_threads(inference, training)
    assert len(results) == 2000
    assert all(right(x, g) for x, g in results)


def test_threads_entering_and_leaving_no_grad_interleaved_leave_it_on():
    # A enters, B enters, A leaves, B leaves: with one global switch B would restore A's "off"
    steps = [threading.Event() for _ in range(4)]
    seen = {}

    def a():
        with no_grad():
            steps[0].set()
            assert steps[1].wait(TIMEOUT)
        steps[2].set()
        seen["a"] = is_grad_enabled()

    def b():
        assert steps[0].wait(TIMEOUT)
        with no_grad():
            steps[1].set()
            assert steps[2].wait(TIMEOUT)
        seen["b"] = is_grad_enabled()

    run_threads(a, b)
    assert seen == {"a": True, "b": True}
    assert is_grad_enabled() and derivative(1.0) == 5.0


def test_many_threads_flipping_no_grad_never_disturb_each_other():
    barrier = threading.Barrier(4)
    wrong = []

    def worker(k):
        def run():
            barrier.wait(TIMEOUT)
            for i in range(300):
                x = k + i / 300
                if i % 2:
                    with no_grad():
                        y = Value(x) * 2
                        if y.op or not y.is_leaf():
                            wrong.append(("recorded under no_grad", k, i))
                elif not right(x, derivative(x)):
                    wrong.append(("wrong gradient", k, i))
        return run

    run_threads(*(worker(k) for k in range(4)))
    assert wrong == []
    assert is_grad_enabled()


def test_detect_anomaly_is_per_thread():
    inside, done = threading.Event(), threading.Event()
    outcome = {}

    def checking():
        with detect_anomaly():
            inside.set()
            assert done.wait(TIMEOUT)
            x = Value(1e-300)
            with pytest.raises(FloatingPointError, match="backward of sqrt produced gradient inf"):
                x.sqrt().backward(grad=1e300)
            outcome["checking"] = "raised"

    def other():
        assert inside.wait(TIMEOUT)
        try:
            x = Value(1e-300)
            x.sqrt().backward(grad=1e300)  # not in detect_anomaly here: inf is reported as is
            outcome["other"] = x.grad
        finally:
            done.set()

    run_threads(checking, other)
    assert outcome == {"checking": "raised", "other": float("inf")}


def test_asyncio_tasks_have_their_own_grad_mode():
    async def inference(entered: asyncio.Event, finished: asyncio.Event) -> bool:
        with no_grad():
            entered.set()
            await finished.wait()  # the training task runs while this one is inside no_grad()
            return is_grad_enabled()

    async def training(entered: asyncio.Event, finished: asyncio.Event) -> list[float]:
        await entered.wait()
        grads = []
        for i in range(200):
            grads.append(derivative(i / 10))
            await asyncio.sleep(0)
        finished.set()
        return grads

    async def main():
        entered, finished = asyncio.Event(), asyncio.Event()
        results = await asyncio.gather(inference(entered, finished), training(entered, finished))
        return results, is_grad_enabled()

    (inside, grads), after = asyncio.run(main())
    assert inside is False and after is True
    assert len(grads) == 200 and all(right(i / 10, g) for i, g in enumerate(grads))


def test_nested_grad_in_threads_and_enable_grad_inside_no_grad():
    results = {}

    def nested(k):
        def run():
            with no_grad():
                with enable_grad():
                    assert is_grad_enabled()
                # d/dx [x * d/dy (x y)] = 2x, computed while this thread is in no_grad()
                results[k] = [grad(lambda x: x * grad(lambda y: x * y)(1.0))(float(i)) for i in range(50)]
        return run

    run_threads(*(nested(k) for k in range(3)))
    assert results == {k: [2.0 * i for i in range(50)] for k in range(3)}
