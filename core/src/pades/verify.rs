//! Verifying the signatures of a PDF (ETSI EN 319 142-1 §5, ISO 32000-2
//! §12.8): for each signature, integrity (the digest over the
//! `/ByteRange`), the CMS signature, coverage, what changed after it,
//! its time-stamp, and the certificate chain against given anchors. The
//! concerns live beside: [`dictionary`](super::dictionary) (signature
//! dictionaries and byte ranges), [`cms`](super::cms) (signer infos),
//! [`chain`](super::chain) (certificate paths) and
//! [`changes`](super::changes) (difference analysis).

use chrono::{DateTime, Utc};
use const_oid::db::rfc3161::ID_AA_TIME_STAMP_TOKEN;
use const_oid::db::rfc5911::ID_SIGNING_TIME;
use der::Encode;
use lopdf::Object;
use serde::{Deserialize, Serialize};

use super::cert::{self, Certificate};
use super::chain::{JudgedAt, chain_status};
use super::changes::analyse_changes;
use super::cms::{self as pcms, RangeDigester, verify_signer, verify_signer_info};
use super::dictionary::{FoundSignature, certification_reference, docmdp_permission};
use super::tsp;
use crate::error::{Error, ErrorCode, Result};
use crate::pdf::object;
use crate::pdf::{Limits, Pdf, PdfPassword};

/// How much of the file a signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Coverage {
    /// The whole file, but for its own `/Contents`.
    WholeFile,
    /// Its own revision: `bytes` bytes of the file; later updates follow.
    Revision {
        /// Number of bytes covered (the end of the signed revision).
        bytes: usize,
    },
    /// The byte range is not a valid PAdES byte range.
    Invalid,
}

/// What changed after a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Modifications {
    /// Nothing: the signature covers the whole file.
    None,
    /// Only changes allowed after signing (form filling, more signatures).
    Allowed {
        /// What changed.
        changes: Vec<String>,
    },
    /// Changes that are not allowed after this signature.
    Disallowed {
        /// Why.
        reasons: Vec<String>,
    },
}

/// The signer's certificate chain against the trust anchors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChainStatus {
    /// A chain of valid signatures leads to an anchor, every certificate
    /// valid at the validation time, and no revocation information is
    /// expected.
    Trusted,
    /// No chain leads to an anchor (or a certificate signature is bad).
    Untrusted,
    /// A chain leads to an anchor, but a certificate was not valid at the
    /// validation time.
    Expired,
    /// A chain leads to an anchor, but the certificates point to revocation
    /// services (CRL, OCSP) and the document carries no revocation data, so
    /// revocation could not be checked.
    RevokedUnknown,
}

/// The kind of a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SignatureKind {
    /// An approval signature.
    Approval,
    /// A certification signature (DocMDP) with its `/P`.
    Certification {
        /// 1, 2 or 3.
        permission: i64,
    },
    /// A document time-stamp (`/DocTimeStamp`).
    DocumentTimestamp,
}

/// The signer, from the signing certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerReport {
    /// Subject, RFC 4514.
    pub subject: String,
    /// Common name.
    pub common_name: Option<String>,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// SHA-256 fingerprint, hex.
    pub fingerprint_sha256: String,
}

/// What a problem found in a signature is about: a stable code beside the
/// words of [`Problem::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ProblemCode {
    /// The `/ByteRange` is not `[0 a b c]` around exactly one `/Contents` string.
    ByteRangeInvalid,
    /// The CMS (or time-stamp token) in `/Contents` cannot be read.
    CmsMalformed,
    /// The CMS has no SignerInfo, or its signing certificate is missing.
    SignerMissing,
    /// A digest or signature algorithm is not supported.
    AlgorithmUnsupported,
    /// The digest of the covered bytes is not the signed one.
    DigestMismatch,
    /// The signature value does not verify with the signer's key.
    SignatureValueInvalid,
    /// A signed attribute PAdES requires is missing or wrong (content-type,
    /// signing-certificate-v2), or one it forbids is present (signing-time).
    AttributeInvalid,
    /// The signature time-stamp does not verify or is over other data.
    TimestampInvalid,
    /// No chain leads from the signer to a trust anchor.
    ChainUntrusted,
    /// A certificate of the chain was not valid at the validation time.
    CertificateNotValidAtTime,
    /// Revocation could not be checked: the document carries no revocation data.
    RevocationUnchecked,
    /// A certificate of the chain was revoked at or before the validation
    /// time, by a CRL or OCSP response the document carries.
    CertificateRevoked,
    /// `/Contents` holds non-zero bytes after the CMS (or time-stamp
    /// token): data hidden in the one gap no digest covers.
    ContentsTrailingData,
    /// The only revocation data about a certificate had expired by the
    /// validation time (issued before it, valid until before it), or was
    /// issued after the certificate expired.
    RevocationStale,
    /// The only revocation data about a certificate is signed by neither
    /// its issuer nor an OCSP responder the issuer delegated to.
    RevocationResponderUntrusted,
}

