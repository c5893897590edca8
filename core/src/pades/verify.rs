//! Verifying the signatures of a PDF: integrity (digest over the
//! `/ByteRange`), the CMS signature, coverage, what changed after each
//! signature, time-stamps, and the certificate chain against given anchors.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use der::Encode;
use der::asn1::OctetString;
use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;

use super::cert;
use super::cms::{self as pcms, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNATURE_TIME_STAMP_TOKEN};
use super::keys::SignatureAlgorithm;
use super::tsp;
use crate::error::{Error, ErrorCode, Result};
use crate::pdf::object::{self, decode_text_string};
use crate::pdf::{Limits, PdfDocument};

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
    /// Problems found, in words.
    pub problems: Vec<String>,
}

impl SignatureReport {
    /// Digest and signature valid, byte range sound, nothing disallowed after.
    pub fn intact(&self) -> bool {
        self.digest_valid
            && self.signature_valid
            && self.coverage != Coverage::Invalid
            && !matches!(self.modifications, Modifications::Disallowed { .. })
    }
}

/// The signatures of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationReport {
    /// One report per signature, in field order.
    pub signatures: Vec<SignatureReport>,
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
}

/// Verifies every signature of `pdf`. Chains are checked against
/// `trust_anchors` at the time-stamp's time when a signature has a valid
/// one, else at `now`.
pub fn verify(
    pdf: &[u8],
    trust_anchors: &[Certificate],
    now: DateTime<Utc>,
) -> Result<VerificationReport> {
    let doc = PdfDocument::load_unfiltered(pdf, &Limits::default())?;
    let fields = doc.fields()?;
    let root = doc.catalog_id().ok();
    let certification = certification_reference(&doc.doc, root);
    let mut signatures = Vec::new();
    for field in fields.iter().filter(|f| f.signed) {
        let field_dict = object::get_dict(&doc.doc, field.id)?;
        let Some(Object::Reference(sig_id)) = field_dict.get(b"V").ok() else {
            continue;
        };
        let sig_dict = object::get_dict(&doc.doc, *sig_id)?;
        let mut report = verify_one(
            pdf,
            &doc,
            &field.name,
            *sig_id,
            sig_dict,
            trust_anchors,
            now,
        )?;
        if certification == Some(*sig_id)
            && let Some(p) = docmdp_permission(&doc.doc, sig_dict)
        {
            report.kind = SignatureKind::Certification { permission: p };
        }
        signatures.push(report);
    }
    // Modification analysis needs the DocMDP permission of certification signatures.
    let certified = signatures.iter().find_map(|s| match s.kind {
        SignatureKind::Certification { permission } => Some(permission),
        _ => None,
    });
    for report in &mut signatures {
        if let Coverage::Revision { bytes } = report.coverage {
            report.modifications = analyse_changes(&pdf[..bytes], &doc, certified)?;
        }
    }
    Ok(VerificationReport { signatures })
}

/// The DocMDP `/P` of the document's certification signature, if it has one.
pub(crate) fn certification_permission(doc: &PdfDocument<'_>) -> Option<i64> {
    let sig = certification_reference(&doc.doc, doc.catalog_id().ok())?;
    let dict = object::get_dict(&doc.doc, sig).ok()?;
    docmdp_permission(&doc.doc, dict)
}

/// The signature dictionary referenced by the catalog's `/Perms /DocMDP`.
fn certification_reference(doc: &Document, root: Option<ObjectId>) -> Option<ObjectId> {
    let catalog = object::get_dict(doc, root?).ok()?;
    let perms = object::lookup_dict(doc, catalog, b"Perms").ok()??;
    perms.get(b"DocMDP").ok()?.as_reference().ok()
}

fn docmdp_permission(doc: &Document, sig: &Dictionary) -> Option<i64> {
    let refs = object::lookup_array(doc, sig, b"Reference").ok()??;
    refs.iter().find_map(|r| {
        let r = object::as_dict(object::resolve(doc, r).ok()?)?;
        if object::lookup_name(doc, r, b"TransformMethod").ok()?? != b"DocMDP" {
            return None;
        }
        let params = object::lookup_dict(doc, r, b"TransformParams").ok()??;
        match object::lookup(doc, params, b"P").ok()? {
            Some(Object::Integer(p)) => Some(*p),
            _ => Some(2),
        }
    })
}

