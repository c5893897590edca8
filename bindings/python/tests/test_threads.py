"""Envelopes and webhooks are immutable and shared between threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import List, Set

import paraph
from paraph import Actor, Envelope
from paraph.commands import AddRecipient
from paraph.webhooks import Webhook

from conftest import NOW

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
THREADS = 8
ROUNDS = 200


def test_threads_apply_commands_to_one_shared_envelope() -> None:
    shared, _ = Envelope.create({"id": "env_t", "subject": "Shared"}, now=NOW, actor=Actor.api_key("k"))
    before = shared.to_json()

    def work(worker: int) -> Set[str]:
        ids = set()
        for i in range(ROUNDS):
            rid = f"r{worker}_{i}"
            after, events = shared.apply(
                AddRecipient(id=rid, name="N", email=f"{rid}@example.com"), now=NOW, actor=Actor.api_key("k")
            )
            assert after.version == 2 and events[0].type == "recipient.added"
            ids.add(after.to_dict()["recipients"][0]["id"])
            assert paraph.replay([*created_events, *events]) == after
        return ids

    created_events = Envelope.create({"id": "env_t", "subject": "Shared"}, now=NOW, actor=Actor.api_key("k"))[1]
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    assert set().union(*results) == {f"r{w}_{i}" for w in range(THREADS) for i in range(ROUNDS)}
    assert shared.to_json() == before


def test_threads_verify_with_one_shared_webhook() -> None:
    hook = Webhook(SECRET)
    now = int(time.time())
    bodies = [f'{{"n": {i}}}'.encode() for i in range(THREADS * 20)]
    signed = [(b, paraph.webhooks.sign(SECRET, f"msg_{i}", now, b)) for i, b in enumerate(bodies)]

    def work(chunk: int) -> List[object]:
        out = []
        for body, headers in signed[chunk::THREADS]:
            out.append(hook.verify(body, headers))
            try:
                hook.verify(body + b" ", headers)
            except paraph.WebhookVerificationError as err:
                assert err.code == "WEBHOOK_SIGNATURE_MISMATCH"
            else:
                raise AssertionError("a changed body was accepted")
        return out

    with ThreadPoolExecutor(THREADS) as pool:
        verified = [v for part in pool.map(work, range(THREADS)) for v in part]
    assert sorted(v["n"] for v in verified) == list(range(THREADS * 20))  # type: ignore[index]


def test_a_large_verification_releases_the_gil() -> None:
    # While the main thread is inside one native verification of a 64 MiB
    # payload, another thread keeps counting. Had the call held the GIL, the
    # counter could not move between the two reads around the call (native
    # code never yields the GIL by itself).
    payload = b"x" * (64 << 20)
    headers = paraph.webhooks.sign(SECRET, "big", int(time.time()), payload)
    ticks = 0
    done = False

    def tick() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            time.sleep(0)

    with ThreadPoolExecutor(1) as pool:
        ticker = pool.submit(tick)
        while ticks == 0:
            time.sleep(0.001)
        before = ticks
        paraph.webhooks.verify(SECRET, payload, headers)
        during = ticks - before
        done = True
        ticker.result()
    assert during > 10, during
