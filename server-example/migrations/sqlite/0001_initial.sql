-- paraph-server schema, SQLite flavour. Times are RFC 3339 UTC text with
-- milliseconds ("2026-11-23T09:00:00.000Z"), which sort as they compare.
-- Booleans are 0/1 integers, as in the PostgreSQL flavour (BIGINT), so that
-- one set of queries serves both through sqlx's Any driver.

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    email       TEXT NOT NULL,
    plan        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    public_id   TEXT NOT NULL UNIQUE,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    livemode    INTEGER NOT NULL,
    scopes      TEXT NOT NULL,
    key_hash    TEXT NOT NULL,
    last4       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX api_keys_account ON api_keys(account_id, created_at);

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    livemode    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    mime_type   TEXT NOT NULL,
    size        INTEGER NOT NULL,
    pages       INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    status      TEXT NOT NULL,
    object_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE INDEX documents_account ON documents(account_id, livemode, created_at);

CREATE TABLE envelopes (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    livemode    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    snapshot    TEXT NOT NULL,
    extra       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE INDEX envelopes_account ON envelopes(account_id, livemode, created_at);
CREATE INDEX envelopes_account_status ON envelopes(account_id, livemode, status, created_at);

CREATE TABLE envelope_documents (
    envelope_id TEXT NOT NULL REFERENCES envelopes(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    PRIMARY KEY (envelope_id, document_id)
);
CREATE INDEX envelope_documents_document ON envelope_documents(document_id);

CREATE TABLE envelope_events (
    envelope_id TEXT NOT NULL REFERENCES envelopes(id),
    seq         INTEGER NOT NULL,
    event_type  TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    event       TEXT NOT NULL,
    PRIMARY KEY (envelope_id, seq)
);

CREATE TABLE webhooks (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    livemode        INTEGER NOT NULL,
    envelope_id     TEXT,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    secret          TEXT NOT NULL,
    active          INTEGER NOT NULL,
    disabled_reason TEXT,
    created_at      TEXT NOT NULL,
    deleted_at      TEXT
);
CREATE INDEX webhooks_account ON webhooks(account_id, livemode, created_at);

-- The outbox: one row per (event, endpoint), written in the transaction
-- that produced the event. The same row is the delivery's log entry.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id),
    envelope_id     TEXT NOT NULL,
    event_seq       INTEGER NOT NULL,
    event_type      TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT,
    UNIQUE (webhook_id, message_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries(id),
    attempt      INTEGER NOT NULL,
    attempted_at TEXT NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE idempotency_keys (
    account_id    TEXT NOT NULL,
    livemode      INTEGER NOT NULL,
    idem_key      TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    status_code   INTEGER,
    response_body TEXT,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (account_id, livemode, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
