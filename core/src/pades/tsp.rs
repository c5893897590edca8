//! RFC 3161 time-stamps for PAdES B-T (ETSI EN 319 142-1 §5.3): the core
//! builds the request (imprint and nonce) and checks the response; the
//! caller's [`TimestampAuthority`] only carries the bytes to the TSA and
//! back (HTTP, RFC 3161 §3.4), since the core does no I/O.

use chrono::{DateTime, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use der::asn1::{GeneralizedTime, Int, OctetString, Uint};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use const_oid::db::rfc3161::ID_CT_TST_INFO;
use const_oid::db::rfc5911::ID_SIGNED_DATA;
use const_oid::db::rfc5912::ID_SHA_256 as ID_SHA256;

use super::cms::verify_signer;
use crate::error::{Error, ErrorCode, Result};

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
    nonce: Option<Int>,
}

/// A time-stamping authority (RFC 3161), reached by the caller: the core
/// hands it a DER `TimeStampReq` and takes back the DER `TimeStampResp`.
/// Over HTTP that is a POST with `Content-Type:
/// application/timestamp-query` whose body is `request` and whose response
/// body is returned (RFC 3161 §3.4). Return `TIMESTAMP_INVALID` (or another
/// code) when the TSA cannot be reached.
///
/// The core builds the request (a SHA-256 imprint of the signature value
/// and a nonce) and checks the response (granted, over that imprint, with
/// that nonce, signed by the TSA), so an implementation never parses ASN.1.
pub trait TimestampAuthority: Send + Sync {
    /// Sends `request` to the TSA and returns its response, unchanged.
    fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>>;
}

/// The nonce of the request for `digest` (RFC 3161 §2.4.1): derived from
/// the digest, since the core has no randomness of its own. A nonce only
/// has to bind the response to this request; the digest is already unique
/// to this signature (it covers the signature value, itself over the
/// document and its signing time), and the high bit is cleared so that
/// the INTEGER stays positive in 8 bytes.
fn nonce_for(digest: &[u8; 32]) -> u64 {
    let mut tagged = b"paraph RFC 3161 nonce ".to_vec();
    tagged.extend_from_slice(digest);
    let hash = crate::digest::sha256(&tagged);
    let mut first = [0; 8];
    first.copy_from_slice(&hash[..8]);
    u64::from_be_bytes(first) >> 1
}

/// A signature time-stamp token (B-T) over `signature_value`, obtained
/// through `tsa`: the request is built here and the response checked.
pub(crate) fn timestamp_signature(
    tsa: &dyn TimestampAuthority,
    signature_value: &[u8],
) -> Result<Vec<u8>> {
    timestamp_digest(tsa, &crate::digest::sha256(signature_value))
}

/// A time-stamp token over a SHA-256 `digest` (of a signature value for
/// B-T, of a document's byte range for a document time-stamp), obtained
/// through `tsa`: the request is built here and the response checked.
pub(crate) fn timestamp_digest(tsa: &dyn TimestampAuthority, digest: &[u8; 32]) -> Result<Vec<u8>> {
    let digest = *digest;
    let nonce = nonce_for(&digest);
    let response = tsa.timestamp(&request(&digest, nonce)?)?;
    let token = token_from_response(&response, &digest)?;
    let (_, _, tst) = parse_token(&token)?;
    let echoed = tst.nonce.as_ref().map(Int::as_bytes);
    let expected = Uint::new(&nonce.to_be_bytes()).map_err(|e| invalid(e.to_string()))?;
    if echoed != Some(expected.as_bytes()) {
        return Err(invalid(
            "the TSA's token does not carry the nonce of the request (a replayed or mismatched response)",
        ));
    }
    Ok(token)
}

