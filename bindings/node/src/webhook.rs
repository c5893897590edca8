//! Webhook signatures: Standard Webhooks (`Webhook`, `signWebhook`,
//! `verifyWebhook`) and the plain hex HMAC (`signWebhookHex`,
//! `verifyWebhookHex`).
//!
//! `Webhook` is shaped like the class of the official `standardwebhooks`
//! npm package (`new Webhook(secret).verify(payload, headers)`,
//! `.sign(msgId, timestamp, payload)`), so receivers can switch by changing
//! the import.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use paraph::ErrorCode;
use paraph::webhook::{self, Verifier, WebhookHeaders, WebhookSecret};

use crate::convert::{self, BytesInput, TimestampInput};
use crate::error::{boundary, core, new_err};

/// A secret given as `whsec_<base64>` text (prefix optional) or raw bytes.
type SecretInput = Either<String, Uint8Array>;

fn secret(env: &Env, input: SecretInput) -> Result<WebhookSecret> {
    match input {
        Either::A(text) => WebhookSecret::parse(&text),
        Either::B(raw) => WebhookSecret::from_bytes(raw.to_vec()),
    }
    .map_err(core(env))
}

/// The verifier's clock: the addon reads it so that callers need not (the
/// core never does). `now` overrides it, for tests and replays.
fn now_or_clock(env: &Env, now: Option<TimestampInput>) -> Result<DateTime<Utc>> {
    match now {
        Some(now) => {
            let seconds = convert::unix_seconds(now);
            DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
                new_err(
                    env,
                    ErrorCode::InvalidArgument,
                    format!("now {seconds} is out of range"),
                )
            })
        }
        None => {
            let elapsed = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO);
            Ok(DateTime::<Utc>::UNIX_EPOCH
                + chrono::Duration::from_std(elapsed).unwrap_or(chrono::Duration::zero()))
        }
    }
}

/// Options of `new Webhook(secret, options)`.
#[napi(object)]
#[derive(Debug)]
pub struct WebhookOptions {
    /// Seconds a timestamp may be from the clock, either way (default 300).
    pub tolerance: Option<u32>,
}

/// Options of `verify`.
#[napi(object)]
#[derive(Debug)]
pub struct VerifyOptions {
    /// The verifier's time as a `Date` or Unix seconds (default: the clock).
    #[napi(ts_type = "Date | number")]
    pub now: Option<TimestampInput>,
    /// Seconds a timestamp may be from `now`, either way (default 300).
    pub tolerance: Option<u32>,
}

