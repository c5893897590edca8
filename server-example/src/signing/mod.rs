//! What the server needs to let recipients sign, beside the core's
//! workflow: the platform's keys ([`Platform`]), the signing links
//! ([`links`]), the one-time codes sent by SMS ([`sms`]) and where the
//! bytes of each document version live.
//!
//! The signing itself (prepare at send, each recipient's PAdES revision,
//! the completion and the sealed audit trail) is the core's
//! [`paraph::workflow`]; [`flow`] only reads, calls it and writes.

pub mod access_code;
pub mod flow;
pub mod links;
pub mod mail;
pub mod messages;
pub mod sms;
pub mod tsa;

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use paraph::pades::KeySigner;
use sha2::{Digest, Sha256};

/// The test intermediate CA of `fixtures/certs/rsa` (key and chain): the
/// default CA that issues each signer a certificate. A demonstration key,
/// published in this repository: never trust what it signs.
const DEMO_CA_KEY: &[u8] = include_bytes!("../../../fixtures/certs/rsa/intermediate.key");
const DEMO_CA_CHAIN: &[u8] = include_bytes!("../../../fixtures/certs/rsa/chain.pem");
/// `fixtures/certs/demo/seal.p12` (password `test`): the default platform
/// seal of the audit trail. Likewise a published test key.
const DEMO_SEAL: &[u8] = include_bytes!("../../../fixtures/certs/demo/seal.p12");
const DEMO_SEAL_PASSWORD: &str = "test";

/// The consent every recipient accepts before signing; the evidence keeps
/// its version and SHA-256.
pub const CONSENT_VERSION: &str = "paraph-server-2026-12";
/// The text of [`CONSENT_VERSION`].
pub const CONSENT_TEXT: &str = "I agree to receive and sign documents electronically. My electronic signature has the same effect as my handwritten signature. I can ask for a paper copy and withdraw this consent at any time.";

/// Days after which a recipient who has not acted is reminded.
pub const DEFAULT_REMIND_AFTER_DAYS: i64 = 3;

/// Default lifetime of a signing link, in days (cut to the envelope's expiry).
pub const DEFAULT_LINK_DAYS: i64 = 30;

/// The platform's keys.
#[derive(Debug)]
pub struct Platform {
    /// The CA that issues each signer a key and certificate of their own.
    pub ca: KeySigner,
    /// The platform's seal: the audit trail, and every signature when
    /// [`CertificateMode::PlatformSeal`] is chosen.
    pub seal: KeySigner,
    /// Whether these are the published demonstration keys.
    pub demo: bool,
}

impl Platform {
    /// The demonstration keys bundled with the server (test fixtures).
    pub fn demo() -> Result<Self, paraph::Error> {
        Ok(Self {
            ca: KeySigner::from_pem(DEMO_CA_KEY, DEMO_CA_CHAIN)?,
            seal: KeySigner::from_pkcs12(DEMO_SEAL, DEMO_SEAL_PASSWORD)?,
            demo: true,
        })
    }

    /// Keys from files: the CA's PEM key and chain (leaf first), the seal's
    /// PKCS#12 and its password.
    pub fn from_files(
        ca_key: &std::path::Path,
        ca_chain: &std::path::Path,
        seal: &std::path::Path,
        seal_password: &str,
    ) -> Result<Self, crate::error::AppError> {
        let read = |path: &std::path::Path| {
            std::fs::read(path).map_err(|e| {
                crate::error::AppError::invalid(format!("cannot read {}: {e}", path.display()))
            })
        };
        Ok(Self {
            ca: KeySigner::from_pem(&read(ca_key)?, &read(ca_chain)?)?,
            seal: KeySigner::from_pkcs12(&read(seal)?, seal_password)?,
            demo: false,
        })
    }
}

static DEMO_PLATFORM: LazyLock<Option<Arc<Platform>>> = LazyLock::new(|| match Platform::demo() {
    Ok(platform) => Some(Arc::new(platform)),
    Err(err) => {
        tracing::error!(error = %err, "the bundled demonstration keys do not load");
        None
    }
});