/// A DER `TimeStampReq` for a SHA-256 `digest`, asking for the TSA's
/// certificate, with `nonce`.
pub(crate) fn request(digest: &[u8; 32], nonce: u64) -> Result<Vec<u8>> {
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

/// Most bytes of a TSA response accepted; an implementation of
/// [`TimestampAuthority`] may stop reading past it.
pub const MAX_RESPONSE_LEN: usize = 64 * 1024;

/// The token of a DER `TimeStampResp`, which must be granted (status 0 or
/// 1) and hold a token over `digest`.
pub(crate) fn token_from_response(response: &[u8], digest: &[u8; 32]) -> Result<Vec<u8>> {
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

/// Reads a token: its SignedData, and the TSTInfo inside. Bytes after the
/// token are not read (a document time-stamp's `/Contents` is padded with
/// zeros; `verify` judges what follows the DER).
pub(crate) fn parse_token(token: &[u8]) -> Result<(SignedData, Vec<u8>, TstInfo)> {
    let unreadable = |e: der::Error| invalid(format!("the time-stamp token cannot be read: {e}"));
    let mut reader = der::SliceReader::new(token).map_err(unreadable)?;
    let info = ContentInfo::decode(&mut reader).map_err(unreadable)?;
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

/// Reads a TSTInfo's leading fields and its nonce, skipping the other
/// optional fields after `genTime` (accuracy SEQUENCE, ordering BOOLEAN,
/// tsa [0], extensions [1]): the only INTEGER among them is the nonce.
fn decode_tst_info(content: &[u8]) -> der::Result<TstInfo> {
    let mut reader = der::SliceReader::new(content)?;
    der::Reader::sequence(&mut reader, |r| -> der::Result<TstInfo> {
        let version = u8::decode(r)?;
        let policy = ObjectIdentifier::decode(r)?;
        let message_imprint = MessageImprint::decode(r)?;
        let serial_number = Int::decode(r)?;
        let gen_time = GeneralizedTime::decode(r)?;
        let mut nonce = None;
        while !der::Reader::is_finished(r) {
            let any = der::asn1::Any::decode(r)?;
            if der::Tagged::tag(&any) == der::Tag::Integer && nonce.is_none() {
                nonce = Some(any.decode_as::<Int>()?);
            }
        }
        Ok(TstInfo {
            version,
            policy,
            message_imprint,
            serial_number,
            gen_time,
            nonce,
        })
    })
}

/// Checks that a token stamps `digest` (SHA-256) and that the TSA's
/// signature over it verifies; returns the time it asserts.
pub(crate) fn check_token(token: &[u8], digest: &[u8; 32]) -> Result<DateTime<Utc>> {
    let (signed, content, tst) = parse_token(token)?;
    if tst.message_imprint.hash_algorithm.oid != ID_SHA256
        || tst.message_imprint.hashed_message.as_bytes() != digest
    {
        return Err(invalid(
            "the time-stamp token is over other data than this signature",
        ));
    }
    let verified = verify_signer(&signed, &content)?;
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
    fn nonces_are_derived_from_the_digest_and_positive() {
        assert_eq!(nonce_for(&[7; 32]), nonce_for(&[7; 32]));
        assert_ne!(nonce_for(&[7; 32]), nonce_for(&[8; 32]));
        assert_eq!(nonce_for(&[7; 32]) >> 63, 0);
    }

    struct Garbage;
    impl TimestampAuthority for Garbage {
        fn timestamp(&self, _request: &[u8]) -> Result<Vec<u8>> {
            Ok(b"not a response".to_vec())
        }
    }

    struct Down;
    impl TimestampAuthority for Down {
        fn timestamp(&self, _request: &[u8]) -> Result<Vec<u8>> {
            Err(Error::new(
                ErrorCode::TimestampInvalid,
                "connection refused",
            ))
        }
    }

    #[test]
    fn a_tsa_that_fails_or_answers_garbage_is_a_typed_error() {
        let garbage = timestamp_signature(&Garbage, b"value").expect_err("garbage");
        assert_eq!(garbage.code(), ErrorCode::TimestampInvalid);
        let down = timestamp_signature(&Down, b"value").expect_err("down");
        assert_eq!(down.message(), "connection refused");
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
