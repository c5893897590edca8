//! X.509 certificates: reading PEM and DER, validity, names, fingerprints.

use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::error::{Error, ErrorCode, Result};

/// Reads every certificate of a PEM text (in order), or one DER certificate.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Certificate>> {
    let invalid = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorCode::CertInvalid,
            format!("the certificate cannot be read: {e}"),
        )
    };
    if bytes.starts_with(b"-----") || bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let certs = Certificate::load_pem_chain(bytes).map_err(|e| invalid(&e))?;
        if certs.is_empty() {
            return Err(Error::new(
                ErrorCode::CertInvalid,
                "the PEM text holds no certificate",
            ));
        }
        Ok(certs)
    } else {
        Ok(vec![Certificate::from_der(bytes).map_err(|e| invalid(&e))?])
    }
}

/// The certificate's DER encoding.
pub(crate) fn to_der(cert: &Certificate) -> Result<Vec<u8>> {
    cert.to_der().map_err(|e| {
        Error::new(
            ErrorCode::CertInvalid,
            format!("the certificate cannot be encoded: {e}"),
        )
    })
}

/// Lower-case hex SHA-256 of the certificate's DER.
pub fn fingerprint(cert: &Certificate) -> Result<String> {
    Ok(crate::digest::sha256_hex(&to_der(cert)?))
}

/// The subject as an RFC 4514 string (`CN=Alice,O=Example,C=FR` for a
/// name encoded country first).
pub fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate().subject().to_string()
}

/// The issuer as an RFC 4514 string.
pub fn issuer(cert: &Certificate) -> String {
    cert.tbs_certificate().issuer().to_string()
}

/// The subject's common name, when it has one.
pub fn common_name(cert: &Certificate) -> Option<String> {
    cert.tbs_certificate()
        .subject()
        .iter_rdn()
        .flat_map(|rdn| rdn.iter())
        .find(|atv| atv.oid == const_oid::db::rfc4519::CN)
        .and_then(|atv| {
            der::asn1::Utf8StringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_owned())
                .ok()
                .or_else(|| {
                    der::asn1::PrintableStringRef::try_from(&atv.value)
                        .map(|s| s.as_str().to_owned())
                        .ok()
                })
        })
}

/// The certificate's validity period.
pub fn validity(cert: &Certificate) -> (DateTime<Utc>, DateTime<Utc>) {
    let validity = cert.tbs_certificate().validity();
    let to_chrono = |t: &x509_cert::time::Time| {
        let secs = t.to_unix_duration().as_secs();
        DateTime::from_timestamp(i64::try_from(secs).unwrap_or(i64::MAX), 0)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    (
        to_chrono(&validity.not_before),
        to_chrono(&validity.not_after),
    )
}

/// Checks that `at` lies in the certificate's validity period.
pub fn check_validity(cert: &Certificate, at: DateTime<Utc>) -> Result<()> {
    let (not_before, not_after) = validity(cert);
    if at < not_before {
        return Err(Error::new(
            ErrorCode::CertNotYetValid,
            format!(
                "certificate {} is valid from {}, after the signing time {}",
                subject(cert),
                not_before.to_rfc3339(),
                at.to_rfc3339()
            ),
        ));
    }
    if at > not_after {
        return Err(Error::new(
            ErrorCode::CertExpired,
            format!(
                "certificate {} expired at {}, before the signing time {}",
                subject(cert),
                not_after.to_rfc3339(),
                at.to_rfc3339()
            ),
        ));
    }
    Ok(())
}

/// The size of the certificate's public key in bits (RSA modulus; 256 for
/// P-256); 4096 when it cannot be read, to err on the large side.
pub(crate) fn public_key_bits(cert: &Certificate) -> usize {
    use rsa::pkcs1::DecodeRsaPublicKey;
    let spki = cert.tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid == const_oid::db::rfc5912::RSA_ENCRYPTION {
        spki.subject_public_key
            .as_bytes()
            .and_then(|bytes| rsa::RsaPublicKey::from_pkcs1_der(bytes).ok())
            .map_or(4096, |key| {
                rsa::traits::PublicKeyParts::n(&key).bits() as usize
            })
    } else {
        256
    }
}