fn verify_one(
    pdf: &[u8],
    doc: &PdfDocument<'_>,
    field_name: &str,
    sig_id: ObjectId,
    sig: &Dictionary,
    anchors: &[Certificate],
    now: DateTime<Utc>,
) -> Result<SignatureReport> {
    let d = &doc.doc;
    let mut problems = Vec::new();
    let sub_filter = object::lookup_name(d, sig, b"SubFilter")?
        .map(|n| format!("/{}", String::from_utf8_lossy(n)))
        .unwrap_or_default();
    let is_doc_timestamp = object::lookup_name(d, sig, b"Type")? == Some(b"DocTimeStamp");
    let signing_time = match object::lookup(d, sig, b"M")? {
        Some(Object::String(bytes, _)) => parse_pdf_date(&decode_text_string(bytes)),
        _ => None,
    };
    let contents = match object::lookup(d, sig, b"Contents")? {
        Some(Object::String(bytes, _)) => bytes.clone(),
        _ => Vec::new(),
    };
    let byte_range: Vec<i64> = object::lookup_array(d, sig, b"ByteRange")?
        .map(|a| a.iter().filter_map(|o| o.as_i64().ok()).collect())
        .unwrap_or_default();
    let (coverage, covered) = check_byte_range(pdf, &byte_range, &mut problems);
    let _ = sig_id;
    let mut report = SignatureReport {
        field_name: field_name.to_owned(),
        kind: if is_doc_timestamp {
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
        coverage,
        modifications: Modifications::None,
        chain: ChainStatus::Untrusted,
        problems: Vec::new(),
    };
    let Some(covered) = covered else {
        report.problems = problems;
        return Ok(report);
    };

    if is_doc_timestamp {
        match tsp::parse_token(&contents) {
            Ok((signed, content, tst)) => {
                let (alg, hash) = tsp::imprint(&tst);
                let digest = digest_ranges(alg, pdf, &covered);
                report.digest_valid = digest.as_deref() == Some(hash);
                let signer = verify_signer(&signed, &content)?;
                report.signature_valid = signer.valid;
                report.signer = signer.cert.as_ref().map(signer_report).transpose()?;
                report.timestamp_time = Some(tsp::gen_time(&tst));
                report.chain = chain_status(
                    &signed,
                    signer.cert.as_ref(),
                    anchors,
                    tsp::gen_time(&tst),
                    &mut problems,
                );
            }
            Err(e) => problems.push(e.message().to_owned()),
        }
        report.problems = problems;
        return Ok(report);
    }

    let signed = match pcms::parse_signed_data(&contents) {
        Ok(s) => s,
        Err(e) => {
            problems.push(e.message().to_owned());
            report.problems = problems;
            return Ok(report);
        }
    };
    let Some(info) = signed.signer_infos.0.iter().next() else {
        problems.push("the CMS has no SignerInfo".to_owned());
        report.problems = problems;
        return Ok(report);
    };
    let digest = digest_ranges(info.digest_alg.oid, pdf, &covered);
    let Some(digest) = digest else {
        problems.push(format!(
            "digest algorithm {} is not supported",
            info.digest_alg.oid
        ));
        report.problems = problems;
        return Ok(report);
    };
    let outcome = verify_signer_info(&signed, info, &digest)?;
    report.digest_valid = outcome.digest_valid;
    report.signature_valid = outcome.valid;
    report.signer = outcome.cert.as_ref().map(signer_report).transpose()?;
    problems.extend(outcome.problems);

    if sub_filter == "/ETSI.CAdES.detached"
        && let Some(attrs) = &info.signed_attrs
        && attrs.iter().any(|a| a.oid == pcms::ID_SIGNING_TIME)
    {
        problems.push("PAdES signatures must not carry a CMS signing-time attribute".to_owned());
    }

    // A signature time-stamp over the signature value (B-T).
    let mut validation_time = now;
    if let Some(unsigned) = &info.unsigned_attrs
        && let Some(attr) = unsigned
            .iter()
            .find(|a| a.oid == ID_SIGNATURE_TIME_STAMP_TOKEN)
        && let Some(value) = attr.values.iter().next()
    {
        let token = value
            .to_der()
            .map_err(|e| Error::new(ErrorCode::SignatureMalformed, e.to_string()))?;
        match tsp::check_token(&token, &crate::digest::sha256(info.signature.as_bytes())) {
            Ok(time) => {
                report.timestamp_time = Some(time);
                validation_time = time;
            }
            Err(e) => problems.push(format!(
                "the signature time-stamp is invalid: {}",
                e.message()
            )),
        }
    }
    report.chain = chain_status(
        &signed,
        outcome.cert.as_ref(),
        anchors,
        validation_time,
        &mut problems,
    );
    report.problems = problems;
    Ok(report)
}

/// Checks a `/ByteRange`: `[0 a b c]` with one gap that holds exactly the
/// `/Contents` hex string. Returns the coverage and the covered ranges.
#[allow(clippy::type_complexity)]
fn check_byte_range(
    pdf: &[u8],
    range: &[i64],
    problems: &mut Vec<String>,
) -> (Coverage, Option<[(usize, usize); 2]>) {
    let values: Option<Vec<usize>> = range.iter().map(|&v| usize::try_from(v).ok()).collect();
    let Some([start, a, b, c]) = values
        .as_deref()
        .and_then(|v| <[usize; 4]>::try_from(v).ok())
    else {
        problems.push("the /ByteRange is not four non-negative numbers".to_owned());
        return (Coverage::Invalid, None);
    };
    let end = b.checked_add(c);
    let sound = start == 0
        && a < b
        && end.is_some_and(|e| e <= pdf.len())
        && pdf.get(a) == Some(&b'<')
        && pdf.get(b - 1) == Some(&b'>')
        && pdf[a + 1..b - 1].iter().all(u8::is_ascii_hexdigit);
    if !sound {
        problems.push(
            "the /ByteRange does not cover the file around exactly one /Contents string".to_owned(),
        );
        return (Coverage::Invalid, None);
    }
    let end = end.unwrap_or(0);
    let coverage = if end == pdf.len() {
        Coverage::WholeFile
    } else {
        Coverage::Revision { bytes: end }
    };
    (coverage, Some([(0, a), (b, c)]))
}

fn digest_ranges(
    algorithm: ObjectIdentifier,
    pdf: &[u8],
    ranges: &[(usize, usize); 2],
) -> Option<Vec<u8>> {
    fn run<D: Digest>(pdf: &[u8], ranges: &[(usize, usize); 2]) -> Vec<u8> {
        let mut h = D::new();
        for &(start, len) in ranges {
            h.update(&pdf[start..start + len]);
        }
        h.finalize().to_vec()
    }
    if algorithm == rfc5912::ID_SHA_256 {
        Some(run::<Sha256>(pdf, ranges))
    } else if algorithm == rfc5912::ID_SHA_384 {
        Some(run::<Sha384>(pdf, ranges))
    } else if algorithm == rfc5912::ID_SHA_512 {
        Some(run::<Sha512>(pdf, ranges))
    } else if algorithm == rfc5912::ID_SHA_1 {
        Some(run::<sha1::Sha1>(pdf, ranges))
    } else {
        None
    }
}

fn hash_with(algorithm: ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    digest_ranges(algorithm, data, &[(0, data.len()), (data.len(), 0)])
}

fn signer_report(cert: &Certificate) -> Result<SignerReport> {
    Ok(SignerReport {
        subject: cert::subject(cert),
        common_name: cert::common_name(cert),
        issuer: cert::issuer(cert),
        fingerprint_sha256: cert::fingerprint(cert)?,
    })
}

/// The outcome of checking one SignerInfo.
pub(crate) struct SignerOutcome {
    pub cert: Option<Certificate>,
    pub digest_valid: bool,
    pub valid: bool,
    pub problems: Vec<String>,
}

/// Checks the first SignerInfo of `signed` over `content` (attached or
/// detached content bytes).
pub(crate) fn verify_signer(signed: &SignedData, content: &[u8]) -> Result<SignerOutcome> {
    let Some(info) = signed.signer_infos.0.iter().next() else {
        return Ok(SignerOutcome {
            cert: None,
            digest_valid: false,
            valid: false,
            problems: vec!["the CMS has no SignerInfo".to_owned()],
        });
    };
    let Some(digest) = hash_with(info.digest_alg.oid, content) else {
        return Ok(SignerOutcome {
            cert: None,
            digest_valid: false,
            valid: false,
            problems: vec![format!(
                "digest algorithm {} is not supported",
                info.digest_alg.oid
            )],
        });
    };
    verify_signer_info(signed, info, &digest)
}

fn find_signer_cert(signed: &SignedData, sid: &SignerIdentifier) -> Option<Certificate> {
    let certs = signed.certificates.as_ref()?;
    certs.0.iter().find_map(|choice| {
        let cms::cert::CertificateChoices::Certificate(c) = choice else {
            return None;
        };
        let tbs = c.tbs_certificate();
        let matches = match sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
                .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .is_some_and(|(_, own)| own == *ski),
        };
        matches.then(|| c.clone())
    })
}

