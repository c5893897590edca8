//! X.509 certificates (RFC 5280) as the API hands them around: their DER,
//! with what callers read from them (names, validity, fingerprint).

use std::fmt;

use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use x509_cert::Certificate as X509;

use crate::error::{Error, ErrorCode, Result};

/// An X.509 certificate: its DER bytes, read once. Every surface passes
/// certificates as DER (JSON: base64); the parsed form stays inside.
///
/// ```
/// let pem = std::fs::read("../fixtures/certs/rsa/root.pem")?;
/// let root = &paraph::pades::parse_certificates(&pem)?[0];
/// assert_eq!(root, &paraph::pades::Certificate::from_der(root.der())?);
/// assert_eq!(root.fingerprint_sha256().len(), 64);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    parsed: X509,
}

impl Certificate {
    /// Reads one DER certificate (`CERT_INVALID` when it is not one).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let parsed = X509::from_der(der).map_err(|e| {
            Error::new(
                ErrorCode::CertInvalid,
                format!("the certificate cannot be read: {e}"),
            )
        })?;
        Self::from_x509(parsed)
    }

    pub(crate) fn from_x509(parsed: X509) -> Result<Self> {
        let der = parsed.to_der().map_err(|e| {
            Error::new(
                ErrorCode::CertInvalid,
                format!("the certificate cannot be encoded: {e}"),
            )
        })?;
        Ok(Self { der, parsed })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub(crate) fn x509(&self) -> &X509 {
        &self.parsed
    }

    /// Lower-case hex SHA-256 of the DER: the fingerprint viewers show.
    pub fn fingerprint_sha256(&self) -> String {
        crate::digest::sha256_hex(&self.der)
    }

    /// The subject as an RFC 4514 string (`CN=Alice,O=Example,C=FR` for a
    /// name encoded country first).
    pub fn subject(&self) -> String {
        self.parsed.tbs_certificate().subject().to_string()
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.parsed.tbs_certificate().issuer().to_string()
    }

    /// The serial number, lower-case hex.
    pub fn serial_hex(&self) -> String {
        hex::encode(self.parsed.tbs_certificate().serial_number().as_bytes())
    }

    /// The subject's common name, when it has one.
    pub fn common_name(&self) -> Option<String> {
        common_name(&self.parsed)
    }

    /// The validity period: not before, not after.
    pub fn validity(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        validity(&self.parsed)
    }

    /// Checks that `at` lies in the validity period (`CERT_NOT_YET_VALID`,
    /// `CERT_EXPIRED`).
    pub fn check_validity(&self, at: DateTime<Utc>) -> Result<()> {
        check_validity(&self.parsed, at)
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("serial", &self.serial_hex())
            .finish_non_exhaustive()
    }
}

impl Serialize for Certificate {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use base64::Engine as _;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.der))
    }
}

impl<'de> Deserialize<'de> for Certificate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use base64::Engine as _;
        let text = String::deserialize(d)?;
        let der = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)?;
        Self::from_der(&der).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// Reads every certificate of a PEM text (in order), or one DER certificate.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Certificate>> {
    let invalid = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorCode::CertInvalid,
            format!("the certificate cannot be read: {e}"),
        )
    };
    if bytes.starts_with(b"-----") || bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        let certs = X509::load_pem_chain(bytes).map_err(|e| invalid(&e))?;
        if certs.is_empty() {
            return Err(Error::new(
                ErrorCode::CertInvalid,
                "the PEM text holds no certificate",
            ));
        }
        certs.into_iter().map(Certificate::from_x509).collect()
    } else {
        Ok(vec![Certificate::from_der(bytes)?])
    }
}

/// Lower-case hex SHA-256 of a certificate's DER.
pub(crate) fn fingerprint(cert: &X509) -> String {
    cert.to_der()
        .map(|der| crate::digest::sha256_hex(&der))
        .unwrap_or_default()
}

/// The subject of a certificate as an RFC 4514 string.
pub(crate) fn subject(cert: &X509) -> String {
    cert.tbs_certificate().subject().to_string()
}

/// The subject's common name, when it has one.
pub(crate) fn common_name(cert: &X509) -> Option<String> {
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

/// An X.509 time as chrono's (a time past chrono's range saturates).
pub(crate) fn to_chrono(t: &x509_cert::time::Time) -> DateTime<Utc> {
    unix_to_chrono(t.to_unix_duration())
}

/// A DER time since the Unix epoch (`to_unix_duration` of `Time` or
/// `GeneralizedTime`) as chrono's, whole seconds; past chrono's range it
/// saturates.
pub(crate) fn unix_to_chrono(since_epoch: std::time::Duration) -> DateTime<Utc> {
    let secs = since_epoch.as_secs();
    DateTime::from_timestamp(i64::try_from(secs).unwrap_or(i64::MAX), 0)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A certificate's validity period.
pub(crate) fn validity(cert: &X509) -> (DateTime<Utc>, DateTime<Utc>) {
    let validity = cert.tbs_certificate().validity();
    (
        to_chrono(&validity.not_before),
        to_chrono(&validity.not_after),
    )
}

/// Checks that `at` lies in the certificate's validity period.
pub(crate) fn check_validity(cert: &X509, at: DateTime<Utc>) -> Result<()> {
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
pub(crate) fn public_key_bits(cert: &X509) -> usize {
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
