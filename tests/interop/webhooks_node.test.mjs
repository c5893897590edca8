// paraph's webhook signatures against the official `standardwebhooks` npm
// package, both ways, through the `paraph` CLI (PARAPH_BIN).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

const PARAPH = process.env.PARAPH_BIN ?? "../../target/debug/paraph";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PAYLOAD = Buffer.from(
  JSON.stringify({ type: "envelope.completed", data: { name: "마리 뒤부아 — Marie Dubois" } }),
);

function paraph(args, input = Buffer.alloc(0)) {
  const out = spawnSync(PARAPH, args, { input });
  if (out.error) throw out.error;
  return out;
}

function sign(secrets, msgId, timestamp, payload) {
  const args = ["webhook", "sign", "--id", msgId, "--timestamp", String(timestamp), "--json-headers"];
  for (const s of secrets) args.push("--secret", s);
  const out = paraph(args, payload);
  assert.equal(out.status, 0, out.stderr.toString());
  return JSON.parse(out.stdout.toString());
}

const now = () => Math.floor(Date.now() / 1000);

test("official library accepts what paraph signs", () => {
  const headers = sign([SECRET], "evt_env_1_14", now(), PAYLOAD);
  new Webhook(SECRET).verify(PAYLOAD, headers);
});

test("official library rejects a changed body", () => {
  const headers = sign([SECRET], "evt_env_1_14", now(), PAYLOAD);
  assert.throws(
    () => new Webhook(SECRET).verify(Buffer.from(PAYLOAD.toString().replace("Marie", "Mario")), headers),
    WebhookVerificationError,
  );
});

test("a rotation header verifies with the old and the new secret", () => {
  const fresh = paraph(["webhook", "new-secret"]).stdout.toString().trim();
  const headers = sign([SECRET, fresh], "evt_env_1_15", now(), PAYLOAD);
  new Webhook(SECRET).verify(PAYLOAD, headers);
  new Webhook(fresh).verify(PAYLOAD, headers);
});

test("paraph accepts what the official library signs and refuses other bodies", () => {
  const date = new Date();
  const signature = new Webhook(SECRET).sign("msg_js_1", date, PAYLOAD);
  const ts = String(Math.floor(date.getTime() / 1000));
  const verify = (payload) =>
    paraph(["webhook", "verify", "--json", "--secret", SECRET, "--id", "msg_js_1", "--timestamp", ts, "--signature", signature], payload);
  const ok = verify(PAYLOAD);
  assert.equal(ok.status, 0, ok.stderr.toString());
  const bad = verify(Buffer.concat([PAYLOAD, Buffer.from(" ")]));
  assert.equal(bad.status, 1);
  assert.equal(JSON.parse(bad.stderr.toString()).error.code, "WEBHOOK_SIGNATURE_MISMATCH");
});

test("the hex scheme matches node:crypto", () => {
  const out = paraph(["webhook", "sign", "--scheme", "hex", "--secret", "s3cr3t"], PAYLOAD);
  const [name, value] = out.stdout.toString().trim().split(": ");
  assert.equal(name, "x-paraph-signature");
  assert.equal(value, createHmac("sha256", "s3cr3t").update(PAYLOAD).digest("hex"));
});