fn verify_signer_info(
    signed: &SignedData,
    info: &SignerInfo,
    content_digest: &[u8],
) -> Result<SignerOutcome> {
    let mut problems = Vec::new();
    let cert = find_signer_cert(signed, &info.sid);
    let Some(signer_cert) = cert.clone() else {
        return Ok(SignerOutcome {
            cert: None,
            digest_valid: false,
            valid: false,
            problems: vec!["the signing certificate is not in the CMS".to_owned()],
        });
    };
    let (digest_valid, message) = match &info.signed_attrs {
        Some(attrs) => {
            let digest_attr = attrs
                .iter()
                .find(|a| a.oid == ID_MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .and_then(|v| v.decode_as::<OctetString>().ok());
            if !attrs.iter().any(|a| a.oid == ID_CONTENT_TYPE) {
                problems.push("the signed attributes have no content-type".to_owned());
            }
            let valid = digest_attr.is_some_and(|d| d.as_bytes() == content_digest);
            let message = attrs
                .to_der()
                .map_err(|e| Error::new(ErrorCode::SignatureMalformed, e.to_string()))?;
            (valid, message)
        }
        None => (true, Vec::new()),
    };
    if !digest_valid {
        problems.push("the document digest does not match the signed one".to_owned());
    }
    let valid = if info.signed_attrs.is_some() {
        verify_raw(
            signer_cert.tbs_certificate().subject_public_key_info(),
            info.signature_algorithm.oid,
            Some(info.digest_alg.oid),
            &message,
            info.signature.as_bytes(),
        )
    } else {
        verify_prehashed(&signer_cert, info, content_digest)
    };
    let valid = match valid {
        Ok(v) => v,
        Err(e) => {
            problems.push(e.message().to_owned());
            false
        }
    };
    if !valid {
        problems.push("the signature does not verify with the signer's key".to_owned());
    }
    let ess_ok = info
        .signed_attrs
        .as_ref()
        .is_none_or(|attrs| ess_matches(attrs, &signer_cert));
    if !ess_ok {
        problems.push(
            "the signing-certificate-v2 attribute names another certificate than the signer's"
                .to_owned(),
        );
    }
    let valid = valid && ess_ok;
    Ok(SignerOutcome {
        cert,
        digest_valid,
        valid: valid && digest_valid,
        problems,
    })
}

/// Whether an ESS signing-certificate-v2 attribute, when present, holds the
/// SHA-256 of the signing certificate (RFC 5035 §5.4).
fn ess_matches(
    attrs: &der::asn1::SetOfVec<x509_cert::attr::Attribute>,
    signer: &Certificate,
) -> bool {
    let Some(attr) = attrs
        .iter()
        .find(|a| a.oid == pcms::ID_SIGNING_CERTIFICATE_V2)
    else {
        return true;
    };
    let Some(value) = attr.values.iter().next() else {
        return false;
    };
    let Ok(ess) = value.decode_as::<pcms::SigningCertificateV2>() else {
        return false;
    };
    let Ok(der) = signer.to_der() else {
        return false;
    };
    ess.certs.first().is_some_and(|id| {
        let oid = id
            .hash_algorithm
            .as_ref()
            .map_or(pcms::ID_SHA256, |a| a.oid);
        hash_with(oid, &der).as_deref() == Some(id.cert_hash.as_bytes())
    })
}

fn verify_prehashed(cert: &Certificate, info: &SignerInfo, digest: &[u8]) -> Result<bool> {
    let _ = (cert, info, digest);
    Err(Error::new(
        ErrorCode::UnsupportedAlgorithm,
        "CMS signatures without signed attributes are not supported",
    ))
}

/// Verifies `signature` over `message` with the key of `cert` (aws-lc-rs
/// when the `aws-lc` feature is on: this runs on every signature made).
pub(crate) fn verify_with_certificate(
    cert: &Certificate,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<bool> {
    #[cfg(feature = "aws-lc")]
    {
        use aws_lc_rs::signature::{
            ECDSA_P256_SHA256_ASN1, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey,
        };
        let key = cert
            .tbs_certificate()
            .subject_public_key_info()
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| {
                Error::new(ErrorCode::CertInvalid, "the public key is not byte-aligned")
            })?;
        let ok = match algorithm {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => {
                UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key).verify(message, signature)
            }
            SignatureAlgorithm::EcdsaP256Sha256 => {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key).verify(message, signature)
            }
        };
        #[allow(clippy::needless_return)]
        return Ok(ok.is_ok());
    }
    #[cfg(not(feature = "aws-lc"))]
    verify_raw(
        cert.tbs_certificate().subject_public_key_info(),
        algorithm.oid(),
        Some(rfc5912::ID_SHA_256),
        message,
        signature,
    )
}