/// The PAdES baseline level a signature reaches (ETSI EN 319 142-1 §6),
/// as verified: each includes the ones before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BaselineLevel {
    /// An intact `/ETSI.CAdES.detached` signature.
    #[serde(rename = "B-B")]
    B,
    /// And its time is proven: by its own signature time-stamp, or by a
    /// document time-stamp over it.
    #[serde(rename = "B-T")]
    T,
    /// And the document's DSS holds the revocation data that proves every
    /// certificate of the signer's chain good at that time (judged with
    /// trust anchors only: the chain must lead to one).
    #[serde(rename = "B-LT")]
    Lt,
    /// And a valid document time-stamp covers the signature with that
    /// data, so it can be judged offline after its certificates expire.
    #[serde(rename = "B-LTA")]
    Lta,
}

/// What proved the time a signature was judged at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TimeProof {
    /// Nothing: judged at the caller's time ([`VerifyOptions::time`]).
    None,
    /// Its own signature time-stamp (B-T).
    SignatureTimestamp,
    /// A document time-stamp over it (B-LTA), in field `field_name`.
    DocumentTimestamp {
        /// The time-stamp's field.
        field_name: String,
    },
}

/// What the document's validation data says of one certificate of a
/// chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RevocationStatus {
    /// Not revoked at the time judged, by fresh data.
    Good,
    /// Revoked at or before the time judged.
    Revoked,
    /// The certificate names revocation services, and the DSS has nothing
    /// about it.
    Missing,
    /// The only data had expired by the time judged, or was issued after
    /// the certificate expired (and so says nothing of it).
    Stale,
    /// The only data is signed by neither the issuer nor its delegated
    /// OCSP responder.
    UntrustedResponder,
    /// The certificate names no revocation service, and the DSS has
    /// nothing about it.
    NotRequired,
}

/// Where a revocation answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RevocationSource {
    /// An OCSP response (RFC 6960).
    Ocsp,
    /// A certificate revocation list (RFC 5280).
    Crl,
}

impl RevocationSource {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Ocsp => "OCSP response",
            Self::Crl => "CRL",
        }
    }
}

/// The revocation status of one certificate of a signature's chain (the
/// anchor left out), from the document's DSS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevocationReport {
    /// The certificate's subject, RFC 4514.
    pub subject: String,
    /// What the data says.
    pub status: RevocationStatus,
    /// The kind of data used, when there is some.
    pub source: Option<RevocationSource>,
    /// Its thisUpdate.
    pub issued_at: Option<DateTime<Utc>>,
    /// When the certificate was revoked (status `REVOKED`).
    pub revoked_at: Option<DateTime<Utc>>,
    /// The time revocation was judged at.
    pub checked_at: DateTime<Utc>,
}

