//! Access codes: a code the sender gives a recipient out of band (by
//! phone, in person) and the recipient types before they may see the
//! documents or act (the core's `ACCESS_CODE` authentication). This is an
//! extension of this server's own: the public API it reproduces has no
//! field for one.
//!
//! A code is never stored, returned or logged. The envelope keeps its
//! HMAC-SHA256 under the server's link secret, bound to the recipient, so a
//! copy of the database alone does not allow guessing it offline (access
//! codes are short, chosen by people); a check compares in constant time,
//! and the core counts the failures and locks the recipient out after its
//! limit (5 by default), as for codes sent by SMS.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Deserializer};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::envelopes::settings::AccessCodeHash;
use crate::error::{AppError, AppResult};

/// Shortest access code, in characters.
pub const MIN_LEN: usize = 4;
/// Longest access code, in characters.
pub const MAX_LEN: usize = 64;

/// An access code as a request carries it: its `Debug` never shows it, so
/// no log line or error message can.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCode(String);

impl std::fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCode(•••)")
    }
}

impl<'de> Deserialize<'de> for AccessCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl AccessCode {
    /// A code from text (tests, the CLI).
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The code as given, to check it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The code, trimmed, if it is [`MIN_LEN`] to [`MAX_LEN`] characters
    /// with no control character; `what` names it in the error (which
    /// never quotes it).
    pub fn checked(&self, what: &str) -> AppResult<&str> {
        let code = self.0.trim();
        let len = code.chars().count();
        if !(MIN_LEN..=MAX_LEN).contains(&len) || code.chars().any(char::is_control) {
            return Err(AppError::invalid(format!(
                "{what} must be {MIN_LEN} to {MAX_LEN} characters, without control characters"
            )));
        }
        Ok(code)
    }
}

fn mac(secret: &[u8; 32], recipient_id: &str, code: &str) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"paraph-server/access-code/v1\0");
    mac.update(recipient_id.as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    mac.finalize().into_bytes().into()
}

/// What the envelope keeps of a recipient's code.
pub fn hash(secret: &[u8; 32], recipient_id: &str, code: &str) -> AccessCodeHash {
    AccessCodeHash {
        recipient_id: recipient_id.to_owned(),
        hmac_sha256: hex::encode(mac(secret, recipient_id, code)),
    }
}

/// Whether `code` (as typed: surrounding spaces are ignored) is the
/// recipient's, comparing in constant time.
pub fn matches(
    stored: &[AccessCodeHash],
    secret: &[u8; 32],
    recipient_id: &str,
    code: &str,
) -> bool {
    let Some(kept) = stored.iter().find(|c| c.recipient_id == recipient_id) else {
        return false;
    };
    let Ok(kept) = hex::decode(&kept.hmac_sha256) else {
        return false;
    };
    bool::from(
        kept.as_slice()
            .ct_eq(&mac(secret, recipient_id, code.trim())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_only_its_recipient_under_its_secret() {
        let secret = [3u8; 32];
        let stored = vec![hash(&secret, "rcp_1", "blue-42")];
        assert!(matches(&stored, &secret, "rcp_1", "blue-42"));
        assert!(matches(&stored, &secret, "rcp_1", "  blue-42 "));
        assert!(!matches(&stored, &secret, "rcp_1", "blue-43"));
        assert!(!matches(&stored, &secret, "rcp_2", "blue-42"));
        assert!(!matches(&stored, &[4u8; 32], "rcp_1", "blue-42"));
        assert!(!stored[0].hmac_sha256.contains("blue"));
    }

    #[test]
    fn codes_are_checked_and_never_shown() {
        assert_eq!(AccessCode::new(" 1234 ").checked("c").unwrap(), "1234");
        let short = AccessCode::new("123").checked("c").unwrap_err();
        assert!(!short.message().contains("123"), "{}", short.message());
        assert!(AccessCode::new("12\n34").checked("c").is_err());
        assert!(AccessCode::new("x".repeat(65)).checked("c").is_err());
        assert_eq!(
            format!("{:?}", AccessCode::new("s3cret")),
            "AccessCode(•••)"
        );
    }
}