/// Verifies a signature with a public key. `algorithm` is a signature
/// algorithm OID, or `rsaEncryption` with the digest given apart (as CMS
/// allows).
fn verify_raw(
    spki: &spki::SubjectPublicKeyInfoOwned,
    algorithm: ObjectIdentifier,
    digest: Option<ObjectIdentifier>,
    message: &[u8],
    signature: &[u8],
) -> Result<bool> {
    use rsa::pkcs1v15::{Signature as RsaSignature, VerifyingKey};
    use signature::Verifier;
    let key_bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "the public key is not byte-aligned"))?;
    let unsupported = || {
        Error::new(
            ErrorCode::UnsupportedAlgorithm,
            format!("signature algorithm {algorithm} is not supported"),
        )
    };
    if spki.algorithm.oid == rfc5912::RSA_ENCRYPTION {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let key = rsa::RsaPublicKey::from_pkcs1_der(key_bytes)
            .map_err(|e| Error::new(ErrorCode::CertInvalid, format!("bad RSA key: {e}")))?;
        let hash = if algorithm == rfc5912::SHA_256_WITH_RSA_ENCRYPTION {
            rfc5912::ID_SHA_256
        } else if algorithm == rfc5912::SHA_384_WITH_RSA_ENCRYPTION {
            rfc5912::ID_SHA_384
        } else if algorithm == rfc5912::SHA_512_WITH_RSA_ENCRYPTION {
            rfc5912::ID_SHA_512
        } else if algorithm == rfc5912::SHA_1_WITH_RSA_ENCRYPTION {
            rfc5912::ID_SHA_1
        } else if algorithm == rfc5912::RSA_ENCRYPTION {
            digest.ok_or_else(unsupported)?
        } else {
            return Err(unsupported());
        };
        let Ok(sig) = RsaSignature::try_from(signature) else {
            return Ok(false);
        };
        let ok = if hash == rfc5912::ID_SHA_256 {
            VerifyingKey::<Sha256>::new(key)
                .verify(message, &sig)
                .is_ok()
        } else if hash == rfc5912::ID_SHA_384 {
            VerifyingKey::<Sha384>::new(key)
                .verify(message, &sig)
                .is_ok()
        } else if hash == rfc5912::ID_SHA_512 {
            VerifyingKey::<Sha512>::new(key)
                .verify(message, &sig)
                .is_ok()
        } else if hash == rfc5912::ID_SHA_1 {
            VerifyingKey::<sha1::Sha1>::new(key)
                .verify(message, &sig)
                .is_ok()
        } else {
            return Err(unsupported());
        };
        Ok(ok)
    } else if spki.algorithm.oid == rfc5912::ID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(rfc5912::SECP_256_R_1) {
            return Err(Error::new(
                ErrorCode::UnsupportedAlgorithm,
                "only P-256 elliptic-curve keys are supported",
            ));
        }
        if algorithm != rfc5912::ECDSA_WITH_SHA_256 {
            return Err(unsupported());
        }
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
            .map_err(|e| Error::new(ErrorCode::CertInvalid, format!("bad P-256 key: {e}")))?;
        let Ok(sig) = p256::ecdsa::DerSignature::try_from(signature) else {
            return Ok(false);
        };
        Ok(key.verify(message, &sig).is_ok())
    } else {
        Err(unsupported())
    }
}

