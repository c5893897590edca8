//! Reading OCSP responses (RFC 6960 §4.2.1), as a Document Security Store
//! holds them.
//!
//! Written here rather than taken from `x509-ocsp`: its releases are built
//! on `der` 0.7 and `x509-cert` 0.2, and the core is on `der` 0.8 and
//! `x509-cert` 0.3, whose types the two cannot share. The structures are
//! the RFC's, with the CHOICE fields kept as `Any` and read by their tags.

use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, GeneralizedTime, OctetString};
use der::{Decode, Enumerated, Sequence, Tag, TagNumber, Tagged};
use spki::AlgorithmIdentifierOwned;
use x509_cert::serial_number::SerialNumber;

use crate::error::{Error, ErrorCode, Result};

/// `id-pkix-ocsp-basic` (RFC 6960 §4.2.1).
pub(crate) const ID_PKIX_OCSP_BASIC: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");

/// `OCSPResponseStatus` (RFC 6960 §4.2.1).
#[derive(Clone, Copy, Debug, Enumerated, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum ResponseStatus {
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

/// `OCSPResponse ::= SEQUENCE { responseStatus, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct OcspResponse {
    pub response_status: ResponseStatus,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub response_bytes: Option<ResponseBytes>,
}

/// `ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ResponseBytes {
    pub response_type: ObjectIdentifier,
    pub response: OctetString,
}

/// `BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm,
/// signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct BasicOcspResponse {
    pub tbs_response_data: ResponseData,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<x509_cert::Certificate>>,
}

/// `ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1,
/// responderID, producedAt, responses SEQUENCE OF SingleResponse,
/// responseExtensions [1] EXPLICIT OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ResponseData {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub version: Option<u8>,
    /// `ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }`
    pub responder_id: Any,
    pub produced_at: GeneralizedTime,
    pub responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub response_extensions: Option<Any>,
}

/// `SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate,
/// nextUpdate [0] EXPLICIT OPTIONAL, singleExtensions [1] EXPLICIT OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SingleResponse {
    pub cert_id: CertId,
    /// `CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1]
    /// IMPLICIT RevokedInfo, unknown [2] IMPLICIT UnknownInfo }`
    pub cert_status: Any,
    pub this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub single_extensions: Option<Any>,
}

/// `CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash OCTET STRING,
/// issuerKeyHash OCTET STRING, serialNumber }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct CertId {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub issuer_name_hash: OctetString,
    pub issuer_key_hash: OctetString,
    pub serial_number: SerialNumber,
}

/// What a single response says of its certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CertStatus {
    Good,
    Revoked,
    Unknown,
}

impl SingleResponse {
    pub(crate) fn status(&self) -> CertStatus {
        match self.cert_status.tag() {
            Tag::ContextSpecific {
                number: TagNumber(0),
                ..
            } => CertStatus::Good,
            Tag::ContextSpecific {
                number: TagNumber(1),
                ..
            } => CertStatus::Revoked,
            _ => CertStatus::Unknown,
        }
    }
}

/// `OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature
/// [0] EXPLICIT Signature OPTIONAL }` (unsigned here).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct OcspRequest {
    pub tbs_request: TbsRequest,
}

/// `TBSRequest ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1,
/// requestorName [1] EXPLICIT OPTIONAL, requestList SEQUENCE OF Request,
/// requestExtensions [2] EXPLICIT OPTIONAL }` (version and name left out).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct TbsRequest {
    pub request_list: Vec<Request>,
}

/// `Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0]
/// EXPLICIT OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct Request {
    pub req_cert: CertId,
}

impl SingleResponse {
    /// `RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
    /// revocationReason [0] EXPLICIT CRLReason OPTIONAL }`: the time, for
    /// a revoked status.
    pub(crate) fn revocation_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        if self.status() != CertStatus::Revoked {
            return None;
        }
        // The IMPLICIT [1] SEQUENCE's contents start with the time.
        let time = GeneralizedTime::from_der(self.cert_status.value()).ok()?;
        let seconds = time.to_unix_duration().as_secs();
        chrono::DateTime::from_timestamp(i64::try_from(seconds).ok()?, 0)
    }
}

fn invalid(why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::RevocationDataInvalid,
        format!("the OCSP response cannot be read: {why}"),
    )
}

/// Reads a DER `OCSPResponse` that must be successful and basic.
pub(crate) fn parse_response(der: &[u8]) -> Result<BasicOcspResponse> {
    let response = OcspResponse::from_der(der).map_err(invalid)?;
    if response.response_status != ResponseStatus::Successful {
        return Err(invalid(format!(
            "its status is {:?}, not successful",
            response.response_status
        )));
    }
    let bytes = response
        .response_bytes
        .ok_or_else(|| invalid("a successful response without response bytes"))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(invalid(format!(
            "its type is {}, not id-pkix-ocsp-basic",
            bytes.response_type
        )));
    }
    BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../fixtures/certs/rsa/revocation/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn openssl_responses_read_with_their_status() {
        let good = parse_response(&fixture("signer.ocsp")).expect("reads");
        assert_eq!(good.tbs_response_data.responses.len(), 1);
        assert_eq!(
            good.tbs_response_data.responses[0].status(),
            CertStatus::Good
        );
        let revoked = parse_response(&fixture("expired.ocsp")).expect("reads");
        assert_eq!(
            revoked.tbs_response_data.responses[0].status(),
            CertStatus::Revoked
        );
        let err = parse_response(&fixture("intermediate.crl")).expect_err("a CRL");
        assert_eq!(err.code(), ErrorCode::RevocationDataInvalid);
        // An unsuccessful response: tryLater, no bytes.
        let err = parse_response(&[0x30, 0x03, 0x0a, 0x01, 0x03]).expect_err("tryLater");
        assert!(err.message().contains("TryLater"), "{err}");
    }
}
