//! Verifying a CMS SignerInfo (RFC 5652 §5.4 and §5.6): the message-digest
//! attribute against the content, the signature over the DER of the signed
//! attributes with the signer's key, and the ESS signing-certificate-v2
//! binding (RFC 5035 §5.4). Used for PAdES signatures (ETSI EN 319 142-1
//! §6.3) and for RFC 3161 time-stamp tokens alike.

use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST};
use const_oid::db::rfc5912;
use der::Encode;
use der::asn1::OctetString;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;

use super::build::SigningCertificateV2;
use crate::error::{Error, ErrorCode, Result};
use crate::pades::keys::verify_raw;
use crate::pades::verify::{Problem, ProblemCode};

pub(crate) fn digest_ranges(
    algorithm: ObjectIdentifier,
    pdf: &[u8],
    ranges: &[(usize, usize); 2],
) -> Option<Vec<u8>> {
    let mut hasher = Running::new(algorithm)?;
    for &(start, len) in ranges {
        hasher.update(&pdf[start..start + len]);
    }
    Some(hasher.finish())
}

/// A hash function's state over the file's first `position` bytes.
#[derive(Clone)]
enum Running {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
    Sha1(sha1::Sha1),
}

impl Running {
    fn new(algorithm: ObjectIdentifier) -> Option<Self> {
        Some(if algorithm == rfc5912::ID_SHA_256 {
            Self::Sha256(Sha256::new())
        } else if algorithm == rfc5912::ID_SHA_384 {
            Self::Sha384(Sha384::new())
        } else if algorithm == rfc5912::ID_SHA_512 {
            Self::Sha512(Sha512::new())
        } else if algorithm == rfc5912::ID_SHA_1 {
            Self::Sha1(sha1::Sha1::new())
        } else {
            return None;
        })
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
            Self::Sha1(h) => h.update(data),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
            Self::Sha1(h) => h.finalize().to_vec(),
        }
    }
}

/// The digests of the byte ranges of every signature of one file, with the
/// file hashed once: every range is `[0, a)` followed by `[b, b + c)`, so
/// one running hash per algorithm over the file's prefix is cloned at each
/// `a` (asked in increasing order) and only the short second span is hashed
/// for each signature. Verifying n signatures costs the file's size plus
/// their revisions' tails, not n times the file.
pub(crate) struct RangeDigester<'p> {
    pdf: &'p [u8],
    running: Vec<(ObjectIdentifier, Running, usize)>,
}

impl<'p> RangeDigester<'p> {
    pub(crate) fn new(pdf: &'p [u8]) -> Self {
        Self {
            pdf,
            running: Vec::new(),
        }
    }

    /// The digest of `ranges` (the first starting at 0) with `algorithm`;
    /// `None` for an algorithm this engine does not support.
    pub(crate) fn digest(
        &mut self,
        algorithm: ObjectIdentifier,
        ranges: &[(usize, usize); 2],
    ) -> Option<Vec<u8>> {
        let [(start, first_len), (second, second_len)] = *ranges;
        if start != 0 {
            return digest_ranges(algorithm, self.pdf, ranges);
        }
        let index = match self
            .running
            .iter()
            .position(|(oid, _, _)| *oid == algorithm)
        {
            Some(index) => index,
            None => {
                self.running.push((algorithm, Running::new(algorithm)?, 0));
                self.running.len() - 1
            }
        };
        let (_, state, position) = &mut self.running[index];
        if *position > first_len {
            // Asked out of order: start this algorithm's prefix again.
            *state = Running::new(algorithm)?;
            *position = 0;
        }
        state.update(&self.pdf[*position..first_len]);
        *position = first_len;
        let mut hasher = state.clone();
        hasher.update(&self.pdf[second..second + second_len]);
        Some(hasher.finish())
    }
}

pub(crate) fn hash_with(algorithm: ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    digest_ranges(algorithm, data, &[(0, data.len()), (data.len(), 0)])
}

/// The outcome of checking one SignerInfo.
pub(crate) struct SignerOutcome {
    pub cert: Option<Certificate>,
    pub digest_valid: bool,
    pub valid: bool,
    pub problems: Vec<Problem>,
}

/// Checks the first SignerInfo of `signed` over `content` (attached or
/// detached content bytes).
pub(crate) fn verify_signer(signed: &SignedData, content: &[u8]) -> Result<SignerOutcome> {
    let Some(info) = signed.signer_infos.0.iter().next() else {
        return Ok(SignerOutcome {
            cert: None,
            digest_valid: false,
            valid: false,
            problems: vec![Problem::new(
                ProblemCode::SignerMissing,
                "the CMS has no SignerInfo",
            )],
        });
    };
    let Some(digest) = hash_with(info.digest_alg.oid, content) else {
        return Ok(SignerOutcome {
            cert: None,
            digest_valid: false,
            valid: false,
            problems: vec![Problem::new(
                ProblemCode::AlgorithmUnsupported,
                format!("digest algorithm {} is not supported", info.digest_alg.oid),
            )],
        });
    };
    verify_signer_info(signed, info, &digest)
}

pub(crate) fn find_signer_cert(signed: &SignedData, sid: &SignerIdentifier) -> Option<Certificate> {
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

pub(crate) fn verify_signer_info(
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
            problems: vec![Problem::new(
                ProblemCode::SignerMissing,
                "the signing certificate is not in the CMS",
            )],
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
                problems.push(Problem::new(
                    ProblemCode::AttributeInvalid,
                    "the signed attributes have no content-type",
                ));
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
        problems.push(Problem::new(
            ProblemCode::DigestMismatch,
            "the document digest does not match the signed one",
        ));
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
            problems.push(Problem::new(ProblemCode::AlgorithmUnsupported, e.message()));
            false
        }
    };
    if !valid {
        problems.push(Problem::new(
            ProblemCode::SignatureValueInvalid,
            "the signature does not verify with the signer's key",
        ));
    }
    let ess_ok = info
        .signed_attrs
        .as_ref()
        .is_none_or(|attrs| ess_matches(attrs, &signer_cert));
    if !ess_ok {
        problems.push(Problem::new(
            ProblemCode::AttributeInvalid,
            "the signing-certificate-v2 attribute names another certificate than the signer's",
        ));
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
        .find(|a| a.oid == ID_AA_SIGNING_CERTIFICATE_V_2)
    else {
        return true;
    };
    let Some(value) = attr.values.iter().next() else {
        return false;
    };
    let Ok(ess) = value.decode_as::<SigningCertificateV2>() else {
        return false;
    };
    let Ok(der) = signer.to_der() else {
        return false;
    };
    ess.certs.first().is_some_and(|id| {
        let oid = id
            .hash_algorithm
            .as_ref()
            .map_or(rfc5912::ID_SHA_256, |a| a.oid);
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