/// Builds a chain from `signer` to one of `anchors` through the CMS's
/// certificates and judges it at `at`.
fn chain_status(
    signed: &SignedData,
    signer: Option<&Certificate>,
    anchors: &[Certificate],
    at: DateTime<Utc>,
    problems: &mut Vec<String>,
) -> ChainStatus {
    let Some(signer) = signer else {
        return ChainStatus::Untrusted;
    };
    let mut pool: Vec<Certificate> = signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    pool.extend(anchors.iter().cloned());
    let is_anchor = |c: &Certificate| {
        anchors.iter().any(|a| {
            a.tbs_certificate().subject() == c.tbs_certificate().subject()
                && a.tbs_certificate().subject_public_key_info()
                    == c.tbs_certificate().subject_public_key_info()
        })
    };
    let mut chain = vec![signer.clone()];
    let mut seen = HashSet::new();
    loop {
        let current = chain.last().cloned().unwrap_or_else(|| signer.clone());
        if is_anchor(&current) {
            break;
        }
        if current.tbs_certificate().issuer() == current.tbs_certificate().subject() {
            problems.push(format!(
                "the chain ends at {}, which is not a trust anchor",
                cert::subject(&current)
            ));
            return ChainStatus::Untrusted;
        }
        if !seen.insert(cert::fingerprint(&current).unwrap_or_default()) || chain.len() > 16 {
            problems.push("the certificate chain loops".to_owned());
            return ChainStatus::Untrusted;
        }
        let issuer = pool.iter().find(|candidate| {
            candidate.tbs_certificate().subject() == current.tbs_certificate().issuer()
                && issued_by(&current, candidate)
        });
        match issuer {
            Some(issuer) => chain.push(issuer.clone()),
            None => {
                problems.push(format!(
                    "no chain from {} leads to a trust anchor",
                    cert::subject(signer)
                ));
                return ChainStatus::Untrusted;
            }
        }
    }
    for c in &chain {
        if let Err(e) = cert::check_validity(c, at) {
            problems.push(e.message().to_owned());
            return ChainStatus::Expired;
        }
    }
    let expects_revocation = chain.iter().take(chain.len().saturating_sub(1)).any(|c| {
        c.tbs_certificate().extensions().is_some_and(|exts| {
            exts.iter().any(|e| {
                e.extn_id == rfc5912::ID_CE_CRL_DISTRIBUTION_POINTS
                    || e.extn_id == rfc5912::ID_PE_AUTHORITY_INFO_ACCESS
            })
        })
    });
    if expects_revocation {
        problems
            .push("revocation was not checked: the document carries no revocation data".to_owned());
        return ChainStatus::RevokedUnknown;
    }
    ChainStatus::Trusted
}

