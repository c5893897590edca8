//! RFC 3161 time-stamps for PAdES B-T (ETSI EN 319 142-1 §5.4): the core
//! builds the request and checks the token; fetching it from a TSA is the
//! caller's job (the CLI does it over HTTP).

use chrono::{DateTime, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use der::asn1::{GeneralizedTime, Int, OctetString, Uint};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use super::cms::{ID_SHA256, ID_SIGNED_DATA};
use crate::error::{Error, ErrorCode, Result};

/// id-ct-TSTInfo (RFC 3161 §2.4.2).
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }`
#[derive(Clone, Debug, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// `TimeStampReq` (RFC 3161 §2.4.1), without policy and extensions.
#[derive(Clone, Debug, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    nonce: Option<Uint>,
    #[asn1(default = "default_false")]
    cert_req: bool,
}

fn default_false() -> bool {
    false
}

/// `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
struct TimeStampResp {
    status: PkiStatusInfoLoose,
    #[asn1(optional = "true")]
    time_stamp_token: Option<ContentInfo>,
}

/// PKIStatusInfo read loosely: only the status number matters.
#[derive(Clone, Debug, Sequence)]
struct PkiStatusInfoLoose {
    status: u32,
    #[asn1(optional = "true")]
    rest: Option<der::asn1::Any>,
    #[asn1(optional = "true")]
    more: Option<der::asn1::Any>,
}

/// `TSTInfo` (RFC 3161 §2.4.2): the fields paraph checks.
#[derive(Clone, Debug)]
#[allow(dead_code)]
pub(crate) struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: GeneralizedTime,
}

/// A DER `TimeStampReq` for a SHA-256 `digest`, asking for the TSA's
/// certificate, with `nonce`.
pub fn request(digest: &[u8; 32], nonce: u64) -> Result<Vec<u8>> {
    let nonce = Uint::new(&nonce.to_be_bytes())
        .map_err(|e| Error::new(ErrorCode::Internal, format!("bad nonce: {e}")))?;
    TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: ID_SHA256,
                parameters: None,
            },
            hashed_message: OctetString::new(digest.to_vec())
                .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?,
        },
        nonce: Some(nonce),
        cert_req: true,
    }
    .to_der()
    .map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("cannot encode the request: {e}"),
        )
    })
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::TimestampInvalid, message)
}

/// Most bytes of a TSA response accepted.
pub const MAX_RESPONSE_LEN: usize = 64 * 1024;

/// The token of a DER `TimeStampResp`, which must be granted (status 0 or
/// 1) and hold a token over `digest`.
pub fn token_from_response(response: &[u8], digest: &[u8; 32]) -> Result<Vec<u8>> {
    if response.len() > MAX_RESPONSE_LEN {
        return Err(invalid(format!(
            "the TSA response has {} bytes; the limit is {MAX_RESPONSE_LEN}",
            response.len()
        )));
    }
    let resp = TimeStampResp::from_der(response)
        .map_err(|e| invalid(format!("the TSA response cannot be read: {e}")))?;
    if resp.status.status > 1 {
        return Err(invalid(format!(
            "the TSA refused the request (PKIStatus {})",
            resp.status.status
        )));
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| invalid("the TSA response holds no token"))?
        .to_der()
        .map_err(|e| invalid(e.to_string()))?;
    check_token(&token, digest)?;
    Ok(token)
}

/// Reads a token: its SignedData, and the TSTInfo inside.
pub(crate) fn parse_token(token: &[u8]) -> Result<(SignedData, Vec<u8>, TstInfo)> {
    let info = ContentInfo::from_der(token)
        .map_err(|e| invalid(format!("the time-stamp token cannot be read: {e}")))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(invalid("the time-stamp token is not a SignedData"));
    }
    let signed = info
        .content
        .decode_as::<SignedData>()
        .map_err(|e| invalid(format!("the time-stamp token cannot be read: {e}")))?;
    if signed.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(invalid("the time-stamp token does not hold a TSTInfo"));
    }
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| invalid("the time-stamp token has no content"))?
        .decode_as::<OctetString>()
        .map_err(|e| invalid(e.to_string()))?
        .as_bytes()
        .to_vec();
    let tst = decode_tst_info(&content)
        .map_err(|e| invalid(format!("the TSTInfo cannot be read: {e}")))?;
    Ok((signed, content, tst))
}

