#!/usr/bin/env python3
"""paraph's webhook signatures against the official `standardwebhooks` PyPI
package, both ways, through the `paraph` CLI (PARAPH_BIN)."""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import unittest
from datetime import datetime, timezone

from standardwebhooks import Webhook, WebhookVerificationError

PARAPH = os.environ.get("PARAPH_BIN", "target/debug/paraph")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PAYLOAD = json.dumps(
    {"type": "envelope.completed", "data": {"name": "마리 뒤부아 — Marie Dubois"}},
    ensure_ascii=False, separators=(",", ":"),
).encode()


def paraph(*args, stdin=b""):
    return subprocess.run([PARAPH, *args], input=stdin, capture_output=True)


def sign(secrets, msg_id, timestamp, payload):
    args = ["webhook", "sign", "--id", msg_id, "--timestamp", str(timestamp), "--json-headers"]
    for s in secrets:
        args += ["--secret", s]
    out = paraph(*args, stdin=payload)
    assert out.returncode == 0, out.stderr.decode()
    return json.loads(out.stdout)


class ParaphSignsOfficialVerifies(unittest.TestCase):
    def test_official_library_accepts_paraph_signature(self):
        headers = sign([SECRET], "evt_env_1_14", int(time.time()), PAYLOAD)
        Webhook(SECRET).verify(PAYLOAD, headers)

    def test_official_library_rejects_a_changed_body(self):
        headers = sign([SECRET], "evt_env_1_14", int(time.time()), PAYLOAD)
        with self.assertRaises(WebhookVerificationError):
            Webhook(SECRET).verify(PAYLOAD.replace(b"Marie", b"Mario"), headers)

    def test_rotation_header_verifies_with_old_and_new_secret(self):
        new = paraph("webhook", "new-secret").stdout.decode().strip()
        headers = sign([SECRET, new], "evt_env_1_15", int(time.time()), PAYLOAD)
        self.assertEqual(len(headers["webhook-signature"].split(" ")), 2)
        Webhook(SECRET).verify(PAYLOAD, headers)
        Webhook(new).verify(PAYLOAD, headers)

    def test_official_library_refuses_a_stale_paraph_timestamp(self):
        headers = sign([SECRET], "evt_env_1_16", int(time.time()) - 600, PAYLOAD)
        with self.assertRaises(WebhookVerificationError):
            Webhook(SECRET).verify(PAYLOAD, headers)


class OfficialSignsParaphVerifies(unittest.TestCase):
    def verify(self, msg_id, ts, signature, payload, *extra):
        return paraph("webhook", "verify", "--secret", SECRET, "--id", msg_id,
                      "--timestamp", str(ts), "--signature", signature, *extra, stdin=payload)

    def test_paraph_accepts_official_signature(self):
        now = datetime.now(tz=timezone.utc)
        signature = Webhook(SECRET).sign("msg_py_1", now, PAYLOAD.decode())
        out = self.verify("msg_py_1", int(now.timestamp()), signature, PAYLOAD)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        self.assertEqual(out.stdout, b"valid\n")

    def test_paraph_rejects_official_signature_over_other_body(self):
        now = datetime.now(tz=timezone.utc)
        signature = Webhook(SECRET).sign("msg_py_2", now, PAYLOAD.decode())
        out = self.verify("msg_py_2", int(now.timestamp()), signature, PAYLOAD + b" ", "--json")
        self.assertEqual(out.returncode, 1)
        self.assertEqual(json.loads(out.stderr)["error"]["code"], "WEBHOOK_SIGNATURE_MISMATCH")


class HexScheme(unittest.TestCase):
    def test_hex_signature_matches_python_hmac(self):
        out = paraph("webhook", "sign", "--scheme", "hex", "--secret", "s3cr3t", stdin=PAYLOAD)
        name, value = out.stdout.decode().strip().split(": ")
        self.assertEqual(name, "x-paraph-signature")
        self.assertEqual(value, hmac.new(b"s3cr3t", PAYLOAD, hashlib.sha256).hexdigest())


if __name__ == "__main__":
    sys.exit(unittest.main())
