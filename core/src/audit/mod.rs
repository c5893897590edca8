//! The audit trail: what makes a signature hold up in a dispute.
//!
//! - [`EvidenceRecord`]s, one per envelope event, tell who acted (name,
//!   email, phone, or API key), when (UTC, milliseconds), from where (IP,
//!   user agent), how they were authenticated, the consent to sign
//!   electronically they had given, decline and void reasons, and the
//!   SHA-256 of the documents at upload, as sent, after each signature and
//!   at the end.
//! - Records are hash-chained: each carries the previous record's hash and
//!   its own, the SHA-256 of its RFC 8785 canonical JSON ([`jcs`]).
//!   [`verify_chain`] names the first bad record of an edit, a deletion, a
//!   reordering or an insertion.
//! - An [`EvidenceBundle`] is the whole evidence as one JSON document with a
//!   schema version, fit for archiving.
//! - [`render_audit_trail`] lays the bundle out as an A4 PDF/A-3 document in
//!   English, French or Korean with the bundle attached, and
//!   [`seal_audit_trail`] seals it with the platform's key (PAdES).
//! - [`verify_audit_trail`] checks the seal, the attached evidence, the
//!   chain, and the signed document against the final digest.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use paraph::audit::{EvidenceBundle, verify_chain};
//! use paraph::envelope::*;
//!
//! let at = |minute| Utc.with_ymd_and_hms(2026, 11, 23, 9, minute, 0).unwrap();
//! let created = create(
//!     CreateEnvelope {
//!         locale: "fr".into(),
//!         ..CreateEnvelope::new("env_1", "Contrat de travail")
//!     },
//!     &Context::new(at(0), Actor::ApiKey { id: "key_1".into() }),
//! )?;
//! let bundle = EvidenceBundle::from_events(&created.events, at(1))?;
//! assert!(verify_chain(&bundle.records, Some(&bundle.chain_head.hash)).is_valid());
//! assert_eq!(bundle.records[0].recorded_at, "2026-11-23T09:00:00.000Z");
//! # Ok::<(), paraph::Error>(())
//! ```

mod bundle;
mod evidence;
mod i18n;
pub mod jcs;
#[cfg(feature = "audit-pdf")]
mod layout;
#[cfg(feature = "audit-pdf")]
mod render;
mod seal;
mod verify;

pub use bundle::{
    BundleReport, ChainHead, DocumentSummary, EVIDENCE_SCHEMA_VERSION, EnvelopeSummary,
    EvidenceBundle, EvidenceMark, RecipientSummary,
};
pub use evidence::{
    BreakKind, ChainBreak, ChainReport, DigestKind, EvidenceActor, EvidenceConsent,
    EvidenceDocument, EvidenceRecord, GENESIS_HASH, records_from_events, timestamp, verify_chain,
};
pub use i18n::Locale;
#[cfg(feature = "audit-pdf")]
pub use render::{RenderOptions, render_audit_trail};
pub use seal::{SEAL_FIELD, seal_audit_trail, seal_options};
pub use verify::{
    AuditReport, DocumentCheck, EVIDENCE_ATTACHMENT, extract_evidence, verify_audit_trail,
    verify_evidence,
};

#[cfg(test)]
mod tests;
