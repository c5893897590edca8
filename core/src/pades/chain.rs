//! Certificate paths (RFC 5280 §6, simplified): from the signer's
//! certificate through the certificates the signature carries to one of the
//! caller's trust anchors, each issued by the next and valid at the
//! validation time.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use cms::signed_data::SignedData;
use const_oid::db::rfc5912;
use der::Encode;
use x509_cert::Certificate as X509;

use super::cert::{self, Certificate};
use super::keys::verify_raw;
use super::ltv::RevocationSources;
use super::verify::{ChainStatus, Problem, ProblemCode, RevocationReport, RevocationStatus};

/// When a chain is judged: certificates must be valid at `validity`, and
/// revocation is judged at `revocation` (a signature's proven time for
/// both; for the last document time-stamp, the caller's time and the time
/// the token asserts).
#[derive(Clone, Copy, Debug)]
pub(crate) struct JudgedAt {
    pub validity: DateTime<Utc>,
    pub revocation: DateTime<Utc>,
}

impl JudgedAt {
    pub(crate) fn both(at: DateTime<Utc>) -> Self {
        Self {
            validity: at,
            revocation: at,
        }
    }
}

/// Builds a chain from `signer` to one of `anchors` through the CMS's
/// certificates and the DSS's, and judges it `at`; `reports` gets what the
/// validation data says of each certificate but the anchor. Without
/// anchors nothing is trusted (and nothing reported).
pub(crate) fn chain_status(
    signed: &SignedData,
    signer: Option<&X509>,
    anchors: &[Certificate],
    revocation: &RevocationSources,
    at: JudgedAt,
    problems: &mut Vec<Problem>,
    reports: &mut Vec<RevocationReport>,
) -> ChainStatus {
    let Some(signer) = signer else {
        return ChainStatus::Untrusted;
    };
    let mut pool: Vec<&X509> = signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    pool.extend(anchors.iter().map(Certificate::x509));
    pool.extend(revocation.certs.iter());
    let is_anchor = |c: &X509| {
        anchors.iter().map(Certificate::x509).any(|a| {
            a.tbs_certificate().subject() == c.tbs_certificate().subject()
                && a.tbs_certificate().subject_public_key_info()
                    == c.tbs_certificate().subject_public_key_info()
        })
    };
    let mut chain: Vec<&X509> = vec![signer];
    let mut seen = HashSet::new();
    let mut current = signer;
    loop {
        if is_anchor(current) {
            break;
        }
        if current.tbs_certificate().issuer() == current.tbs_certificate().subject() {
            problems.push(Problem::new(
                ProblemCode::ChainUntrusted,
                format!(
                    "the chain ends at {}, which is not a trust anchor",
                    cert::subject(current)
                ),
            ));
            return ChainStatus::Untrusted;
        }
        if !seen.insert(cert::fingerprint(current)) || chain.len() > 16 {
            problems.push(Problem::new(
                ProblemCode::ChainUntrusted,
                "the certificate chain loops",
            ));
            return ChainStatus::Untrusted;
        }
        let issuer = pool.iter().copied().find(|candidate| {
            candidate.tbs_certificate().subject() == current.tbs_certificate().issuer()
                && issued_by(current, candidate)
        });
        match issuer {
            Some(issuer) => {
                chain.push(issuer);
                current = issuer;
            }
            None => {
                problems.push(Problem::new(
                    ProblemCode::ChainUntrusted,
                    format!(
                        "no chain from {} leads to a trust anchor",
                        cert::subject(signer)
                    ),
                ));
                return ChainStatus::Untrusted;
            }
        }
    }
    for c in &chain {
        if let Err(e) = cert::check_validity(c, at.validity) {
            problems.push(Problem::new(
                ProblemCode::CertificateNotValidAtTime,
                e.message(),
            ));
            return ChainStatus::Expired;
        }
    }
    // Each certificate but the anchor, against the validation data the
    // document carries (RFC 5280 §6.3, from CRLs or OCSP responses signed
    // for its issuer).
    let mut status = ChainStatus::Trusted;
    let mut unchecked = Vec::new();
    for pair in chain.windows(2) {
        let (cert, issuer) = (pair[0], pair[1]);
        let finding = revocation.status(cert, issuer, at.revocation);
        let expected = expects_revocation(cert);
        let subject = cert::subject(cert);
        reports.push(RevocationReport {
            subject: subject.clone(),
            status: match finding {
                Some(f) => f.status,
                None if expected => RevocationStatus::Missing,
                None => RevocationStatus::NotRequired,
            },
            source: finding.map(|f| f.source),
            issued_at: finding.map(|f| f.issued_at),
            revoked_at: finding.and_then(|f| f.revoked_at),
            checked_at: at.revocation,
        });
        match finding.map(|f| (f.status, f)) {
            Some((RevocationStatus::Revoked, f)) => {
                let when = f.revoked_at.unwrap_or(at.revocation);
                problems.push(Problem::new(
                    ProblemCode::CertificateRevoked,
                    format!(
                        "{subject} was revoked on {}, before the validation time {}",
                        when.to_rfc3339(),
                        at.revocation.to_rfc3339()
                    ),
                ));
                status = ChainStatus::Untrusted;
            }
            Some((RevocationStatus::Good, _)) => {}
            Some((RevocationStatus::Stale, f)) => {
                let (_, not_after) = cert::validity(cert);
                let why = if f.issued_at > not_after {
                    format!(
                        "was issued after the certificate expired ({}): it says nothing of it",
                        not_after.to_rfc3339()
                    )
                } else {
                    format!(
                        "had expired by the validation time {}",
                        at.revocation.to_rfc3339()
                    )
                };
                problems.push(Problem::new(
                    ProblemCode::RevocationStale,
                    format!(
                        "the {} about {subject} (issued {}) {why}",
                        f.source.label(),
                        f.issued_at.to_rfc3339()
                    ),
                ));
                unchecked.push(subject);
            }
            Some((_, f)) => {
                problems.push(Problem::new(
                    ProblemCode::RevocationResponderUntrusted,
                    format!(
                        "the {} about {subject} is signed by neither its issuer nor a responder the issuer delegated to",
                        f.source.label()
                    ),
                ));
                unchecked.push(subject);
            }
            None if expected => unchecked.push(subject),
            None => {}
        }
    }
    if status != ChainStatus::Trusted {
        return status;
    }
    if !unchecked.is_empty() {
        problems.push(Problem::new(
            ProblemCode::RevocationUnchecked,
            format!(
                "revocation was not checked: the document carries no usable revocation data for {}",
                unchecked.join("; ")
            ),
        ));
        return ChainStatus::RevokedUnknown;
    }
    ChainStatus::Trusted
}

/// Whether a certificate names revocation services (CRL distribution
/// points, Authority Information Access), so a verifier expects to check it.
fn expects_revocation(c: &X509) -> bool {
    c.tbs_certificate().extensions().is_some_and(|exts| {
        exts.iter().any(|e| {
            e.extn_id == rfc5912::ID_CE_CRL_DISTRIBUTION_POINTS
                || e.extn_id == rfc5912::ID_PE_AUTHORITY_INFO_ACCESS
        })
    })
}

/// Whether `issuer`'s key verifies `cert`'s signature.
pub(crate) fn issued_by(cert: &X509, issuer: &X509) -> bool {
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
