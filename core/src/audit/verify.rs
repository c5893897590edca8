//! Verifying an audit-trail PDF: its seal, the evidence attached to it, the
//! hash chain, and the signed document it speaks of.

use lopdf::{Dictionary, Object};
use serde::{Deserialize, Serialize};

use super::bundle::{BundleReport, EvidenceBundle};
use crate::digest::sha256_hex;
use crate::error::{Error, ErrorCode, Result};
use crate::pades::{self, ChainStatus, Coverage, VerificationReport, VerifyOptions};
use crate::pdf::object::{as_dict, decode_text_string, resolve};
use crate::pdf::{Limits, Pdf};

/// The name of the attached evidence file.
pub const EVIDENCE_ATTACHMENT: &str = "evidence.json";

/// The evidence attached to an audit-trail PDF, as JSON bytes.
pub fn extract_evidence(pdf: &[u8]) -> Result<Vec<u8>> {
    let doc = Pdf::load(pdf)?;
    let catalog = doc.catalog()?;
    let mut specs: Vec<&Dictionary> = Vec::new();
    // Associated files of the document (PDF 2.0, PDF/A-3).
    if let Ok(af) = catalog.get(b"AF")
        && let Ok(Object::Array(items)) = resolve(&doc.doc, af)
    {
        for item in items {
            if let Some(dict) = resolve(&doc.doc, item).ok().and_then(as_dict) {
                specs.push(dict);
            }
        }
    }
    // The EmbeddedFiles name tree.
    if let Some(tree) = catalog
        .get(b"Names")
        .ok()
        .and_then(|n| resolve(&doc.doc, n).ok())
        .and_then(as_dict)
        .and_then(|names| names.get(b"EmbeddedFiles").ok())
        .and_then(|t| resolve(&doc.doc, t).ok())
        .and_then(as_dict)
    {
        collect_name_tree(&doc, tree, &mut specs, 0);
    }
    let spec = specs
        .into_iter()
        .find(|spec| {
            ["UF", "F"].iter().any(|key| {
                spec.get(key.as_bytes())
                    .ok()
                    .and_then(|v| resolve(&doc.doc, v).ok())
                    .and_then(|v| v.as_str().ok())
                    .is_some_and(|name| decode_text_string(name) == EVIDENCE_ATTACHMENT)
            })
        })
        .ok_or_else(|| {
            Error::new(
                ErrorCode::AuditEvidenceNotFound,
                format!("the PDF has no attached {EVIDENCE_ATTACHMENT}"),
            )
        })?;
    let stream = spec
        .get(b"EF")
        .ok()
        .and_then(|ef| resolve(&doc.doc, ef).ok())
        .and_then(as_dict)
        .and_then(|ef| ef.get(b"UF").or_else(|_| ef.get(b"F")).ok())
        .and_then(|s| resolve(&doc.doc, s).ok())
        .and_then(|s| s.as_stream().ok())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::AuditEvidenceNotFound,
                format!("the {EVIDENCE_ATTACHMENT} attachment has no file stream"),
            )
        })?;
    if stream.dict.has(b"Filter") {
        stream
            .decompressed_content_with_limit(doc.limits().max_decompressed_size)
            .map_err(|e| {
                Error::new(
                    ErrorCode::AuditEvidenceInvalid,
                    format!("the {EVIDENCE_ATTACHMENT} attachment cannot be decompressed: {e}"),
                )
            })
    } else {
        Ok(stream.content.clone())
    }
}

fn collect_name_tree<'d>(
    doc: &'d Pdf<'_>,
    node: &'d Dictionary,
    specs: &mut Vec<&'d Dictionary>,
    depth: usize,
) {
    if depth > Limits::default().max_nesting_depth {
        return;
    }
    if let Ok(Object::Array(pairs)) = node
        .get(b"Names")
        .ok()
        .map(|n| resolve(&doc.doc, n))
        .transpose()
        .ok()
        .flatten()
        .ok_or(())
    {
        for value in pairs.iter().skip(1).step_by(2) {
            if let Some(dict) = resolve(&doc.doc, value).ok().and_then(as_dict) {
                specs.push(dict);
            }
        }
    }
    if let Ok(Object::Array(kids)) = node
        .get(b"Kids")
        .ok()
        .map(|k| resolve(&doc.doc, k))
        .transpose()
        .ok()
        .flatten()
        .ok_or(())
    {
        for kid in kids {
            if let Some(dict) = resolve(&doc.doc, kid).ok().and_then(as_dict) {
                collect_name_tree(doc, dict, specs, depth + 1);
            }
        }
    }
}

/// How the signed document compares with the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentCheck {
    /// SHA-256 of the given document.
    pub sha256: String,
    /// The envelope document whose final digest it is, if any.
    pub matches_document: Option<String>,
}

