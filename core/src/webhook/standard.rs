//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>, spec
//! version 1.0.0, §"Signature scheme" and §"Verifying signatures").

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

use crate::error::{Error, ErrorCode, Result};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The `webhook-id` header: the message id, stable across retries.
pub const HEADER_ID: &str = "webhook-id";
/// The `webhook-timestamp` header: Unix seconds of this delivery attempt.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The `webhook-signature` header: space-separated `v1,<base64>` signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// How far a timestamp may be from the verifier's clock, either way, by
/// default (the official libraries use 5 minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// Shortest secret the specification allows, in bytes.
pub const MIN_SECRET_LEN: usize = 24;
/// Longest secret the specification allows, in bytes.
pub const MAX_SECRET_LEN: usize = 64;

const SECRET_PREFIX: &str = "whsec_";
const SIGNATURE_VERSION: &str = "v1";

/// A symmetric signing secret: 24 to 64 random bytes, written
/// `whsec_<base64>`. Its `Debug` output never shows the key.
///
/// ```
/// use paraph::webhook::WebhookSecret;
///
/// let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// assert_eq!(secret.as_bytes().len(), 24);
/// assert_eq!(secret.expose(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
/// assert_eq!(format!("{secret:?}"), "WebhookSecret(<redacted>)");
/// # Ok::<(), paraph::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

/// The key bytes are wiped when the secret is dropped, so that a freed
/// secret (from Rust, the C ABI or a binding) does not linger in memory.
impl Drop for WebhookSecret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key);
    }
}

impl zeroize::ZeroizeOnDrop for WebhookSecret {}

impl WebhookSecret {
    /// A secret from raw bytes (24 to 64 of them, from a CSPRNG).
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        let key = bytes.into();
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&key.len()) {
            return Err(Error::new(
                ErrorCode::WebhookInvalidSecret,
                format!(
                    "a webhook secret has {MIN_SECRET_LEN} to {MAX_SECRET_LEN} bytes, not {}",
                    key.len()
                ),
            ));
        }
        Ok(Self { key })
    }

    /// Parses `whsec_<base64>`; the prefix is optional and the base64 may be
    /// padded or not, as the official libraries accept.
    pub fn parse(text: &str) -> Result<Self> {
        let encoded = text.trim();
        let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
        if encoded.is_empty() {
            return Err(Error::new(
                ErrorCode::WebhookInvalidSecret,
                "the webhook secret is empty",
            ));
        }
        let key = STANDARD_NO_PAD
            .decode(encoded.trim_end_matches('='))
            .map_err(|_| {
                Error::new(
                    ErrorCode::WebhookInvalidSecret,
                    "the webhook secret is not base64 (expected whsec_<base64>)",
                )
            })?;
        Self::from_bytes(key)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.key
    }

    /// The secret as `whsec_<padded base64>`, to show once to its owner.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.key))
    }

    /// The `v1,<base64>` signature of `{msg_id}.{timestamp}.{payload}`.
    pub fn sign(&self, msg_id: &str, timestamp: i64, payload: &[u8]) -> Result<String> {
        check_message_id(msg_id)?;
        if timestamp < 0 {
            return Err(Error::new(
                ErrorCode::WebhookInvalidTimestamp,
                format!(
                    "webhook-timestamp {timestamp} is before 1970: Unix seconds are never negative here"
                ),
            ));
        }
        Ok(format!(
            "{SIGNATURE_VERSION},{}",
            STANDARD.encode(self.mac(msg_id, &timestamp.to_string(), payload))
        ))
    }

    /// HMAC-SHA256 of `{msg_id}.{timestamp}.{payload}`, with the timestamp
    /// exactly as it appears in the header.
    fn mac(&self, msg_id: &str, timestamp: &str, payload: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length; the secret's length was checked.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac.finalize().into_bytes().to_vec()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// Message ids must be non-empty and must not contain `.` (the separator of
/// the signed content) or whitespace; at most 255 bytes.
fn check_message_id(msg_id: &str) -> Result<()> {
    if msg_id.is_empty()
        || msg_id.len() > 255
        || msg_id
            .chars()
            .any(|c| c == '.' || c.is_whitespace() || c.is_control())
    {
        return Err(Error::new(
            ErrorCode::WebhookInvalidMessageId,
            format!(
                "webhook message id {msg_id:?} must be 1 to 255 bytes without '.', spaces or control characters"
            ),
        ));
    }
    Ok(())
}

/// The three headers of a signed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookHeaders {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`, Unix seconds.
    pub timestamp: i64,
    /// `webhook-signature`: one `v1,<base64>` per secret, space-separated.
    pub signature: String,
}

