//! Verifying a raw signature value with a public key (RFC 8017 §8.2.2 for
//! RSA PKCS#1 v1.5, FIPS 186-5 §6.4.2 for ECDSA P-256): the one place every
//! signature paraph checks is verified, in CMS signer infos, time-stamp
//! tokens, certificate chains, and the values an external signer returns.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use sha2::{Sha256, Sha384, Sha512};
use x509_cert::Certificate;

use super::SignatureAlgorithm;
use crate::error::{Error, ErrorCode, Result};

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
pub(crate) fn verify_raw(
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
