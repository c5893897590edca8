//! Webhook signing and verification, and the payloads of envelope events.
//!
//! Two schemes:
//! - [Standard Webhooks](https://www.standardwebhooks.com/) (preferred):
//!   `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, an
//!   HMAC-SHA256 of `{id}.{timestamp}.{payload}` in base64 with a `v1,`
//!   prefix, several signatures while a secret is rotated, and a timestamp
//!   tolerance against replays ([`WebhookSecret`], [`WebhookHeaders`],
//!   [`Verifier`]).
//! - A plain lower-case hex HMAC-SHA256 of the body in one header
//!   ([`sign_hex`], [`verify_hex`]).
//!
//! [`WebhookPayload`] builds the delivery bodies (`event`, `envelope_id`,
//! `occurred_at`, `data`) from
//! envelope [`Event`](crate::envelope::Event)s.
//!
//! ```
//! use chrono::DateTime;
//! use paraph::webhook::{Verifier, WebhookHeaders, WebhookSecret};
//!
//! let secret = WebhookSecret::from_bytes([7u8; 32])?;
//! let body = br#"{"type":"envelope.completed"}"#;
//! let headers = WebhookHeaders::sign(&[secret.clone()], "evt_env_1_9", 1_700_000_000, body)?;
//! let now = DateTime::from_timestamp(1_700_000_030, 0).unwrap();
//! let pairs = headers.to_pairs();
//! Verifier::new(secret).verify(pairs.iter().map(|(n, v)| (*n, v.as_str())), body, now)?;
//! # Ok::<(), paraph::Error>(())
//! ```

mod hex;
mod payload;
mod standard;

pub use hex::{sign_hex, verify_hex};
pub use payload::{
    WEBHOOK_EVENT_TYPES, WebhookData, WebhookDocument, WebhookPayload, WebhookRecipient,
    webhook_event_type,
};
pub use standard::{
    DEFAULT_TOLERANCE, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, MAX_SECRET_LEN,
    MIN_SECRET_LEN, Verifier, WebhookHeaders, WebhookSecret,
};

#[cfg(test)]
mod tests;