/// A problem found in a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// What it is about.
    pub code: ProblemCode,
    /// What was found, in words.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(code: ProblemCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// One signature of the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// The signature field's name.
    pub field_name: String,
    /// Approval, certification or document time-stamp.
    pub kind: SignatureKind,
    /// `/SubFilter`.
    pub sub_filter: String,
    /// The signer.
    pub signer: Option<SignerReport>,
    /// `/M`: the claimed signing time.
    pub signing_time: Option<DateTime<Utc>>,
    /// The time asserted by a time-stamp (signature time-stamp or document
    /// time-stamp), when there is one and it verifies.
    pub timestamp_time: Option<DateTime<Utc>>,
    /// The digest of the covered bytes matches the signed one.
    pub digest_valid: bool,
    /// The signature over it verifies with the signer's key.
    pub signature_valid: bool,
    /// What the signature covers.
    pub coverage: Coverage,
    /// What changed after it.
    pub modifications: Modifications,
    /// The chain against the anchors.
    pub chain: ChainStatus,
    /// The time the chain was judged at: the earliest time a valid
    /// time-stamp proves, else the caller's.
    pub validation_time: DateTime<Utc>,
    /// What proved [`validation_time`](Self::validation_time).
    pub time_proof: TimeProof,
    /// The revocation status of each certificate of the chain but the
    /// anchor (empty when no chain to an anchor was found, or when a
    /// certificate of it was not valid at the validation time).
    pub revocation: Vec<RevocationReport>,
    /// The PAdES baseline level reached; `None` for a signature that is not
    /// intact, not PAdES (`adbe.pkcs7.detached`) or a document time-stamp.
    pub level: Option<BaselineLevel>,
    /// Problems found.
    pub problems: Vec<Problem>,
}

impl SignatureReport {
    /// Digest and signature valid, byte range sound, nothing disallowed after.
    pub fn intact(&self) -> bool {
        self.digest_valid
            && self.signature_valid
            && self.coverage != Coverage::Invalid
            && !matches!(self.modifications, Modifications::Disallowed { .. })
            && !self
                .problems
                .iter()
                .any(|p| p.code == ProblemCode::ContentsTrailingData)
    }
}

/// The signatures of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationReport {
    /// One report per signature, in field order.
    pub signatures: Vec<SignatureReport>,
    /// Whether trust anchors were given: without them, chains are not
    /// judged and only integrity was checked.
    pub trust_checked: bool,
}

impl VerificationReport {
    /// At least one signature, and every one intact.
    pub fn all_intact(&self) -> bool {
        !self.signatures.is_empty() && self.signatures.iter().all(SignatureReport::intact)
    }

    /// Every signature intact and trusted.
    pub fn all_trusted(&self) -> bool {
        self.all_intact()
            && self
                .signatures
                .iter()
                .all(|s| s.chain == ChainStatus::Trusted)
    }

    /// The bottom line every surface reports the same way:
    /// `SIGNATURE_NOT_FOUND` without a signature, `SIGNATURE_INVALID` when
    /// one is not intact, `CERT_UNTRUSTED` when trust was checked and a
    /// chain is not trusted.
    pub fn verdict(&self) -> Result<()> {
        if self.signatures.is_empty() {
            return Err(Error::new(
                ErrorCode::SignatureNotFound,
                "the PDF has no signature",
            ));
        }
        if let Some(broken) = self.signatures.iter().find(|s| !s.intact()) {
            return Err(Error::new(
                ErrorCode::SignatureInvalid,
                format!("signature {:?} is not intact", broken.field_name),
            ));
        }
        if self.trust_checked
            && let Some(untrusted) = self
                .signatures
                .iter()
                .find(|s| s.chain != ChainStatus::Trusted)
        {
            return Err(Error::new(
                ErrorCode::CertUntrusted,
                format!(
                    "the chain of signature {:?} is {:?}, not trusted by the given anchors",
                    untrusted.field_name, untrusted.chain
                ),
            ));
        }
        Ok(())
    }
}

/// How to verify. JSON (camelCase): `{"trustAnchors": [base64 DER…],
/// "time": "2026-12-01T00:00:00Z", "limits": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyOptions {
    /// Certificates trusted as roots of the signers' chains. Without any,
    /// chains are not judged (see [`VerificationReport::trust_checked`]).
    #[serde(default)]
    pub trust_anchors: Vec<Certificate>,
    /// When chains are judged if a signature has no valid time-stamp (the
    /// core reads no clock: give the current time).
    pub time: DateTime<Utc>,
    /// Limits for reading the PDF.
    #[serde(default)]
    pub limits: Limits,
    /// The password of an encrypted PDF whose user password is not empty
    /// (JSON `pdfPassword`; never written back).
    #[serde(default, skip_serializing)]
    pub pdf_password: Option<PdfPassword>,
}

