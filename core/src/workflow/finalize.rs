//! Finalize: once every signer and approver has acted, the platform may
//! seal each document (an approval signature over the whole file), the
//! completion is recorded with the digests of the files a client
//! downloads, and the evidence is bundled, rendered as the audit trail and
//! sealed, so that `verify_audit_trail(audit_trail, final_document)` holds
//! for every document.

use serde::{Deserialize, Serialize};

use super::words::locale_of;
use super::{DocumentBytes, apply_all, document_bytes};
use crate::audit::{self, EvidenceBundle, RenderOptions};
use crate::envelope::{Command, Context, DocumentDigest, Envelope, Event, Transition};
use crate::error::{Error, ErrorCode, Result};
use crate::pades::{
    self, LtvOptions, PadesLevel, SignOptions, SignatureField, Signer, TimestampAuthority,
    ValidationData,
};
use crate::pdf::{FontSet, Limits};

/// The field name of the platform's final seal on a document.
pub const FINAL_SEAL_FIELD: &str = "PlatformSeal";

/// How to finalize. JSON (camelCase): every key may be left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FinalizeOptions {
    /// The documents the platform seals (an invisible approval signature
    /// over the whole file) before the completion is recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seal: Vec<String>,
    /// B-B, or B-T (with a time-stamp authority) for the seals, the
    /// audit trail's included.
    #[serde(default)]
    pub level: PadesLevel,
    /// Validation data (PAdES B-LT) for the documents' signatures and
    /// seals, which the caller fetched (see
    /// [`validation_needs`](crate::pades::validation_needs)): embedded in
    /// each document's Document Security Store after its seal.
    #[serde(default, skip_serializing_if = "ValidationData::is_empty")]
    pub validation_data: ValidationData,
    /// Make each document an archive (PAdES B-LTA): a document time-stamp
    /// from the time-stamp authority, last, over the signatures and their
    /// validation data. Needs the authority, whatever the level.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archive: bool,
    /// Limits for reading the documents.
    #[serde(default)]
    pub limits: Limits,
    /// Fonts (the bundled ones by default).
    #[serde(skip)]
    pub fonts: FontSet,
}

/// The completed envelope's files and records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Finalized {
    /// Every document as a client downloads it.
    pub documents: Vec<DocumentBytes>,
    /// `complete`, with the final digests.
    pub command: Command,
    /// It applied to the envelope given.
    pub transition: Transition,
    /// The whole evidence, the completion included.
    pub evidence: EvidenceBundle,
    /// The sealed audit-trail PDF (PDF/A-3, in the envelope's language,
    /// with the evidence attached).
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub audit_trail: Vec<u8>,
}

/// Finalizes an envelope that awaits its completion (see the
/// [workflow](crate::workflow)). `history` is the envelope's whole event log; `platform`
/// seals the documents (when asked) and the audit trail.
pub fn finalize(
    envelope: &Envelope,
    history: &[Event],
    documents: &[DocumentBytes],
    platform: &dyn Signer,
    tsa: Option<&dyn TimestampAuthority>,
    options: &FinalizeOptions,
    ctx: &Context,
) -> Result<Finalized> {
    if !envelope.awaiting_completion() {
        return Err(Error::new(
            ErrorCode::EnvelopeNotReady,
            format!(
                "envelope {} is {} with {} still to act",
                envelope.id,
                envelope.status.as_str(),
                envelope.missing_recipient_ids().len()
            ),
        ));
    }
    if history.last().map(|e| e.seq) != Some(envelope.version)
        || crate::envelope::replay(history)? != *envelope
    {
        return Err(Error::new(
            ErrorCode::InvalidEventLog,
            format!(
                "the history given is not the whole history of envelope {}",
                envelope.id
            ),
        ));
    }
    let archive_tsa = match (options.archive, tsa) {
        (true, None) => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "an archive (B-LTA) needs a time-stamp authority for its document time-stamps",
            ));
        }
        (true, Some(tsa)) => Some(tsa),
        (false, _) => None,
    };
    // The level decides: a time-stamp authority given for B-B is not used.
    let tsa = match options.level {
        PadesLevel::BaselineT => tsa,
        PadesLevel::BaselineB => None,
    };
    for id in &options.seal {
        envelope.document(id).ok_or_else(|| {
            Error::new(
                ErrorCode::DocumentNotFound,
                format!("envelope {} has no document {id} to seal", envelope.id),
            )
        })?;
    }
    let mut finals = Vec::with_capacity(envelope.documents.len());
    let mut digests = Vec::new();
    for document in &envelope.documents {
        let bytes = document_bytes(documents, document, document.current_sha256())?;
        let pdf = if options.seal.contains(&document.id) {
            let mut seal = SignOptions::with_fonts(ctx.now, options.fonts.clone());
            seal.field = SignatureField::Invisible {
                name: Some(FINAL_SEAL_FIELD.to_owned()),
            };
            seal.reason = Some("Sealed by the signing platform on completion".to_owned());
            seal.level = options.level;
            seal.limits = options.limits;
            pades::sign(bytes, platform, tsa, &seal)?
        } else {
            bytes.to_vec()
        };
        let ltv = LtvOptions {
            limits: options.limits,
            pdf_password: None,
        };
        // A document nobody signed (and not sealed) has no signature for
        // validation data to serve: it is left as it is.
        let pdf = if options.validation_data.is_empty() {
            pdf
        } else {
            match pades::add_validation_data(&pdf, &options.validation_data, &ltv) {
                Err(e) if e.code() == ErrorCode::SignatureNotFound => pdf,
                other => other?,
            }
        };
        let pdf = match archive_tsa {
            Some(tsa) => pades::add_document_timestamp(&pdf, tsa, &ltv)?,
            None => pdf,
        };
        digests.push(DocumentDigest {
            document_id: document.id.clone(),
            sha256: crate::digest::sha256_hex(&pdf),
        });
        finals.push(DocumentBytes {
            document_id: document.id.clone(),
            pdf,
        });
    }
    let command = Command::Complete { documents: digests };
    let transition = apply_all(envelope, std::slice::from_ref(&command), ctx)?;
    let mut events = history.to_vec();
    events.extend(transition.events.iter().cloned());
    let evidence = EvidenceBundle::from_events(&events, ctx.now)?;
    let rendered = audit::render_audit_trail(
        &evidence,
        &RenderOptions {
            locale: locale_of(&envelope.locale),
        },
    )?;
    let audit_trail = audit::seal_audit_trail(&rendered, platform, tsa, ctx.now)?;
    Ok(Finalized {
        documents: finals,
        command,
        transition,
        evidence,
        audit_trail,
    })
}
