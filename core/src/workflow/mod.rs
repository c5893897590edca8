//! The signing workflow: the one place that joins the envelope, the PDF
//! engine, PAdES and the audit trail, so that every surface (server, C,
//! Python, Node, CLI) turns "this recipient signs this envelope" into the
//! same PDF work, events and evidence.
//!
//! Three steps, pure like the rest of the core (time, keys and the
//! time-stamp authority are passed in):
//!
//! 1. [`prepare`] at send: every recipient's fields go into the documents
//!    (anchored ones placed beside their phrase, initials on every page
//!    when the envelope asks); optionally the platform certifies a
//!    document. Apply the returned `send` command: it records the digests
//!    recipients are shown.
//! 2. [`sign_recipient`] (or [`approve_recipient`]) for each recipient in
//!    turn, with a key and certificate of their own from the platform CA
//!    ([`issue_recipient_signer`]): the envelope is asked first whether it
//!    accepts the signing;
//!    then their values, the date, their name and initials are written and
//!    each of their signature fields gets its own PAdES revision with a
//!    stamp in the envelope's language. [`RecipientSigning`] does the same
//!    in two phases for an HSM or a KMS.
//! 3. [`finalize`] after the last one: the platform's seal on each
//!    document (when asked), the completion with the final digests, the
//!    evidence bundle and the sealed audit trail.
//!
//! Each step returns the documents it changed and the commands it
//! recorded, already applied: persist the envelope, its new events and the
//! documents together.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chrono::{TimeZone, Utc};
//! use paraph::envelope::{self, *};
//! use paraph::pades::KeySigner;
//! use paraph::workflow::{self, DocumentBytes, RecipientInput};
//! # let (mut draft, mut history, pdf, platform, marie): (Envelope, Vec<Event>, Vec<u8>, KeySigner, KeySigner) = todo!();
//! let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
//! let documents = vec![DocumentBytes { document_id: "doc_1".into(), pdf }];
//! let prepared = workflow::prepare(&draft, &documents, None, &Default::default())?;
//! let sent = envelope::apply(&draft, prepared.command, &Context::new(now, Actor::System))?;
//! history.extend(sent.events);
//! // ... marie consents, then signs:
//! let ctx = Context::new(now, Actor::Recipient { id: "marie".into() });
//! let signed = workflow::sign_recipient(
//!     &sent.envelope, &prepared.documents, &RecipientInput::new("marie"),
//!     &marie, None, &Default::default(), &ctx,
//! )?;
//! history.extend(signed.transition.events.clone());
//! let done = workflow::finalize(
//!     &signed.transition.envelope, &history, &signed.documents, &platform, None,
//!     &Default::default(), &Context::new(now, Actor::System),
//! )?;
//! std::fs::write("audit-trail.pdf", &done.audit_trail)?;
//! # Ok(()) }
//! ```

mod certificate;
#[cfg(feature = "audit-pdf")]
mod finalize;
mod prepare;
mod sign;
mod words;

use serde::{Deserialize, Serialize};

use crate::envelope::{Command, Context, Document, Envelope, NewDocument, PageSize, Transition};
use crate::error::{Error, ErrorCode, Result};

pub use certificate::{
    DEFAULT_CERTIFICATE_VALIDITY_DAYS, RecipientCertificateOptions, issue_recipient_signer,
};
#[cfg(feature = "audit-pdf")]
pub use finalize::{FINAL_SEAL_FIELD, FinalizeOptions, Finalized, finalize};
pub use prepare::{CERTIFICATION_FIELD, PrepareOptions, Prepared, prepare};
pub use sign::{
    FieldInput, RECIPIENT_SIGNING_VERSION, RecipientInput, RecipientSigning, SignRecipientOptions,
    SignatureValue, SignedRecipient, SigningProgress, ToSign, approve_recipient, sign_recipient,
};
pub use words::initials_of;

/// A document's bytes, by its id in the envelope. JSON: `{"documentId",
/// "pdf": "<base64>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentBytes {
    /// The document.
    pub document_id: String,
    /// Its PDF.
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub pdf: Vec<u8>,
}

/// The bytes of `document` among `documents`, which must hash to
/// `expected` (`DOCUMENT_MISMATCH` otherwise: the caller holds another
/// version than the envelope records).
pub(crate) fn document_bytes<'d>(
    documents: &'d [DocumentBytes],
    document: &Document,
    expected: &str,
) -> Result<&'d [u8]> {
    let given = documents
        .iter()
        .find(|d| d.document_id == document.id)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::DocumentNotFound,
                format!("the bytes of document {} were not given", document.id),
            )
        })?;
    let actual = crate::digest::sha256_hex(&given.pdf);
    if actual != expected {
        return Err(Error::new(
            ErrorCode::DocumentMismatch,
            format!(
                "document {} has SHA-256 {actual}, but the envelope records {expected} for it now",
                document.id
            ),
        ));
    }
    Ok(&given.pdf)
}