impl WebhookHeaders {
    /// Signs `payload` with every secret, so that receivers that hold either
    /// the old or the new secret accept it while a secret is rotated.
    pub fn sign(
        secrets: &[WebhookSecret],
        msg_id: &str,
        timestamp: i64,
        payload: &[u8],
    ) -> Result<Self> {
        if secrets.is_empty() {
            return Err(Error::new(
                ErrorCode::WebhookInvalidSecret,
                "at least one webhook secret is needed to sign",
            ));
        }
        let signatures = secrets
            .iter()
            .map(|secret| secret.sign(msg_id, timestamp, payload))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            id: msg_id.to_owned(),
            timestamp,
            signature: signatures.join(" "),
        })
    }

    /// The headers as `(name, value)` pairs, ready for an HTTP request.
    pub fn to_pairs(&self) -> [(&'static str, String); 3] {
        [
            (HEADER_ID, self.id.clone()),
            (HEADER_TIMESTAMP, self.timestamp.to_string()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }
}

/// Verifies Standard Webhooks deliveries with one secret.
///
/// ```
/// use chrono::DateTime;
/// use paraph::webhook::{WebhookSecret, Verifier};
///
/// let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let now = DateTime::from_timestamp(1614265330, 0).unwrap();
/// let headers = [
///     ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
///     ("webhook-timestamp", "1614265330"),
///     ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
/// ];
/// Verifier::new(secret).verify(headers, br#"{"test": 2432232314}"#, now)?;
/// # Ok::<(), paraph::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: WebhookSecret,
    tolerance: Duration,
}

impl Verifier {
    /// A verifier with the default tolerance of 5 minutes.
    pub fn new(secret: WebhookSecret) -> Self {
        Self {
            secret,
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// The same verifier with another timestamp tolerance.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks a delivery: the three headers (names compared
    /// case-insensitively), the raw body and the verifier's current time.
    ///
    /// The timestamp must lie within the tolerance of `now` either way, and
    /// at least one `v1` signature of the header must match, compared in
    /// constant time. Entries of other versions are skipped.
    pub fn verify<'h>(
        &self,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        payload: &[u8],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (mut id, mut timestamp, mut signature) = (None, None, None);
        for (name, value) in headers {
            if name.eq_ignore_ascii_case(HEADER_ID) {
                id = Some(value);
            } else if name.eq_ignore_ascii_case(HEADER_TIMESTAMP) {
                timestamp = Some(value);
            } else if name.eq_ignore_ascii_case(HEADER_SIGNATURE) {
                signature = Some(value);
            }
        }
        let missing = |name: &str| {
            Error::new(
                ErrorCode::WebhookMissingHeader,
                format!("the {name} header is missing"),
            )
        };
        let id = id.ok_or_else(|| missing(HEADER_ID))?;
        let timestamp = timestamp.ok_or_else(|| missing(HEADER_TIMESTAMP))?;
        let signature = signature.ok_or_else(|| missing(HEADER_SIGNATURE))?;
        self.verify_parts(id, timestamp, signature, payload, now)
    }

    /// [`verify`](Self::verify) with the three header values given apart.
    pub fn verify_parts(
        &self,
        msg_id: &str,
        timestamp: &str,
        signature: &str,
        payload: &[u8],
        now: DateTime<Utc>,
    ) -> Result<()> {
        // An empty value is what a missing header reads as once a framework
        // has flattened the headers to strings: report it as missing, as the
        // Standard Webhooks libraries do, not as a malformed value.
        for (name, value) in [
            ("webhook-id", msg_id),
            ("webhook-timestamp", timestamp),
            ("webhook-signature", signature),
        ] {
            if value.trim().is_empty() {
                return Err(Error::new(
                    ErrorCode::WebhookMissingHeader,
                    format!("the {name} header is missing or empty"),
                ));
            }
        }
        let sent_at: i64 = timestamp.parse().map_err(|_| {
            Error::new(
                ErrorCode::WebhookInvalidTimestamp,
                format!("webhook-timestamp {timestamp:?} is not an integer number of seconds"),
            )
        })?;
        let tolerance = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        let now_secs = now.timestamp();
        if sent_at < now_secs.saturating_sub(tolerance) {
            return Err(Error::new(
                ErrorCode::WebhookTimestampTooOld,
                format!(
                    "webhook-timestamp {sent_at} is more than {tolerance} s before now ({now_secs})"
                ),
            ));
        }
        if sent_at > now_secs.saturating_add(tolerance) {
            return Err(Error::new(
                ErrorCode::WebhookTimestampTooNew,
                format!(
                    "webhook-timestamp {sent_at} is more than {tolerance} s after now ({now_secs})"
                ),
            ));
        }
        let expected = self.secret.mac(msg_id, timestamp, payload);
        let matched = signature
            .split(' ')
            .filter_map(|entry| entry.split_once(','))
            .filter(|(version, _)| *version == SIGNATURE_VERSION)
            .filter_map(|(_, encoded)| STANDARD.decode(encoded).ok())
            .fold(subtle::Choice::from(0), |any, candidate| {
                any | candidate.ct_eq(&expected)
            });
        if bool::from(matched) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::WebhookSignatureMismatch,
                "no v1 signature in webhook-signature matches the payload",
            ))
        }
    }
}