/// Whether `issuer`'s key verifies `cert`'s signature.
fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let Ok(tbs) = cert.tbs_certificate().to_der() else {
        return false;
    };
    let Some(signature) = cert.signature().as_bytes() else {
        return false;
    };
    verify_raw(
        issuer.tbs_certificate().subject_public_key_info(),
        cert.signature_algorithm().oid,
        None,
        &tbs,
        signature,
    )
    .unwrap_or(false)
}

/// Parses `D:YYYYMMDDHHmmSSOHH'mm'` (ISO 32000-2 §7.9.4), lenient about
/// the optional parts.
pub(crate) fn parse_pdf_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let field = |start: usize, len: usize, default: u32| -> u32 {
        digits
            .get(start..start + len)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let year = i32::try_from(field(0, 4, 0)).ok()?;
    let naive = chrono::NaiveDate::from_ymd_opt(year, field(4, 2, 1), field(6, 2, 1))?
        .and_hms_opt(field(8, 2, 0), field(10, 2, 0), field(12, 2, 0))?;
    let rest = &text[digits.len()..];
    let offset_minutes = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let nums: Vec<i64> = rest[1..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse().ok())
                .collect();
            let minutes =
                nums.first().copied().unwrap_or(0) * 60 + nums.get(1).copied().unwrap_or(0);
            if sign == '-' { -minutes } else { minutes }
        }
        _ => 0,
    };
    Some(naive.and_utc() - chrono::Duration::minutes(offset_minutes))
}

// ---- modification analysis ----