impl VerifyOptions {
    /// No anchors, default limits, at `time`.
    pub fn new(time: DateTime<Utc>) -> Self {
        Self {
            trust_anchors: Vec::new(),
            time,
            limits: Limits::default(),
            pdf_password: None,
        }
    }

    /// The same options trusting `anchors`.
    pub fn with_trust_anchors(mut self, anchors: Vec<Certificate>) -> Self {
        self.trust_anchors = anchors;
        self
    }
}

/// Verifies every signature of `pdf`. Chains are checked against the
/// trust anchors at the time-stamp's time when a signature has a valid
/// one, else at `options.time`.
pub fn verify(pdf: &[u8], options: &VerifyOptions) -> Result<VerificationReport> {
    let password = options.pdf_password.as_ref().map(PdfPassword::expose);
    let doc = Pdf::open_unfiltered(pdf, &options.limits, password)?;
    let fields = doc.fields()?;
    let root = doc.catalog_id().ok();
    let certification = certification_reference(&doc.doc, root);
    // The Document Security Store's validation data (PAdES B-LT), checked
    // against each chain.
    let revocation = super::ltv::RevocationSources::read(&doc);
    let mut found = Vec::new();
    for field in fields.iter().filter(|f| f.signed) {
        let field_dict = object::get_dict(&doc.doc, field.id)?;
        let Some(Object::Reference(sig_id)) = field_dict.get(b"V").ok() else {
            continue;
        };
        let sig_dict = object::get_dict(&doc.doc, *sig_id)?;
        found.push((
            FoundSignature::read(&doc.doc, sig_dict)?,
            field,
            *sig_id,
            sig_dict,
        ));
    }
    // In file order, so that one running hash serves every signature;
    // reported in field order.
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| {
        found[i]
            .0
            .byte_range
            .map_or(usize::MAX, |r| r.contents_start)
    });
    let mut digester = RangeDigester::new(pdf);
    let mut reports: Vec<Option<SignatureReport>> = vec![None; found.len()];
    let mut inputs: Vec<Option<ChainInput>> = (0..found.len()).map(|_| None).collect();
    let mut found: Vec<Option<_>> = found.into_iter().map(Some).collect();
    let mut placed = Vec::new();
    for &i in &order {
        let Some((signature, field, sig_id, sig_dict)) = found[i].take() else {
            continue;
        };
        let range = signature.byte_range;
        let (mut report, input) = verify_one(pdf, &field.name, signature, options, &mut digester)?;
        if certification == Some(sig_id)
            && let Some(p) = docmdp_permission(&doc.doc, sig_dict)
        {
            report.kind = SignatureKind::Certification { permission: p };
        }
        reports[i] = Some(report);
        inputs[i] = input;
        if let Some(range) = range {
            placed.push((i, range.contents_start, range.end()));
        }
    }
    judge_chains(
        pdf,
        options,
        &revocation,
        &placed,
        &mut reports,
        &mut inputs,
    );
    let mut signatures: Vec<SignatureReport> = reports.into_iter().flatten().collect();
    // Modification analysis needs the DocMDP permission of certification signatures.
    let certified = signatures.iter().find_map(|s| match s.kind {
        SignatureKind::Certification { permission } => Some(permission),
        _ => None,
    });
    let trailing = super::dictionary::data_after_last_eof(pdf);
    for report in &mut signatures {
        if let Coverage::Revision { bytes } = report.coverage {
            let revision = pdf
                .get(..bytes)
                .ok_or_else(|| Error::new(ErrorCode::Internal, "a revision ends past the file"))?;
            report.modifications =
                analyse_changes(revision, &doc, certified, &options.limits, password)?;
            if let Some(count) = trailing {
                let reason = format!(
                    "{count} byte(s) of data follow the last revision (after its %%EOF): \
                     no revision holds them"
                );
                report.modifications =
                    match std::mem::replace(&mut report.modifications, Modifications::None) {
                        Modifications::Disallowed { mut reasons } => {
                            reasons.push(reason);
                            Modifications::Disallowed { reasons }
                        }
                        _ => Modifications::Disallowed {
                            reasons: vec![reason],
                        },
                    };
            }
        }
    }
    for report in &mut signatures {
        report.level = report.level.filter(|_| report.intact());
    }
    Ok(VerificationReport {
        signatures,
        trust_checked: !options.trust_anchors.is_empty(),
    })
}