fn verify_with(
    env: &Env,
    verifier: &Verifier,
    payload: &[u8],
    headers: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Result<()> {
    verifier
        .verify(
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            payload,
            now,
        )
        .map_err(core(env))
}

/// Signs and verifies Standard Webhooks deliveries with one secret, like
/// `Webhook` of the `standardwebhooks` package.
#[napi]
#[derive(Debug)]
pub struct Webhook {
    secret: WebhookSecret,
    tolerance: Duration,
}

#[napi]
impl Webhook {
    /// A `whsec_…` secret, or the raw key as a `Buffer`/`Uint8Array`.
    #[napi(constructor)]
    pub fn new(env: &Env, secret: SecretInput, options: Option<WebhookOptions>) -> Result<Webhook> {
        boundary(env, || {
            let tolerance = options
                .and_then(|o| o.tolerance)
                .map_or(webhook::DEFAULT_TOLERANCE, |s| {
                    Duration::from_secs(u64::from(s))
                });
            Ok(Webhook {
                secret: self::secret(env, secret)?,
                tolerance,
            })
        })
    }

    /// The `webhook-signature` value (`v1,<base64>`) for a delivery;
    /// `timestamp` is a `Date` or Unix seconds.
    #[napi]
    pub fn sign(
        &self,
        env: &Env,
        msg_id: String,
        #[napi(ts_arg_type = "Date | number")] timestamp: TimestampInput,
        payload: BytesInput,
    ) -> Result<String> {
        boundary(env, || {
            self.secret
                .sign(
                    &msg_id,
                    convert::unix_seconds(timestamp),
                    &convert::bytes(payload),
                )
                .map_err(core(env))
        })
    }

    /// Checks the headers against the payload and returns the payload
    /// parsed as JSON, as `standardwebhooks` does. Throws an `Error` with a
    /// `WEBHOOK_*` code when the delivery is refused.
    #[napi(ts_return_type = "unknown")]
    pub fn verify(
        &self,
        env: &Env,
        payload: BytesInput,
        headers: HashMap<String, String>,
        #[napi(ts_arg_type = "{ now?: Date | number }")] options: Option<VerifyOptions>,
    ) -> Result<serde_json::Value> {
        boundary(env, || {
            let payload = convert::bytes(payload);
            let now = now_or_clock(env, options.and_then(|o| o.now))?;
            let verifier = Verifier::new(self.secret.clone()).with_tolerance(self.tolerance);
            verify_with(env, &verifier, &payload, &headers, now)?;
            serde_json::from_slice(&payload).map_err(|e| {
                new_err(
                    env,
                    ErrorCode::MalformedJson,
                    format!("the payload is signed but is not JSON: {e}"),
                )
            })
        })
    }
}

/// The three Standard Webhooks headers for a delivery, signed with every
/// secret given (several while a secret is rotated).
#[napi(
    ts_return_type = "{ 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string }"
)]
pub fn sign_webhook(
    env: &Env,
    #[napi(ts_arg_type = "string | Uint8Array | Array<string | Uint8Array>")] secrets: Either<
        SecretInput,
        Vec<SecretInput>,
    >,
    msg_id: String,
    #[napi(ts_arg_type = "Date | number")] timestamp: TimestampInput,
    payload: BytesInput,
) -> Result<HashMap<String, String>> {
    boundary(env, || {
        let secrets = match secrets {
            Either::A(one) => vec![secret(env, one)?],
            Either::B(many) => many
                .into_iter()
                .map(|s| secret(env, s))
                .collect::<Result<Vec<_>>>()?,
        };
        let headers = WebhookHeaders::sign(
            &secrets,
            &msg_id,
            convert::unix_seconds(timestamp),
            &convert::bytes(payload),
        )
        .map_err(core(env))?;
        Ok(headers
            .to_pairs()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect())
    })
}

/// Checks a Standard Webhooks delivery; throws an `Error` with a
/// `WEBHOOK_*` code when it is refused.
#[napi]
pub fn verify_webhook(
    env: &Env,
    secret: SecretInput,
    payload: BytesInput,
    headers: HashMap<String, String>,
    options: Option<VerifyOptions>,
) -> Result<()> {
    boundary(env, || {
        let (now, tolerance) = match options {
            Some(o) => (o.now, o.tolerance),
            None => (None, None),
        };
        let verifier = Verifier::new(self::secret(env, secret)?).with_tolerance(
            tolerance.map_or(webhook::DEFAULT_TOLERANCE, |s| {
                Duration::from_secs(u64::from(s))
            }),
        );
        let now = now_or_clock(env, now)?;
        verify_with(env, &verifier, &convert::bytes(payload), &headers, now)
    })
}

/// The lower-case hex HMAC-SHA256 of the payload (the secret's bytes as
/// given: a string is used as its UTF-8, not decoded).
#[napi]
pub fn sign_webhook_hex(env: &Env, secret: BytesInput, payload: BytesInput) -> Result<String> {
    boundary(env, || {
        webhook::sign_hex(&convert::bytes(secret), &convert::bytes(payload)).map_err(core(env))
    })
}

/// Checks a hex HMAC-SHA256 signature (either case, optional `sha256=`).
#[napi]
pub fn verify_webhook_hex(
    env: &Env,
    secret: BytesInput,
    payload: BytesInput,
    signature: String,
) -> Result<()> {
    boundary(env, || {
        webhook::verify_hex(
            &convert::bytes(secret),
            &convert::bytes(payload),
            &signature,
        )
        .map_err(core(env))
    })
}
