//! The plain scheme many receivers were written against: the lower-case hex
//! HMAC-SHA256 of the raw body, in one header whose name the sender chooses
//! (`X-Paraph-Signature`, `X-Certyneo-Signature`). No timestamp is signed,
//! so this scheme does not stop replays; prefer Standard Webhooks.

use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

use crate::error::{Error, ErrorCode, Result};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn mac(secret: &[u8], payload: &[u8]) -> Result<Vec<u8>> {
    if secret.is_empty() {
        return Err(Error::new(
            ErrorCode::WebhookInvalidSecret,
            "the webhook secret is empty",
        ));
    }
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(payload);
    Ok(mac.finalize().into_bytes().to_vec())
}

/// The lower-case hex HMAC-SHA256 of `payload` keyed with `secret` (the
/// secret's bytes as given, not decoded).
///
/// ```
/// use paraph::webhook::{sign_hex, verify_hex};
///
/// let signature = sign_hex(b"my secret", br#"{"event":"envelope.completed"}"#)?;
/// assert_eq!(signature.len(), 64);
/// verify_hex(b"my secret", br#"{"event":"envelope.completed"}"#, &signature)?;
/// # Ok::<(), paraph::Error>(())
/// ```
pub fn sign_hex(secret: &[u8], payload: &[u8]) -> Result<String> {
    Ok(hex::encode(mac(secret, payload)?))
}

/// Checks a hex HMAC-SHA256 header value in constant time. Hex digits of
/// either case are accepted, and so is a `sha256=` prefix.
pub fn verify_hex(secret: &[u8], payload: &[u8], signature: &str) -> Result<()> {
    let signature = signature.trim();
    let signature = signature.strip_prefix("sha256=").unwrap_or(signature);
    let mismatch = || {
        Error::new(
            ErrorCode::WebhookSignatureMismatch,
            "the hex signature does not match the payload",
        )
    };
    let given = hex::decode(signature).map_err(|_| mismatch())?;
    let expected = mac(secret, payload)?;
    if bool::from(given.ct_eq(&expected)) {
        Ok(())
    } else {
        Err(mismatch())
    }
}