/// What a signature's chain is judged from, once every signature's
/// integrity is known.
struct ChainInput {
    signed: cms::signed_data::SignedData,
    signer: Option<x509_cert::Certificate>,
    /// The time its own signature time-stamp proves (B-T), or, for a
    /// document time-stamp, the time it asserts.
    own_time: Option<DateTime<Utc>>,
}

/// A document time-stamp that proves the time of what it covers: intact,
/// and trusted when trust is checked.
struct Proof {
    contents_start: usize,
    revision_end: usize,
    time: DateTime<Utc>,
    field_name: String,
}

impl Proof {
    fn time_proof(&self) -> TimeProof {
        TimeProof::DocumentTimestamp {
            field_name: self.field_name.clone(),
        }
    }
}

/// Judges every chain, latest first, so that each document time-stamp is
/// known to count (or not) before what it covers is judged: a signature at
/// the earliest time a valid time-stamp proves (its own, or a document
/// time-stamp over it), else at the caller's time; a document time-stamp's
/// certificates at the time of a later one over it, else at the caller's
/// time, and revocation at the time it asserts. Then the baseline level of
/// each signature.
fn judge_chains(
    pdf: &[u8],
    options: &VerifyOptions,
    revocation: &super::ltv::RevocationSources,
    placed: &[(usize, usize, usize)],
    reports: &mut [Option<SignatureReport>],
    inputs: &mut [Option<ChainInput>],
) {
    let anchors = &options.trust_anchors;
    let trust_checked = !anchors.is_empty();
    let mut proofs: Vec<Proof> = Vec::new();
    // The validation data as each proof's revision held it (B-LTA).
    let mut sources_at: std::collections::HashMap<usize, super::ltv::RevocationSources> =
        std::collections::HashMap::new();
    let mut placed = placed.to_vec();
    placed.sort_by_key(|&(_, start, _)| start);
    for &(i, start, end) in placed.iter().rev() {
        let (Some(report), Some(input)) = (reports[i].as_mut(), inputs[i].take()) else {
            continue;
        };
        let covering: Vec<&Proof> = proofs.iter().filter(|p| p.contents_start > start).collect();
        let by_stamp = covering
            .iter()
            .min_by_key(|p| p.time)
            .map(|p| (p.time, p.time_proof()));
        let is_stamp = report.kind == SignatureKind::DocumentTimestamp;
        let (at, proof) = if is_stamp {
            let (validity, proof) = by_stamp.unwrap_or((options.time, TimeProof::None));
            let revocation = input.own_time.unwrap_or(validity);
            (
                JudgedAt {
                    validity,
                    revocation,
                },
                proof,
            )
        } else {
            let (time, proof) = match (input.own_time, by_stamp) {
                (Some(own), Some((time, proof))) if time < own => (time, proof),
                (Some(own), _) => (own, TimeProof::SignatureTimestamp),
                (None, Some(by_stamp)) => by_stamp,
                (None, None) => (options.time, TimeProof::None),
            };
            (JudgedAt::both(time), proof)
        };
        let judge = |sources: &super::ltv::RevocationSources,
                     problems: &mut Vec<Problem>,
                     reports: &mut Vec<RevocationReport>| {
            chain_status(
                &input.signed,
                input.signer.as_ref(),
                anchors,
                sources,
                at,
                problems,
                reports,
            )
        };
        let mut problems = std::mem::take(&mut report.problems);
        report.chain = judge(revocation, &mut problems, &mut report.revocation);
        report.problems = problems;
        report.validation_time = at.validity;
        report.time_proof = proof;
        if is_stamp {
            if let Some(time) = input.own_time
                && report.digest_valid
                && report.signature_valid
                && (!trust_checked || report.chain == ChainStatus::Trusted)
            {
                proofs.push(Proof {
                    contents_start: start,
                    revision_end: end,
                    time,
                    field_name: report.field_name.clone(),
                });
            }
            continue;
        }
        let proven = report.time_proof != TimeProof::None;
        if report.sub_filter != "/ETSI.CAdES.detached" {
            continue;
        }
        let proven_good = |status: ChainStatus, reports: &[RevocationReport]| {
            trust_checked
                && status == ChainStatus::Trusted
                && reports.iter().all(|r| {
                    matches!(
                        r.status,
                        RevocationStatus::Good | RevocationStatus::NotRequired
                    )
                })
        };
        report.level = Some(if !proven {
            BaselineLevel::B
        } else if !proven_good(report.chain, &report.revocation) || revocation.is_empty() {
            BaselineLevel::T
        } else {
            // B-LTA: a document time-stamp over the signature whose own
            // revision already held the data that proves it good.
            let archived = covering.iter().any(|p| {
                let sources = sources_at.entry(p.revision_end).or_insert_with(|| {
                    pdf.get(..p.revision_end)
                        .and_then(|revision| {
                            let password = options.pdf_password.as_ref().map(PdfPassword::expose);
                            Pdf::open_unfiltered(revision, &options.limits, password).ok()
                        })
                        .map(|doc| super::ltv::RevocationSources::read(&doc))
                        .unwrap_or_default()
                });
                let mut reports = Vec::new();
                let status = judge(sources, &mut Vec::new(), &mut reports);
                !sources.is_empty() && proven_good(status, &reports)
            });
            if archived {
                BaselineLevel::Lta
            } else {
                BaselineLevel::Lt
            }
        });
    }
}

