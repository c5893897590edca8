//! Sealing an audit trail with the platform's key: the signing side of
//! [`verify_audit_trail`](super::verify_audit_trail), an invisible PAdES
//! certification signature that allows no change after it (ISO 32000-2
//! §12.8.2.2, DocMDP P=1).

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::pades::{self, PadesLevel, SignOptions, SignatureField, Signer, TimestampAuthority};

/// The name of the seal's signature field.
pub const SEAL_FIELD: &str = "AuditTrailSeal";

/// Options of the platform's seal on an audit trail: an invisible
/// certification signature (DocMDP P=1: no change allowed after it) in the
/// field [`SEAL_FIELD`], claimed at `signing_time`. For B-T, set
/// `level` and give a time-stamp authority to [`pades::sign`], or sign in
/// two phases with [`pades::prepare`] and [`pades::finish`].
pub fn seal_options(signing_time: DateTime<Utc>) -> SignOptions {
    let mut options = SignOptions::new(signing_time);
    options.field = SignatureField::Invisible {
        name: Some(SEAL_FIELD.to_owned()),
    };
    options.reason = Some("Audit trail sealed by the signing platform".to_owned());
    options.certify = Some(pades::DocMdpPermission::NoChanges);
    options
}

/// Seals an audit-trail PDF with the platform's key: PAdES B-B, or B-T
/// when `tsa` is given.
pub fn seal_audit_trail(
    pdf: &[u8],
    signer: &dyn Signer,
    tsa: Option<&dyn TimestampAuthority>,
    signing_time: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let mut options = seal_options(signing_time);
    if tsa.is_some() {
        options.level = PadesLevel::BaselineT;
    }
    pades::sign(pdf, signer, tsa, &options)
}
