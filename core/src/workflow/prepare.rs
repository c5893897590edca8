//! Prepare: at send, every recipient's fields go into the documents, the
//! anchored ones placed beside their phrase; optionally the platform
//! certifies a document (ISO 32000-2 §12.8.2.2 requires a certification to
//! be its first signature). The result is what recipients are shown, and
//! the `Send` command that records its digests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DocumentBytes, document_bytes, initials_field_name};
use crate::envelope::{
    AnchorPlacement, Command, DocumentDigest, Envelope, EnvelopeStatus, Field, FieldKind,
    FieldPlacement, RecipientRole,
};
use crate::error::{Error, ErrorCode, Result};
use crate::pades::{self, DocMdpPermission, PadesLevel, SignOptions, SignatureField, Signer};
use crate::pdf::{
    Anchor, AnchorPosition, FontSet, FormFieldKind, FormFieldSpec, Limits, PdfDocument, add_fields,
    initials_on_every_page,
};

/// The field name of the platform's certification signature.
pub const CERTIFICATION_FIELD: &str = "PlatformCertification";

/// How to prepare. JSON (camelCase): every key may be left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrepareOptions {
    /// Documents the platform certifies (DocMDP P=2: form filling and
    /// signing stay allowed) at `certification_time`, with the platform's
    /// signer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certify: Vec<String>,
    /// The certification's claimed signing time (required with `certify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification_time: Option<DateTime<Utc>>,
    /// Limits for reading the documents.
    #[serde(default)]
    pub limits: Limits,
    /// Fonts for appearances (the bundled ones by default).
    #[serde(skip)]
    pub fonts: FontSet,
}

/// The prepared documents and the command that sends them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prepared {
    /// Each document as it is sent, in the envelope's order.
    pub documents: Vec<DocumentBytes>,
    /// `Send` with the prepared digests and where anchored fields went:
    /// apply it to the envelope.
    pub command: Command,
}

/// Prepares a draft's documents for sending (see the [workflow](crate::workflow)).
///
/// `documents` holds the bytes of every document of the envelope, as
/// uploaded (their SHA-256 must be the envelope's, `DOCUMENT_MISMATCH`
/// otherwise). `platform` certifies the documents `options.certify` names.
pub fn prepare(
    envelope: &Envelope,
    documents: &[DocumentBytes],
    platform: Option<&dyn Signer>,
    options: &PrepareOptions,
) -> Result<Prepared> {
    if envelope.status != EnvelopeStatus::Draft {
        return Err(Error::new(
            ErrorCode::EnvelopeNotDraft,
            format!(
                "envelope {} is {} and was prepared already",
                envelope.id,
                envelope.status.as_str()
            ),
        ));
    }
    for id in &options.certify {
        envelope.document(id).ok_or_else(|| {
            Error::new(
                ErrorCode::DocumentNotFound,
                format!("envelope {} has no document {id} to certify", envelope.id),
            )
        })?;
    }
    let signers: Vec<&str> = envelope
        .recipients
        .iter()
        .filter(|r| r.role == RecipientRole::Signer)
        .map(|r| r.id.as_str())
        .collect();
    let mut prepared = Vec::with_capacity(envelope.documents.len());
    let mut placements = Vec::new();
    let mut digests = Vec::new();
    for document in &envelope.documents {
        let bytes = document_bytes(documents, document, &document.sha256)?;
        let pdf = PdfDocument::load_with_limits(bytes, &options.limits)?;
        if pdf.page_count() != document.page_count as usize {
            return Err(Error::new(
                ErrorCode::DocumentMismatch,
                format!(
                    "document {} has {} pages, but the envelope says {}",
                    document.id,
                    pdf.page_count(),
                    document.page_count
                ),
            ));
        }
        let mut specs = Vec::new();
        for field in envelope
            .fields
            .iter()
            .filter(|f| f.document_id == document.id)
        {
            let (page, rect) = match &field.anchor {
                Some(anchor) => {
                    let found = pdf.find_anchor(&Anchor {
                        text: anchor.text.clone(),
                        occurrence: anchor.occurrence,
                        page: (field.page > 0).then_some(field.page),
                        position: match anchor.placement {
                            AnchorPlacement::Right => AnchorPosition::Right,
                            AnchorPlacement::Left => AnchorPosition::Left,
                            AnchorPlacement::Above => AnchorPosition::Above,
                            AnchorPlacement::Below => AnchorPosition::Below,
                        },
                        offset_x: field.rect.x,
                        offset_y: field.rect.y,
                        width: field.rect.width,
                        height: field.rect.height,
                    })?;
                    placements.push(FieldPlacement {
                        field_id: field.id.clone(),
                        page: found.page,
                        rect: found.field,
                    });
                    (found.page, found.field)
                }
                None => (field.page, field.rect),
            };
            specs.push(form_field(field, page, rect));
        }
        if envelope.settings.initials_on_every_page {
            let prefixes: Vec<String> = signers.iter().map(|id| initials_field_name(id)).collect();
            specs.extend(initials_on_every_page(pdf.pages(), &prefixes));
        }
        let mut out = if specs.is_empty() {
            bytes.to_vec()
        } else {
            add_fields(bytes, &specs, &options.fonts)?
        };
        if options.certify.contains(&document.id) {
            out = certify(&out, platform, options)?;
        }
        digests.push(DocumentDigest {
            document_id: document.id.clone(),
            sha256: crate::digest::sha256_hex(&out),
        });
        prepared.push(DocumentBytes {
            document_id: document.id.clone(),
            pdf: out,
        });
    }
    Ok(Prepared {
        documents: prepared,
        command: Command::Send {
            documents: digests,
            placements,
        },
    })
}

/// The PDF field an envelope field becomes: named by the field's id.
fn form_field(field: &Field, page: u32, rect: crate::geometry::Rect) -> FormFieldSpec {
    let kind = match field.kind {
        FieldKind::Signature => FormFieldKind::Signature,
        FieldKind::Initials => FormFieldKind::Initials,
        FieldKind::Checkbox => FormFieldKind::Checkbox,
        FieldKind::DateSigned | FieldKind::Name | FieldKind::Text => FormFieldKind::Text,
    };
    FormFieldSpec {
        name: field.id.clone(),
        kind,
        page,
        rect,
        value: field.value.clone(),
        required: field.required,
        // Date-signed and name fields are filled for the signer.
        read_only: field.kind.is_filled_automatically(),
        multiline: field.multiline,
    }
}

/// The platform's certification signature, invisible, allowing form
/// filling and signatures after it.
fn certify(pdf: &[u8], platform: Option<&dyn Signer>, options: &PrepareOptions) -> Result<Vec<u8>> {
    let signer = platform.ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidArgument,
            "certifying a document needs the platform's signer",
        )
    })?;
    let time = options.certification_time.ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidArgument,
            "certifying a document needs a certification time",
        )
    })?;
    let mut sign = SignOptions::with_fonts(time, options.fonts.clone());
    sign.field = SignatureField::Invisible {
        name: Some(CERTIFICATION_FIELD.to_owned()),
    };
    sign.certify = Some(DocMdpPermission::FormFilling);
    sign.level = PadesLevel::BaselineB;
    sign.reason = Some("Certified by the signing platform".to_owned());
    sign.limits = options.limits;
    pades::sign(pdf, signer, None, &sign)
}