fn verify_one(
    pdf: &[u8],
    field_name: &str,
    signature: FoundSignature,
    options: &VerifyOptions,
    digester: &mut RangeDigester<'_>,
) -> Result<(SignatureReport, Option<ChainInput>)> {
    let mut problems = Vec::new();
    let FoundSignature {
        sub_filter,
        is_document_timestamp,
        signing_time,
        contents,
        byte_range,
    } = signature;
    let checked = byte_range.map(|range| (range, range.check(pdf)));
    let (covered, coverage) = match checked {
        Some((range, Ok(coverage))) => (Some(range.spans()), Some(coverage)),
        None => {
            problems.push(Problem::new(
                ProblemCode::ByteRangeInvalid,
                "the /ByteRange is not four non-negative numbers",
            ));
            (None, None)
        }
        Some((_, Err(reason))) => {
            problems.push(Problem::new(ProblemCode::ByteRangeInvalid, reason));
            (None, None)
        }
    };
    // The CMS is followed by zero padding up to the reserved size; anything
    // else there sits in the gap that no digest covers.
    if let Some(length) = super::dictionary::der_length(&contents)
        && let Some(padding) = contents.get(length..)
        && let Some(at) = padding.iter().position(|b| *b != 0)
    {
        problems.push(Problem::new(
            ProblemCode::ContentsTrailingData,
            format!(
                "/Contents holds {} non-zero byte(s) after its {length}-byte signature (from byte {}): \
                 data no digest covers",
                padding.iter().filter(|b| **b != 0).count(),
                length + at
            ),
        ));
    }
    let mut report = SignatureReport {
        field_name: field_name.to_owned(),
        kind: if is_document_timestamp {
            SignatureKind::DocumentTimestamp
        } else {
            SignatureKind::Approval
        },
        sub_filter: sub_filter.clone(),
        signer: None,
        signing_time,
        timestamp_time: None,
        digest_valid: false,
        signature_valid: false,
        coverage: coverage.unwrap_or(Coverage::Invalid),
        modifications: Modifications::None,
        chain: ChainStatus::Untrusted,
        validation_time: options.time,
        time_proof: TimeProof::None,
        revocation: Vec::new(),
        level: None,
        problems: Vec::new(),
    };
    let Some(covered) = covered else {
        report.problems = problems;
        return Ok((report, None));
    };

    // Whatever the CMS holds, a signature gets a report: a part that
    // cannot be read (a certificate, a time-stamp token) is a problem of
    // this signature, never an error for the whole document.
    let input = match check_signed(
        &contents,
        &sub_filter,
        is_document_timestamp,
        &covered,
        digester,
        &mut report,
        &mut problems,
    ) {
        Ok(input) => input,
        Err(e) => {
            report.signature_valid = false;
            problems.push(Problem::new(ProblemCode::CmsMalformed, e.message()));
            None
        }
    };
    report.problems = problems;
    Ok((report, input))
}