/// What [`verify_audit_trail`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    /// The PDF's signatures (`None` when verifying a bare evidence file).
    pub seal: Option<VerificationReport>,
    /// The seal is intact and covers the whole file.
    pub seal_intact: bool,
    /// The seal's chain against the trust anchors; `None` when none were given.
    pub seal_trust: Option<ChainStatus>,
    /// The evidence's envelope id.
    pub envelope_id: String,
    /// The hash chain and the summary.
    pub evidence: BundleReport,
    /// The signed document, when one was given.
    pub document: Option<DocumentCheck>,
}

impl AuditReport {
    /// Everything holds: the seal (when there is a PDF) is intact, covers
    /// the whole file and, when anchors were given, is trusted; the chain
    /// and summary hold; the document, when given, is a final document of
    /// the envelope.
    pub fn is_valid(&self) -> bool {
        let seal_ok = self.seal.is_none()
            || (self.seal_intact
                && self
                    .seal_trust
                    .is_none_or(|status| status == ChainStatus::Trusted));
        seal_ok
            && self.evidence.is_valid()
            && self
                .document
                .as_ref()
                .is_none_or(|d| d.matches_document.is_some())
    }
}

impl AuditReport {
    /// The bottom line every surface reports the same way: `Ok` when
    /// [`is_valid`](Self::is_valid), else the first failure by its code
    /// (`AUDIT_CHAIN_BROKEN`, `AUDIT_EVIDENCE_INVALID`, `AUDIT_SEAL_INVALID`,
    /// `CERT_UNTRUSTED`, `AUDIT_DOCUMENT_MISMATCH`).
    pub fn verdict(&self) -> Result<()> {
        if let Some(b) = &self.evidence.chain.first_break {
            return Err(Error::new(ErrorCode::AuditChainBroken, b.message.clone()));
        }
        if let Some(problem) = self.evidence.problems.first() {
            return Err(Error::new(ErrorCode::AuditEvidenceInvalid, problem.clone()));
        }
        if self.seal.is_some() && !self.seal_intact {
            return Err(Error::new(
                ErrorCode::AuditSealInvalid,
                "the audit trail's seal is missing, broken, or does not cover the whole file",
            ));
        }
        if self.seal_trust.is_some_and(|s| s != ChainStatus::Trusted) {
            return Err(Error::new(
                ErrorCode::CertUntrusted,
                "the audit trail's seal is not trusted by the given anchors",
            ));
        }
        if self
            .document
            .as_ref()
            .is_some_and(|d| d.matches_document.is_none())
        {
            return Err(Error::new(
                ErrorCode::AuditDocumentMismatch,
                "the document is not a final document of this envelope",
            ));
        }
        Ok(())
    }
}

fn check_document(bundle: &EvidenceBundle, document: Option<&[u8]>) -> Option<DocumentCheck> {
    document.map(|bytes| {
        let sha256 = sha256_hex(bytes);
        let matches_document = bundle
            .documents
            .iter()
            .find(|d| d.final_sha256 == sha256)
            .map(|d| d.id.clone());
        DocumentCheck {
            sha256,
            matches_document,
        }
    })
}

/// Verifies an audit-trail PDF: the seal (the last signature must be
/// intact and cover the whole file; its chain is checked against the
/// options' trust anchors when some are given), the attached evidence's
/// hash chain and summary, and, when `document` is given, that its SHA-256
/// is the final digest of one of the envelope's documents.
///
/// An unreadable PDF or evidence is an error (`PDF_*`,
/// `AUDIT_EVIDENCE_NOT_FOUND`, `AUDIT_EVIDENCE_INVALID`); everything else
/// is in the report.
pub fn verify_audit_trail(
    pdf: &[u8],
    document: Option<&[u8]>,
    options: &VerifyOptions,
) -> Result<AuditReport> {
    let bundle = EvidenceBundle::from_json(&extract_evidence(pdf)?)?;
    let seal = pades::verify(pdf, options)?;
    let last = seal.signatures.iter().max_by_key(|s| match s.coverage {
        Coverage::WholeFile => usize::MAX,
        Coverage::Revision { bytes } => bytes,
        Coverage::Invalid => 0,
    });
    let seal_intact = last.is_some_and(|s| s.intact() && s.coverage == Coverage::WholeFile);
    let seal_trust = match (last, options.trust_anchors.is_empty()) {
        (Some(s), false) => Some(s.chain),
        (None, false) => Some(ChainStatus::Untrusted),
        (_, true) => None,
    };
    Ok(AuditReport {
        seal: Some(seal),
        seal_intact,
        seal_trust,
        envelope_id: bundle.envelope.id.clone(),
        evidence: bundle.verify(),
        document: check_document(&bundle, document),
    })
}

/// Verifies a bare evidence file (JSON): its chain and summary, and the
/// document when given. There is no seal to check.
pub fn verify_evidence(json: &[u8], document: Option<&[u8]>) -> Result<AuditReport> {
    let bundle = EvidenceBundle::from_json(json)?;
    Ok(AuditReport {
        seal: None,
        seal_intact: false,
        seal_trust: None,
        envelope_id: bundle.envelope.id.clone(),
        evidence: bundle.verify(),
        document: check_document(&bundle, document),
    })
}