/// A document to add to an envelope, read from its bytes under `limits`:
/// the `addDocument` parameters (page count, each page's size as
/// displayed, so that the envelope can check that fields fit, and the
/// SHA-256) and the bytes the workflow's steps take. A PDF that cannot be
/// read, or is encrypted, is refused with the PDF engine's code before
/// anything is recorded.
///
/// ```
/// let pdf = std::fs::read("../fixtures/pdf/reportlab-contract.pdf")?;
/// let (document, bytes) = paraph::workflow::upload("doc_1", "contract.pdf", pdf, &Default::default())?;
/// assert_eq!((document.page_count, document.pages.len()), (2, 2));
/// assert_eq!(document.sha256, paraph::digest::sha256_hex(&bytes.pdf));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn upload(
    id: &str,
    name: &str,
    pdf: Vec<u8>,
    limits: &crate::pdf::Limits,
) -> Result<(NewDocument, DocumentBytes)> {
    let loaded = accept(&pdf, limits)?;
    let pages: Vec<PageSize> = loaded
        .pages()
        .iter()
        .map(|page| {
            let (width, height) = page.geometry.displayed_size();
            PageSize { width, height }
        })
        .collect();
    let page_count = u32::try_from(pages.len()).map_err(|_| {
        Error::new(
            ErrorCode::PdfTooManyPages,
            format!("document {id} has more pages than an envelope can hold"),
        )
    })?;
    let document = NewDocument {
        id: id.to_owned(),
        name: name.to_owned(),
        page_count,
        pages,
        sha256: crate::digest::sha256_hex(&pdf),
    };
    Ok((
        document,
        DocumentBytes {
            document_id: id.to_owned(),
            pdf,
        },
    ))
}

/// Checks that a PDF can enter the signing workflow, without keeping it:
/// it loads within `limits`, has at least one page and is not encrypted.
/// [`upload`] runs the same check; a surface that stores documents before
/// they join an envelope calls this first, so that it never stores a file
/// the workflow would refuse later.
///
/// ```
/// let pdf = std::fs::read("../fixtures/pdf/reportlab-contract.pdf")?;
/// let loaded = paraph::workflow::accept(&pdf, &Default::default())?;
/// assert_eq!(loaded.page_count(), 2);
/// let encrypted = std::fs::read("../fixtures/pdf/encrypted-owner-password.pdf")?;
/// let refused = paraph::workflow::accept(&encrypted, &Default::default()).unwrap_err();
/// assert_eq!(refused.code(), paraph::ErrorCode::PdfEncrypted);
/// assert!(paraph::workflow::accept(b"%PDF-1.7 not a pdf", &Default::default()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn accept(pdf: &[u8], limits: &crate::pdf::Limits) -> Result<crate::pdf::PdfDocument> {
    let loaded = crate::pdf::PdfDocument::load_with_limits(pdf, limits)?;
    if loaded.is_encrypted() {
        // The signing engine signs encrypted files (pades::sign with
        // SignOptions::pdf_password); the workflow does not carry a
        // password through its rounds, so it takes none yet.
        return Err(Error::new(
            ErrorCode::PdfEncrypted,
            "the PDF is encrypted: the signing workflow takes unencrypted documents; decrypt it first (qpdf --decrypt), or sign it directly (paraph sign)",
        ));
    }
    if loaded.page_count() == 0 {
        return Err(Error::new(ErrorCode::PdfMalformed, "the PDF has no page"));
    }
    Ok(loaded)
}

/// Applies commands in order, as one transition.
pub(crate) fn apply_all(
    envelope: &Envelope,
    commands: &[Command],
    ctx: &Context,
) -> Result<Transition> {
    let mut state = envelope.clone();
    let mut events = Vec::new();
    for command in commands {
        let transition = crate::envelope::apply(&state, command.clone(), ctx)?;
        state = transition.envelope;
        events.extend(transition.events);
    }
    Ok(Transition {
        envelope: state,
        events,
    })
}

/// The prefix of a signer's initials fields on every page
/// (`initials_{recipient}_p{page}`).
pub(crate) fn initials_field_name(recipient_id: &str) -> String {
    format!("initials_{recipient_id}")
}

#[cfg(test)]
mod tests;