/// The CMS (or time-stamp token) of one signature against the bytes it
/// covers: digest, signature value, attributes and time-stamp; what its
/// chain is judged from, when it reads.
fn check_signed(
    contents: &[u8],
    sub_filter: &str,
    is_document_timestamp: bool,
    covered: &[(usize, usize); 2],
    digester: &mut RangeDigester<'_>,
    report: &mut SignatureReport,
    problems: &mut Vec<Problem>,
) -> Result<Option<ChainInput>> {
    if is_document_timestamp {
        match tsp::parse_token(contents) {
            Ok((signed, content, tst)) => {
                let (alg, hash) = tsp::imprint(&tst);
                let digest = digester.digest(alg, covered);
                report.digest_valid = digest.as_deref() == Some(hash);
                if !report.digest_valid {
                    problems.push(Problem::new(
                        ProblemCode::DigestMismatch,
                        "the document time-stamp is over other bytes than the ones it covers",
                    ));
                }
                let signer = verify_signer(&signed, &content)?;
                report.signature_valid = signer.valid;
                report.signer = signer.cert.as_ref().map(signer_report);
                problems.extend(signer.problems);
                report.timestamp_time = Some(tsp::gen_time(&tst));
                return Ok(Some(ChainInput {
                    signed,
                    signer: signer.cert,
                    own_time: Some(tsp::gen_time(&tst)),
                }));
            }
            Err(e) => problems.push(Problem::new(ProblemCode::CmsMalformed, e.message())),
        }
        return Ok(None);
    }

    let signed = match pcms::parse_signed_data(contents) {
        Ok(s) => s,
        Err(e) => {
            problems.push(Problem::new(ProblemCode::CmsMalformed, e.message()));
            return Ok(None);
        }
    };
    let Some(info) = signed.signer_infos.0.iter().next() else {
        problems.push(Problem::new(
            ProblemCode::SignerMissing,
            "the CMS has no SignerInfo",
        ));
        return Ok(None);
    };
    let digest = digester.digest(info.digest_alg.oid, covered);
    let Some(digest) = digest else {
        problems.push(Problem::new(
            ProblemCode::AlgorithmUnsupported,
            format!("digest algorithm {} is not supported", info.digest_alg.oid),
        ));
        return Ok(None);
    };
    let outcome = verify_signer_info(&signed, info, &digest)?;
    report.digest_valid = outcome.digest_valid;
    report.signature_valid = outcome.valid;
    report.signer = outcome.cert.as_ref().map(signer_report);
    problems.extend(outcome.problems);

    if sub_filter == "/ETSI.CAdES.detached"
        && let Some(attrs) = &info.signed_attrs
        && attrs.iter().any(|a| a.oid == ID_SIGNING_TIME)
    {
        problems.push(Problem::new(
            ProblemCode::AttributeInvalid,
            "PAdES signatures must not carry a CMS signing-time attribute",
        ));
    }

    // A signature time-stamp over the signature value (B-T).
    let mut own_time = None;
    if let Some(unsigned) = &info.unsigned_attrs
        && let Some(attr) = unsigned.iter().find(|a| a.oid == ID_AA_TIME_STAMP_TOKEN)
        && let Some(value) = attr.values.iter().next()
    {
        let token = value
            .to_der()
            .map_err(|e| Error::new(ErrorCode::SignatureMalformed, e.to_string()))?;
        match tsp::check_token(&token, &crate::digest::sha256(info.signature.as_bytes())) {
            Ok(time) => {
                report.timestamp_time = Some(time);
                own_time = Some(time);
            }
            Err(e) => problems.push(Problem::new(
                ProblemCode::TimestampInvalid,
                format!("the signature time-stamp is invalid: {}", e.message()),
            )),
        }
    }
    let signer = outcome.cert;
    Ok(Some(ChainInput {
        signed,
        signer,
        own_time,
    }))
}

fn signer_report(cert: &x509_cert::Certificate) -> SignerReport {
    SignerReport {
        subject: cert::subject(cert),
        common_name: cert::common_name(cert),
        issuer: cert.tbs_certificate().issuer().to_string(),
        fingerprint_sha256: cert::fingerprint(cert),
    }
}