/// What a signed revision became in the final file: allowed changes are
/// form filling (field values and appearances), new signature fields and
/// signatures, and document metadata; under DocMDP P=1 nothing may change,
/// and annotations other than widgets only under P=3 or without DocMDP.
fn analyse_changes(
    signed: &[u8],
    final_doc: &PdfDocument<'_>,
    certified: Option<i64>,
) -> Result<Modifications> {
    let before = match PdfDocument::load_unfiltered(signed, &Limits::default()) {
        Ok(doc) => doc,
        Err(e) => {
            return Ok(Modifications::Disallowed {
                reasons: vec![format!(
                    "the signed revision cannot be read: {}",
                    e.message()
                )],
            });
        }
    };
    let old = &before.doc;
    let new = &final_doc.doc;
    let mut changes = Vec::new();
    let mut reasons = Vec::new();

    let old_fields = field_ids(&before)?;
    let new_fields = field_ids(final_doc)?;
    let pages: HashSet<ObjectId> = final_doc.pages().iter().map(|p| p.id).collect();
    let old_pages: HashSet<ObjectId> = before.pages().iter().map(|p| p.id).collect();
    if pages != old_pages {
        reasons.push("pages were added or removed".to_owned());
    }
    let catalog_id = final_doc.catalog_id().ok();
    let acroform_id = catalog_id
        .and_then(|id| object::get_dict(new, id).ok())
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|a| a.as_reference().ok());
    let info_id = new
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|i| i.as_reference().ok());
    let metadata_id = catalog_id
        .and_then(|id| object::get_dict(new, id).ok())
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|m| m.as_reference().ok());
    let annots_arrays: HashSet<ObjectId> = final_doc
        .pages()
        .iter()
        .filter_map(|p| object::get_dict(new, p.id).ok())
        .filter_map(|d| d.get(b"Annots").ok().and_then(|a| a.as_reference().ok()))
        .collect();

    let mut ids: Vec<&ObjectId> = new.objects.keys().collect();
    ids.sort();
    for id in ids {
        let new_obj = &new.objects[id];
        let Some(old_obj) = old.objects.get(id) else {
            // New objects are inert unless something that counts refers to them;
            // new annotations are judged where they are attached (pages).
            continue;
        };
        if same_object(old_obj, new_obj) {
            continue;
        }
        let label = format!("object {} {} R", id.0, id.1);
        if Some(*id) == catalog_id {
            let changed = changed_keys(old_obj, new_obj);
            let disallowed: Vec<&String> = changed
                .iter()
                .filter(|k| {
                    ![
                        "AcroForm",
                        "DSS",
                        "Extensions",
                        "Metadata",
                        "MarkInfo",
                        "Version",
                    ]
                    .contains(&k.as_str())
                })
                .collect();
            if disallowed.is_empty() {
                changes.push(format!("catalog: {}", changed.join(", ")));
            } else {
                reasons.push(format!("the catalog's {disallowed:?} changed"));
            }
        } else if Some(*id) == acroform_id {
            let changed = changed_keys(old_obj, new_obj);
            let fields_kept = superset(old, new, old_obj, new_obj, b"Fields");
            if changed.iter().all(|k| {
                ["Fields", "SigFlags", "DR", "DA", "NeedAppearances"].contains(&k.as_str())
            }) && fields_kept
            {
                changes.push("form dictionary".to_owned());
            } else {
                reasons.push(format!(
                    "the form dictionary changed ({})",
                    changed.join(", ")
                ));
            }
        } else if pages.contains(id) {
            let changed = changed_keys(old_obj, new_obj);
            if changed.iter().all(|k| k == "Annots")
                && superset(old, new, old_obj, new_obj, b"Annots")
            {
                judge_new_annotations(
                    old,
                    new,
                    old_obj,
                    new_obj,
                    &new_fields,
                    certified,
                    &mut changes,
                    &mut reasons,
                );
            } else {
                reasons.push(format!("page {label} changed ({})", changed.join(", ")));
            }
        } else if annots_arrays.contains(id) {
            if array_superset(old_obj, new_obj) {
                changes.push("page annotations".to_owned());
            } else {
                reasons.push("annotations were removed from a page".to_owned());
            }
        } else if old_fields.contains(id) || new_fields.contains(id) {
            judge_field_change(
                old,
                old_obj,
                new_obj,
                &label,
                certified,
                &mut changes,
                &mut reasons,
            );
        } else if Some(*id) == info_id || Some(*id) == metadata_id {
            changes.push("document metadata".to_owned());
        } else {
            reasons.push(format!("{label} changed"));
        }
    }
    if certified == Some(1) && !changes.is_empty() {
        reasons.push(format!(
            "the certification signature allows no change (DocMDP P=1), but: {}",
            changes.join("; ")
        ));
    }
    changes.dedup();
    Ok(if !reasons.is_empty() {
        Modifications::Disallowed { reasons }
    } else {
        Modifications::Allowed { changes }
    })
}

/// Stream equality on dictionary and data (not on file positions).
fn same_object(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => x.dict == y.dict && x.content == y.content,
        _ => a == b,
    }
}

fn changed_keys(old: &Object, new: &Object) -> Vec<String> {
    let (Some(o), Some(n)) = (object::as_dict(old), object::as_dict(new)) else {
        return vec!["(type)".to_owned()];
    };
    let mut keys: BTreeMap<Vec<u8>, ()> = BTreeMap::new();
    for (k, v) in o.iter() {
        if n.get(k).ok() != Some(v) {
            keys.insert(k.clone(), ());
        }
    }
    for (k, _) in n.iter() {
        if !o.has(k) {
            keys.insert(k.clone(), ());
        }
    }
    keys.keys()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect()
}

fn references(doc: &Document, dict: &Object, key: &[u8]) -> Vec<Object> {
    object::as_dict(dict)
        .and_then(|d| object::lookup_array(doc, d, key).ok().flatten())
        .cloned()
        .unwrap_or_default()
}

fn superset(
    old_doc: &Document,
    new_doc: &Document,
    old: &Object,
    new: &Object,
    key: &[u8],
) -> bool {
    let before = references(old_doc, old, key);
    let after = references(new_doc, new, key);
    before.iter().all(|o| after.contains(o))
}

