//! A certificate of their own for each signer, issued by the platform's CA
//! at signing time, so that every viewer names who made each signature
//! (and poppler, which shows one signature per certificate, shows them
//! all). The caller passes the entropy; the key, the serial number and the
//! certificate follow from it, the recipient and the time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::envelope::{Envelope, RecipientRole};
use crate::error::{Error, ErrorCode, Result};
use crate::pades::{
    IssueOptions, KeyAlgorithm, KeySigner, MAX_COMMON_NAME_CHARS, MIN_KEY_ENTROPY_LEN, Signer,
    SignerIdentity, issue_signer,
};

/// How long a signer's certificate is valid by default, in days. Viewers
/// judge a chain at the time they open the file (without long-term
/// validation data), so a certificate that expires within the hour would
/// turn valid signatures into warnings the next day.
pub const DEFAULT_CERTIFICATE_VALIDITY_DAYS: u32 = 365;

/// How to issue a signer's certificate. JSON (camelCase): every key may be
/// left out, `{"algorithm": "P-256", "validityDays": 365}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipientCertificateOptions {
    /// The signer's key: P-256 (default, fast) or RSA-2048 (slow to make).
    #[serde(default = "default_algorithm")]
    pub algorithm: KeyAlgorithm,
    /// Days of validity from the signing time, cut to the CA's own.
    #[serde(default = "default_validity_days")]
    pub validity_days: u32,
}

fn default_algorithm() -> KeyAlgorithm {
    KeyAlgorithm::P256
}

fn default_validity_days() -> u32 {
    DEFAULT_CERTIFICATE_VALIDITY_DAYS
}

impl Default for RecipientCertificateOptions {
    fn default() -> Self {
        Self {
            algorithm: default_algorithm(),
            validity_days: default_validity_days(),
        }
    }
}

/// Issues the signer `recipient_id` of `envelope` a key and a certificate
/// from the platform CA `ca` (a [`Signer`] whose certificate is a CA's; an
/// HSM or a KMS works), valid from `now`, and returns the [`KeySigner`] to
/// pass to [`sign_recipient`](super::sign_recipient). `entropy` (at least
/// [`MIN_KEY_ENTROPY_LEN`] bytes from a secure random source, new for each
/// signing) makes the key and the serial number; the same entropy gives
/// the same certificate.
///
/// The certificate names the recipient (cut to
/// [`MAX_COMMON_NAME_CHARS`] characters; the evidence keeps the whole
/// name) and carries their email when it is ASCII; never their phone.
///
/// Errors: `RECIPIENT_NOT_FOUND`, `RECIPIENT_ROLE_MISMATCH` for a recipient
/// who does not sign, `INVALID_ARGUMENT` for short entropy or a validity
/// of zero days, `CERT_NOT_CA` and the rest of
/// [`issue_signer`](crate::pades::issue_signer)'s errors.
pub fn issue_recipient_signer(
    envelope: &Envelope,
    recipient_id: &str,
    ca: &dyn Signer,
    entropy: &[u8],
    options: &RecipientCertificateOptions,
    now: DateTime<Utc>,
) -> Result<KeySigner> {
    let recipient = envelope.recipient(recipient_id).ok_or_else(|| {
        Error::new(
            ErrorCode::RecipientNotFound,
            format!("envelope {} has no recipient {recipient_id}", envelope.id),
        )
    })?;
    if recipient.role != RecipientRole::Signer {
        return Err(Error::new(
            ErrorCode::RecipientRoleMismatch,
            format!(
                "recipient {recipient_id} is a {} and gets no signing certificate",
                recipient.role.as_str()
            ),
        ));
    }
    if entropy.len() < MIN_KEY_ENTROPY_LEN {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "a signer's key needs at least {MIN_KEY_ENTROPY_LEN} bytes of entropy, not {}",
                entropy.len()
            ),
        ));
    }
    if options.validity_days == 0 {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "a signer's certificate needs a validity of at least one day",
        ));
    }
    let mut identity = SignerIdentity::new(common_name(&recipient.name));
    if let Some(email) = recipient.email.as_deref().filter(|e| e.is_ascii()) {
        identity = identity.with_email(email);
    }
    let ca_not_after = ca
        .certificate_chain()
        .first()
        .map(|c| c.validity().1)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "the CA signer has no certificate",
            )
        })?;
    let not_after = (now + Duration::days(i64::from(options.validity_days))).min(ca_not_after);
    let issue = IssueOptions::new(serial_from(entropy), now, not_after);
    issue_signer(ca, &identity, options.algorithm, entropy, &issue)
}

/// The name cut to what a certificate's common name holds.
fn common_name(name: &str) -> String {
    if name.chars().count() <= MAX_COMMON_NAME_CHARS {
        return name.to_owned();
    }
    let mut cut: String = name.chars().take(MAX_COMMON_NAME_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// 16 octets (127 bits) drawn from the entropy, apart from the key's own
/// derivation, top bit cleared so the integer is positive and never zero:
/// what RFC 5280 and the CA/Browser Forum ask of a serial.
fn serial_from(entropy: &[u8]) -> Vec<u8> {
    let mut input = b"paraph/workflow/certificate-serial/v1\0".to_vec();
    input.extend_from_slice(entropy);
    let digest = crate::digest::sha256(&input);
    let mut serial = digest[..16].to_vec();
    serial[0] &= 0x7f;
    if serial.iter().all(|&b| b == 0) {
        serial[15] = 1;
    }
    serial
}
