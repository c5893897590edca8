//! Signing links: `<public url>/sign/<token>`, one per recipient and round.
//!
//! A token is `<envelope id>.<43 characters>`: the characters are the
//! base64url HMAC-SHA256, under the server's link secret, of the envelope,
//! the recipient and the round, so nobody without the secret can make one
//! (256 bits), and the server can show a recipient's link again (the
//! public API's `GET /envelopes/{id}` carries `signUrl`) without keeping
//! it. The database keeps only the token's SHA-256 and its expiry, beside
//! the envelope: a stolen database yields no working link, and a new round
//! (or a voided envelope) ends the old links.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A recipient's link as the envelope keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningLink {
    /// The recipient.
    pub recipient_id: String,
    /// Lower-case hex SHA-256 of the token.
    pub token_sha256: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// The token of a recipient's link in a round.
pub fn token(secret: &[u8; 32], envelope_id: &str, recipient_id: &str, round: u32) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"paraph-server/sign-link/v1\0");
    mac.update(envelope_id.as_bytes());
    mac.update(b"\0");
    mac.update(recipient_id.as_bytes());
    mac.update(b"\0");
    mac.update(&round.to_be_bytes());
    let tag = mac.finalize().into_bytes();
    format!("{envelope_id}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// Lower-case hex SHA-256 of a token.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The envelope a token names, when it has the token's shape.
pub fn envelope_of(token: &str) -> Option<&str> {
    let (envelope, tag) = token.split_once('.')?;
    let shaped = envelope.len() <= 64
        && envelope
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && tag.len() == 43
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    shaped.then_some(envelope)
}

/// The link among `links` whose token is `token` (compared in constant time).
pub fn find<'l>(links: &'l [SigningLink], token: &str) -> Option<&'l SigningLink> {
    let hash = token_sha256(token);
    let mut found = None;
    for link in links {
        if bool::from(link.token_sha256.as_bytes().ct_eq(hash.as_bytes())) {
            found = Some(link);
        }
    }
    found
}

/// The URL of a token.
pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/sign/{token}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_by_recipient_and_round_and_name_their_envelope() {
        let secret = [7u8; 32];
        let a = token(&secret, "env_1", "rcp_1", 1);
        assert_ne!(a, token(&secret, "env_1", "rcp_2", 1));
        assert_ne!(a, token(&secret, "env_1", "rcp_1", 2));
        assert_ne!(a, token(&[8u8; 32], "env_1", "rcp_1", 1));
        assert_eq!(envelope_of(&a), Some("env_1"));
        assert_eq!(envelope_of("env_1.short"), None);
        assert_eq!(envelope_of("../x.aaaa"), None);
    }

    #[test]
    fn a_link_is_found_by_its_token_only() {
        let secret = [7u8; 32];
        let t = token(&secret, "env_1", "rcp_1", 1);
        let links = vec![SigningLink {
            recipient_id: "rcp_1".into(),
            token_sha256: token_sha256(&t),
            expires_at: Utc::now(),
        }];
        assert!(find(&links, &t).is_some());
        assert!(find(&links, &token(&secret, "env_1", "rcp_2", 1)).is_none());
    }
}
