-- The mail and SMS outbox: one row per message to a recipient, written in
-- the transaction of the state change that calls for it (an invitation
-- when their turn comes, a reminder, a code by SMS), delivered by the
-- message worker at least once, with retries. A row holds no secret: the
-- link and the code are derived again at delivery from the link secret
-- (the code from the row's nonce), so the database never holds either.
CREATE TABLE message_outbox (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL,   -- EMAIL or SMS
    kind            TEXT NOT NULL,   -- INVITATION, REMINDER or CODE
    account_id      TEXT NOT NULL,
    livemode        INTEGER NOT NULL,
    envelope_id     TEXT NOT NULL,
    recipient_id    TEXT NOT NULL,
    round           INTEGER NOT NULL,
    nonce           TEXT,
    status          TEXT NOT NULL,   -- PENDING, SENT, FAILED or SKIPPED
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX message_outbox_due ON message_outbox(status, next_attempt_at);
CREATE INDEX message_outbox_envelope ON message_outbox(envelope_id, created_at);