/// Reads a TSTInfo's leading fields, skipping the optional ones after
/// `genTime` (accuracy, ordering, nonce, tsa, extensions).
fn decode_tst_info(content: &[u8]) -> der::Result<TstInfo> {
    let mut reader = der::SliceReader::new(content)?;
    der::Reader::sequence(&mut reader, |r| -> der::Result<TstInfo> {
        let version = u8::decode(r)?;
        let policy = ObjectIdentifier::decode(r)?;
        let message_imprint = MessageImprint::decode(r)?;
        let serial_number = Int::decode(r)?;
        let gen_time = GeneralizedTime::decode(r)?;
        while !der::Reader::is_finished(r) {
            der::asn1::Any::decode(r)?;
        }
        Ok(TstInfo {
            version,
            policy,
            message_imprint,
            serial_number,
            gen_time,
        })
    })
}

/// Checks that a token stamps `digest` (SHA-256) and that the TSA's
/// signature over it verifies; returns the time it asserts.
pub fn check_token(token: &[u8], digest: &[u8; 32]) -> Result<DateTime<Utc>> {
    let (signed, content, tst) = parse_token(token)?;
    if tst.message_imprint.hash_algorithm.oid != ID_SHA256
        || tst.message_imprint.hashed_message.as_bytes() != digest
    {
        return Err(invalid(
            "the time-stamp token is over other data than this signature",
        ));
    }
    let verified = super::verify::verify_signer(&signed, &content)?;
    if !verified.valid {
        return Err(invalid("the TSA's signature on the token does not verify"));
    }
    Ok(gen_time(&tst))
}

/// The time a TSTInfo asserts.
pub(crate) fn gen_time(tst: &TstInfo) -> DateTime<Utc> {
    let secs = tst.gen_time.to_unix_duration().as_secs();
    DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0).unwrap_or_default()
}

/// The imprint a TSTInfo carries (algorithm OID, hash).
pub(crate) fn imprint(tst: &TstInfo) -> (ObjectIdentifier, &[u8]) {
    (
        tst.message_imprint.hash_algorithm.oid,
        tst.message_imprint.hashed_message.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_minimal_der_with_a_nonce_and_cert_req() {
        let der = request(&[7; 32], 0x1234).expect("request");
        let parsed = TimeStampReq::from_der(&der).expect("parses back");
        assert_eq!(parsed.version, 1);
        assert!(parsed.cert_req);
        assert_eq!(parsed.nonce.expect("nonce").as_bytes(), [0x12, 0x34]);
        assert_eq!(parsed.message_imprint.hashed_message.as_bytes(), [7; 32]);
        // A nonce with the high bit set gets exactly one leading zero.
        let der = request(&[7; 32], u64::MAX).expect("request");
        let parsed = TimeStampReq::from_der(&der).expect("parses back");
        assert_eq!(parsed.nonce.expect("nonce").as_bytes(), [0xFF; 8]);
    }

    #[test]
    fn refused_oversized_and_garbage_responses_are_typed_errors() {
        let digest = [1; 32];
        assert_eq!(
            token_from_response(&vec![0; MAX_RESPONSE_LEN + 1], &digest)
                .expect_err("big")
                .code(),
            ErrorCode::TimestampInvalid
        );
        assert_eq!(
            token_from_response(b"garbage", &digest)
                .expect_err("garbage")
                .code(),
            ErrorCode::TimestampInvalid
        );
        // SEQUENCE { SEQUENCE { INTEGER 2 } }: a rejection without a token.
        let rejected = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02];
        let err = token_from_response(&rejected, &digest).expect_err("rejected");
        assert!(err.message().contains("PKIStatus 2"), "{}", err.message());
    }
}
