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


def test_threads_sign_one_shared_document_with_one_shared_signer() -> None:
    from conftest import fixture, roots

    document = paraph.Document.open(fixture("pdf/reportlab-contract.pdf"))
    signer = paraph.Signer.from_pkcs12(fixture("certs/ec/signer.p12"), "test")
    base = document.to_bytes()

    def work(worker: int) -> List[bytes]:
        return [
            document.sign(signer, page=1, rect=(72, 650, 180, 50), name=f"Worker {worker}", signing_time=NOW)
            for _ in range(4)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        signed = [pdf for part in pool.map(work, range(THREADS)) for pdf in part]
    assert len(signed) == THREADS * 4
    trust = roots()
    for pdf in signed:
        assert pdf.startswith(base)
        report = paraph.verify(pdf, trust=trust, time=NOW)
        assert report.is_valid and len(report.signatures) == 1
    assert document.to_bytes() == base and document.fields == []


def test_threads_call_one_shared_external_signer() -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from conftest import fixture

    key = serialization.load_pem_private_key(fixture("certs/ec/signer.key"), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    calls: List[int] = []

    def kms(message: bytes) -> bytes:
        calls.append(1)
        return key.sign(message, ec.ECDSA(hashes.SHA256()))

    hsm = paraph.Signer.external(fixture("certs/ec/signer.pem"), kms)
    document = paraph.Document.open(fixture("pdf/reportlab-contract.pdf"))
    with ThreadPoolExecutor(THREADS) as pool:
        signed = list(pool.map(lambda _: document.sign(hsm, signing_time=NOW), range(THREADS * 2)))
    assert len(calls) == THREADS * 2
    assert all(paraph.verify(pdf, time=NOW).is_valid for pdf in signed)


def big_pdf(stream_bytes: int) -> bytes:
    """A one-page PDF carrying an unreferenced stream of ``stream_bytes``:
    signing it hashes all of them, which takes a while in native code."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Length %d >>\nstream\n" % stream_bytes + b"\x00" * stream_bytes + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_signing_releases_the_gil() -> None:
    # As for the webhook above: a thread keeps counting while the main
    # thread is inside one native signing of a 48 MiB document; native code
    # holding the GIL would freeze the counter for the whole call.
    from conftest import fixture

    document = paraph.Document.open(big_pdf(48 << 20))
    signer = paraph.Signer.from_pkcs12(fixture("certs/ec/signer.p12"), "test")
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
        signed = document.sign(signer, signing_time=NOW)
        during = ticks - before
        done = True
        ticker.result()
    assert paraph.verify(signed, time=NOW).is_valid
    assert during > 10, during
