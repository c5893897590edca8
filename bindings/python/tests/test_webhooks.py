"""Webhook signatures: the golden vectors, and the official `standardwebhooks`
package both ways."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any, Dict, List

import pytest
import standardwebhooks

import paraph
from paraph import webhooks
from paraph.webhooks import Webhook

from conftest import vectors

VECTORS: Dict[str, Any] = vectors("webhooks.json")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PAYLOAD = json.dumps(
    {"type": "envelope.completed", "data": {"name": "마리 뒤부아 — Marie Dubois"}},
    ensure_ascii=False,
    separators=(",", ":"),
).encode()


def headers_of(v: Dict[str, Any]) -> Dict[str, str]:
    return {
        "webhook-id": v["msgId"],
        "webhook-timestamp": str(v["timestamp"]),
        "webhook-signature": v["signature"],
    }


SIGN: List[Dict[str, Any]] = VECTORS["standardSign"]
VERIFY: List[Dict[str, Any]] = VECTORS["standardVerify"]
HEX: List[Dict[str, Any]] = VECTORS["hex"]


@pytest.mark.parametrize("v", SIGN, ids=[v["name"] for v in SIGN])
def test_sign_vectors(v: Dict[str, Any]) -> None:
    secrets = v.get("secrets") or [v["secret"]]
    headers = webhooks.sign(secrets, v["msgId"], v["timestamp"], v["payload"])
    assert headers == {
        "webhook-id": v["msgId"],
        "webhook-timestamp": str(v["timestamp"]),
        "webhook-signature": v["signature"],
    }
    if len(secrets) == 1:
        assert Webhook(secrets[0]).sign(v["msgId"], v["timestamp"], v["payload"]) == v["signature"]


@pytest.mark.parametrize("v", VERIFY, ids=[v["name"] for v in VERIFY])
def test_verify_vectors(v: Dict[str, Any]) -> None:
    def run() -> None:
        webhooks.verify(v["secret"], v["payload"].encode(), headers_of(v), now=v["now"])

    if v["expect"] == "OK":
        run()
        assert Webhook(v["secret"]).verify(v["payload"], headers_of(v), now=v["now"]) == json.loads(
            v["payload"]
        )
    else:
        with pytest.raises(paraph.WebhookVerificationError) as caught:
            run()
        assert caught.value.code == v["expect"]


@pytest.mark.parametrize("v", HEX, ids=[str(i) for i in range(len(HEX))])
def test_hex_vectors(v: Dict[str, Any]) -> None:
    assert webhooks.sign_hex(v["secret"], v["payload"]) == v["signature"]
    webhooks.verify_hex(v["secret"].encode(), v["payload"].encode(), v["signature"].upper())
    webhooks.verify_hex(v["secret"], v["payload"], "sha256=" + v["signature"])
    with pytest.raises(paraph.WebhookVerificationError) as caught:
        webhooks.verify_hex(v["secret"], v["payload"] + " ", v["signature"])
    assert caught.value.code == "WEBHOOK_SIGNATURE_MISMATCH"


class TestParaphSignsOfficialVerifies:
    def test_official_library_accepts_the_headers(self) -> None:
        headers = webhooks.sign(SECRET, "evt_env_1_14", int(time.time()), PAYLOAD)
        assert standardwebhooks.Webhook(SECRET).verify(PAYLOAD, headers) == json.loads(PAYLOAD)

    def test_official_library_accepts_the_class_signature(self) -> None:
        now = datetime.now(tz=timezone.utc)
        signature = Webhook(SECRET).sign("evt_env_1_15", now, PAYLOAD.decode())
        headers = {
            "webhook-id": "evt_env_1_15",
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }
        standardwebhooks.Webhook(SECRET).verify(PAYLOAD, headers)

    def test_official_library_rejects_a_changed_body(self) -> None:
        headers = webhooks.sign(SECRET, "evt_env_1_16", int(time.time()), PAYLOAD)
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            standardwebhooks.Webhook(SECRET).verify(PAYLOAD.replace(b"Marie", b"Mario"), headers)

    def test_rotation_headers_verify_with_either_secret(self) -> None:
        new = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        headers = webhooks.sign([SECRET, new], "evt_env_1_17", int(time.time()), PAYLOAD)
        assert len(headers["webhook-signature"].split(" ")) == 2
        standardwebhooks.Webhook(SECRET).verify(PAYLOAD, headers)
        standardwebhooks.Webhook(new).verify(PAYLOAD, headers)


class TestOfficialSignsParaphVerifies:
    def official_headers(self, msg_id: str, body: bytes) -> Dict[str, str]:
        now = datetime.now(tz=timezone.utc)
        return {
            "Webhook-Id": msg_id,
            "Webhook-Timestamp": str(int(now.timestamp())),
            "Webhook-Signature": standardwebhooks.Webhook(SECRET).sign(msg_id, now, body.decode()),
        }

    def test_paraph_accepts_the_official_signature(self) -> None:
        headers = self.official_headers("msg_py_1", PAYLOAD)
        assert Webhook(SECRET).verify(PAYLOAD, headers) == json.loads(PAYLOAD)
        webhooks.verify(SECRET, PAYLOAD, headers)

    def test_paraph_rejects_the_official_signature_over_another_body(self) -> None:
        headers = self.official_headers("msg_py_2", PAYLOAD)
        with pytest.raises(paraph.WebhookVerificationError) as caught:
            Webhook(SECRET).verify(PAYLOAD + b" ", headers)
        assert caught.value.code == "WEBHOOK_SIGNATURE_MISMATCH"

    def test_paraph_refuses_a_stale_official_timestamp(self) -> None:
        stale = datetime.fromtimestamp(time.time() - 600, tz=timezone.utc)
        headers = {
            "webhook-id": "msg_py_3",
            "webhook-timestamp": str(int(stale.timestamp())),
            "webhook-signature": standardwebhooks.Webhook(SECRET).sign("msg_py_3", stale, PAYLOAD.decode()),
        }
        with pytest.raises(paraph.WebhookVerificationError) as caught:
            Webhook(SECRET).verify(PAYLOAD, headers)
        assert caught.value.code == "WEBHOOK_TIMESTAMP_TOO_OLD"
        # A wider tolerance accepts it.
        webhooks.verify(SECRET, PAYLOAD, headers, tolerance=900)


def test_bad_secrets_are_refused_at_construction() -> None:
    for secret in ["whsec_", "whsec_!!!", "whsec_c2hvcnQ="]:
        with pytest.raises(paraph.WebhookVerificationError) as caught:
            Webhook(secret)
        assert caught.value.code == "WEBHOOK_INVALID_SECRET"


def test_raw_key_bytes_sign_like_their_whsec_text() -> None:
    raw = bytes(range(32))
    text = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    assert Webhook(raw).sign("m1", 1, b"{}") == Webhook(text).sign("m1", 1, b"{}")


def test_missing_header_and_bad_message_id_have_their_codes() -> None:
    with pytest.raises(paraph.WebhookVerificationError) as caught:
        Webhook(SECRET).verify(PAYLOAD, {"webhook-id": "m", "webhook-timestamp": "1"})
    assert caught.value.code == "WEBHOOK_MISSING_HEADER"
    with pytest.raises(paraph.WebhookVerificationError) as caught:
        webhooks.sign(SECRET, "has.dot", 1, PAYLOAD)
    assert caught.value.code == "WEBHOOK_INVALID_MESSAGE_ID"


def test_a_signed_payload_that_is_not_json_is_malformed_json() -> None:
    headers = webhooks.sign(SECRET, "m2", int(time.time()), b"not json")
    webhooks.verify(SECRET, b"not json", headers)
    with pytest.raises(paraph.RequestError) as caught:
        Webhook(SECRET).verify(b"not json", headers)
    assert caught.value.code == "MALFORMED_JSON"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(paraph.RequestError) as caught:
        Webhook(SECRET).sign("m3", datetime(2026, 1, 1), b"{}")
    assert caught.value.code == "INVALID_ARGUMENT"


def test_repr_never_shows_the_secret() -> None:
    assert "MfKQ" not in repr(Webhook(SECRET))
