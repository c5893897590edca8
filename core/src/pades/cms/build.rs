//! Building a CMS SignedData for PAdES (ETSI EN 319 142-1 §6.3, RFC 5652
//! §5): detached content, signed attributes content-type, message-digest
//! and ESS signing-certificate-v2 (RFC 5035), never signing-time (the
//! claimed time is the signature dictionary's `/M`).

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc3161::ID_AA_TIME_STAMP_TOKEN;
use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
};
use const_oid::db::rfc5912::ID_SHA_256;
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::error::{Error, ErrorCode, Result};
use crate::pades::cert::Certificate;
use crate::pades::keys::SignatureAlgorithm;

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT
/// {algorithm id-sha256}, certHash OCTET STRING, issuerSerial IssuerSerial
/// OPTIONAL }` (RFC 5035 §4). With SHA-256 the algorithm is omitted.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2,
/// policies SEQUENCE OF PolicyInformation OPTIONAL }`
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

fn encoding_bug(e: der::Error) -> Error {
    Error::new(ErrorCode::Internal, format!("DER encoding failed: {e}"))
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(encoding_bug)?;
    Ok(Attribute { oid, values })
}

/// The signed attributes for a document digest and a signing certificate.
pub(crate) fn signed_attributes(
    document_digest: &[u8; 32],
    signing_cert: &Certificate,
) -> Result<SetOfVec<Attribute>> {
    let content_type = attribute(
        ID_CONTENT_TYPE,
        Any::encode_from(&ID_DATA).map_err(encoding_bug)?,
    )?;
    let digest = OctetString::new(document_digest.to_vec()).map_err(encoding_bug)?;
    let message_digest = attribute(
        ID_MESSAGE_DIGEST,
        Any::encode_from(&digest).map_err(encoding_bug)?,
    )?;
    let tbs = signing_cert.x509().tbs_certificate();
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(crate::digest::sha256(signing_cert.der()).to_vec())
                .map_err(encoding_bug)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
    };
    let signing_certificate = attribute(
        ID_AA_SIGNING_CERTIFICATE_V_2,
        Any::encode_from(&ess).map_err(encoding_bug)?,
    )?;
    let mut attrs = SetOfVec::new();
    for attr in [content_type, message_digest, signing_certificate] {
        attrs.insert(attr).map_err(encoding_bug)?;
    }
    Ok(attrs)
}

/// The bytes a signer signs: the DER of the signed attributes as a SET OF
/// (RFC 5652 §5.4: EXPLICIT SET tag, not the IMPLICIT [0] of SignerInfo).
pub(crate) fn to_be_signed(attrs: &SetOfVec<Attribute>) -> Result<Vec<u8>> {
    attrs.to_der().map_err(encoding_bug)
}

fn sha256_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA_256,
        parameters: None,
    }
}

/// Assembles the DER ContentInfo of a detached SignedData.
pub(crate) fn signed_data(
    chain: &[Certificate],
    algorithm: SignatureAlgorithm,
    signed_attrs: SetOfVec<Attribute>,
    signature: &[u8],
    timestamp_token: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let signing_cert = chain
        .first()
        .ok_or_else(|| Error::new(ErrorCode::CertInvalid, "the signer has no certificate"))?;
    let tbs = signing_cert.x509().tbs_certificate();
    let unsigned_attrs = match timestamp_token {
        Some(token) => {
            let value = Any::from_der(token).map_err(|e| {
                Error::new(
                    ErrorCode::TimestampInvalid,
                    format!("the time-stamp token is not DER: {e}"),
                )
            })?;
            let mut attrs = SetOfVec::new();
            attrs
                .insert(attribute(ID_AA_TIME_STAMP_TOKEN, value)?)
                .map_err(encoding_bug)?;
            Some(attrs)
        }
        None => None,
    };
    let signature_algorithm = AlgorithmIdentifierOwned {
        oid: algorithm.oid(),
        parameters: match algorithm {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => Some(Any::null()),
            SignatureAlgorithm::EcdsaP256Sha256 => None,
        },
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256_algorithm(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature.to_vec()).map_err(encoding_bug)?,
        unsigned_attrs,
    };
    let mut certificates = SetOfVec::new();
    for c in chain {
        let choice = cms::cert::CertificateChoices::Certificate(c.x509().clone());
        if !certificates.iter().any(|existing| existing == &choice) {
            certificates.insert(choice).map_err(encoding_bug)?;
        }
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms
        .insert(sha256_algorithm())
        .map_err(encoding_bug)?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer_info).map_err(encoding_bug)?;
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(encoding_bug)?,
    }
    .to_der()
    .map_err(encoding_bug)
}

/// Reads a CMS SignedData (from a signature's `/Contents`, trailing zero
/// padding allowed).
pub(crate) fn parse_signed_data(der: &[u8]) -> Result<SignedData> {
    let malformed = |e: der::Error| {
        Error::new(
            ErrorCode::SignatureMalformed,
            format!("the CMS signature cannot be read: {e}"),
        )
    };
    let mut reader = der::SliceReader::new(der).map_err(malformed)?;
    let info: ContentInfo = der::Decode::decode(&mut reader).map_err(malformed)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(Error::new(
            ErrorCode::SignatureMalformed,
            format!(
                "the CMS content type is {}, not signedData",
                info.content_type
            ),
        ));
    }
    info.content.decode_as::<SignedData>().map_err(malformed)
}