/// Whose certificate signs each recipient's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CertificateMode {
    /// A key and certificate of their own, issued by the platform CA at
    /// signing time (viewers name each signer).
    #[default]
    PerSigner,
    /// The platform's seal signs for every recipient.
    PlatformSeal,
}

/// How recipients sign, and where their messages go.
#[derive(Debug, Clone)]
pub struct SigningSettings {
    /// The platform's keys (`None` when they could not be loaded: signing
    /// routes then answer 500 and the log says why).
    pub platform: Option<Arc<Platform>>,
    /// Whose certificate signs.
    pub certificates: CertificateMode,
    /// The key signing links are derived from (HMAC-SHA256): every server
    /// process sharing a database needs the same one.
    pub link_secret: Arc<[u8; 32]>,
    /// How long a link lasts.
    pub link_lifetime: chrono::Duration,
    /// Folder of the email (`.eml`) and SMS outboxes; `None` sends nothing.
    pub outbox_dir: Option<PathBuf>,
    /// How long a code sent by SMS stays valid (how many wrong codes lock
    /// a recipient out is the core's rule).
    pub code_lifetime: chrono::Duration,
    /// Where SMS go.
    pub sms: Arc<dyn sms::SmsProvider>,
    /// Where invitations and reminders go (`None`: nowhere).
    pub mailer: Option<Arc<mail::Mailer>>,
    /// Remind recipients this long after their turn came, or their last
    /// reminder (`None`: never).
    pub remind_after: Option<chrono::Duration>,
    /// Archive completed envelopes (PAdES B-LTA) through this TSA
    /// (`--tsa-url`); `None`: B-B seals, no time-stamps.
    pub archive: Option<Arc<tsa::Archive>>,
}

impl Default for SigningSettings {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        if let Err(err) = crate::ids::fill_random(&mut secret) {
            // Links would be guessable: make them unusable instead.
            tracing::error!(error = %err, "no random link secret");
        }
        Self {
            platform: DEMO_PLATFORM.clone(),
            certificates: CertificateMode::default(),
            link_secret: Arc::new(secret),
            link_lifetime: chrono::Duration::days(DEFAULT_LINK_DAYS),
            outbox_dir: None,
            code_lifetime: chrono::Duration::minutes(10),
            sms: Arc::new(sms::Discard),
            mailer: None,
            remind_after: Some(chrono::Duration::days(DEFAULT_REMIND_AFTER_DAYS)),
            archive: None,
        }
    }
}

impl SigningSettings {
    /// The platform's keys, or a 500 that says they are missing.
    pub fn platform(&self) -> Result<Arc<Platform>, crate::error::AppError> {
        self.platform.clone().ok_or_else(|| {
            crate::error::AppError::internal(
                paraph::ErrorCode::Internal,
                "the platform's signing keys are not loaded",
            )
        })
    }
}

/// The object-store key of one version of an envelope's document: every
/// version a recipient sees or a client downloads is kept under its
/// SHA-256, written before the transaction that records that digest.
pub fn version_key(account_id: &str, envelope_id: &str, document_id: &str, sha256: &str) -> String {
    format!("envelopes/{account_id}/{envelope_id}/{document_id}/{sha256}.pdf")
}

/// The object-store key of the sealed audit trail of a completed
/// envelope: named after its final documents, so that two requests racing
/// to complete the same envelope (in two processes) write two objects, and
/// the one whose transaction wins is the one its snapshot names; a fixed
/// name would let the loser's later write replace the winner's trail.
pub fn audit_trail_key(account_id: &str, envelope: &paraph::envelope::Envelope) -> String {
    let mut digest = Sha256::new();
    for document in &envelope.documents {
        digest.update(document.id.as_bytes());
        digest.update(b"\0");
        digest.update(document.current_sha256().as_bytes());
        digest.update(b"\0");
    }
    format!(
        "envelopes/{account_id}/{}/audit-trail-{}.pdf",
        envelope.id,
        hex::encode(digest.finalize())
    )
}

/// Whether a recipient must still pass a code (SMS or access code) before
/// they may see the documents and their fields, or act.
pub fn code_pending(recipient: &paraph::envelope::Recipient) -> bool {
    recipient.authentication.needs_code() && recipient.authenticated_at.is_none()
}