fn array_superset(old: &Object, new: &Object) -> bool {
    match (old, new) {
        (Object::Array(o), Object::Array(n)) => o.iter().all(|x| n.contains(x)),
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn judge_new_annotations(
    old_doc: &Document,
    new_doc: &Document,
    old: &Object,
    new: &Object,
    new_fields: &HashSet<ObjectId>,
    certified: Option<i64>,
    changes: &mut Vec<String>,
    reasons: &mut Vec<String>,
) {
    let before = references(old_doc, old, b"Annots");
    for annot in references(new_doc, new, b"Annots") {
        if before.contains(&annot) {
            continue;
        }
        let Ok(id) = annot.as_reference() else {
            reasons.push("a direct annotation was added".to_owned());
            continue;
        };
        let dict = object::get_dict(new_doc, id).ok();
        let is_widget =
            dict.is_some_and(|d| d.get(b"Subtype").ok() == Some(&Object::Name(b"Widget".to_vec())));
        let is_sig = dict
            .is_some_and(|d| object::lookup_name(new_doc, d, b"FT").ok().flatten() == Some(b"Sig"));
        let visible = dict
            .and_then(|d| d.get(b"Rect").ok())
            .and_then(|r| object::as_rect(new_doc, r).ok().flatten())
            .is_some();
        if is_widget && is_sig && new_fields.contains(&id) && !(visible && certified.is_some()) {
            changes.push("a signature field was added".to_owned());
        } else if is_widget && is_sig && new_fields.contains(&id) {
            reasons.push(
                "a visible signature field was added after the certification signature".to_owned(),
            );
        } else if is_widget {
            reasons.push("a form field other than a signature field was added".to_owned());
        } else if certified.is_none() || certified == Some(3) {
            changes.push("an annotation was added".to_owned());
        } else {
            reasons
                .push("an annotation was added, which the certification does not allow".to_owned());
        }
    }
}

fn judge_field_change(
    old_doc: &Document,
    old: &Object,
    new: &Object,
    label: &str,
    certified: Option<i64>,
    changes: &mut Vec<String>,
    reasons: &mut Vec<String>,
) {
    let changed = changed_keys(old, new);
    let is_sig = object::as_dict(old)
        .and_then(|d| object::lookup_name(old_doc, d, b"FT").ok().flatten())
        == Some(b"Sig");
    let previously_signed = is_sig && object::as_dict(old).is_some_and(|d| d.has(b"V"));
    if previously_signed {
        reasons.push(format!(
            "signed signature field {label} was changed ({})",
            changed.join(", ")
        ));
        return;
    }
    if changed
        .iter()
        .all(|k| ["V", "AP", "AS"].contains(&k.as_str()))
    {
        if certified == Some(1) {
            reasons.push(format!("field {label} was filled under DocMDP P=1"));
        } else {
            changes.push(if is_sig {
                "a signature field was signed".to_owned()
            } else {
                "a form field was filled".to_owned()
            });
        }
    } else {
        reasons.push(format!("field {label} changed ({})", changed.join(", ")));
    }
}

/// Every field and widget object of a document's form.
fn field_ids(doc: &PdfDocument<'_>) -> Result<HashSet<ObjectId>> {
    let d = &doc.doc;
    let mut ids = HashSet::new();
    let Ok(catalog) = doc.catalog() else {
        return Ok(ids);
    };
    let Some(acroform) = object::lookup_dict(d, catalog, b"AcroForm")? else {
        return Ok(ids);
    };
    let mut stack: Vec<ObjectId> = object::lookup_array(d, acroform, b"Fields")?
        .map(|a| a.iter().filter_map(|o| o.as_reference().ok()).collect())
        .unwrap_or_default();
    while let Some(id) = stack.pop() {
        if !ids.insert(id) || ids.len() > 100_000 {
            continue;
        }
        if let Ok(dict) = object::get_dict(d, id)
            && let Some(kids) = object::lookup_array(d, dict, b"Kids")?
        {
            stack.extend(kids.iter().filter_map(|o| o.as_reference().ok()));
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_parse_with_and_without_offsets() {
        let t = parse_pdf_date("D:20261123103500+01'00'").expect("date");
        assert_eq!(t.to_rfc3339(), "2026-11-23T09:35:00+00:00");
        let t = parse_pdf_date("D:20261123103500Z").expect("date");
        assert_eq!(t.to_rfc3339(), "2026-11-23T10:35:00+00:00");
        let t = parse_pdf_date("D:2026").expect("date");
        assert_eq!(t.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert!(parse_pdf_date("yesterday").is_none());
    }
}
