//! Reading PKCS#12 files (RFC 7292): the private key and certificates,
//! with the password checked by the MAC. Modern files (PBES2: PBKDF2 with
//! AES, OpenSSL 3's default) and legacy ones (SHA-1 PBEs with 3DES or RC2)
//! are both read.

use super::cert::Certificate;
use cbc::cipher::{BlockModeDecrypt, InnerIvInit, KeyIvInit, block_padding::Pkcs7};
use cms::content_info::ContentInfo;
use const_oid::ObjectIdentifier;
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use hmac::{KeyInit, Mac};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use subtle::ConstantTimeEq;
use x509_cert::attr::Attribute;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

use const_oid::db::rfc5911::{ID_DATA, ID_ENCRYPTED_DATA};
use const_oid::db::rfc5912::{ID_SHA_1 as SHA1, ID_SHA_256 as SHA256};
use const_oid::db::rfc7292::{
    PBE_WITH_SHA_AND_3_KEY_TRIPLE_DES_CBC as PBE_SHA1_3DES,
    PBE_WITH_SHA_AND_128_BIT_RC_2_CBC as PBE_SHA1_RC2_128,
    PBEWITH_SHA_AND_40_BIT_RC_2_CBC as PBE_SHA1_RC2_40,
};
use pkcs5::pbes2::PBES2_OID as PBES2;

// The bag types and the certificate type of RFC 7292 §4.2 and §4.2.3 are
// not in `const_oid::db` (its rfc7292 module stops at `bagtypes`).
/// keyBag (RFC 7292 §4.2.1).
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
/// pkcs8ShroudedKeyBag (RFC 7292 §4.2.2).
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
/// certBag (RFC 7292 §4.2.3).
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
/// x509Certificate, a certBag's certId (RFC 7292 §4.2.3, PKCS #9).
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");

/// Most PBKDF/PKCS#12-KDF iterations accepted (a hostile file could ask
/// for billions).
const MAX_ITERATIONS: u64 = 10_000_000;

/// `PFX ::= SEQUENCE { version, authSafe ContentInfo, macData MacData OPTIONAL }`
#[derive(Sequence)]
struct Pfx {
    version: u8,
    auth_safe: ContentInfo,
    #[asn1(optional = "true")]
    mac_data: Option<MacData>,
}

/// `MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }`
#[derive(Sequence)]
struct MacData {
    mac: DigestInfo,
    mac_salt: OctetString,
    #[asn1(default = "one")]
    iterations: u32,
}

fn one() -> u32 {
    1
}

#[derive(Sequence)]
struct DigestInfo {
    algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

#[derive(Sequence)]
struct SafeBag {
    bag_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    bag_value: Any,
    #[asn1(optional = "true")]
    bag_attributes: Option<SetOfVec<Attribute>>,
}

#[derive(Sequence)]
struct CertBag {
    cert_id: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    cert_value: OctetString,
}

#[derive(Sequence)]
struct EncryptedPrivateKeyInfo {
    algorithm: AlgorithmIdentifierOwned,
    data: OctetString,
}

#[derive(Sequence)]
struct EncryptedData {
    version: u8,
    content: EncryptedContentInfo,
}

#[derive(Sequence)]
struct EncryptedContentInfo {
    content_type: ObjectIdentifier,
    algorithm: AlgorithmIdentifierOwned,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    encrypted_content: Option<OctetString>,
}

/// `pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }`
#[derive(Sequence)]
struct PbeParams {
    salt: OctetString,
    iterations: u32,
}

/// What a PKCS#12 file holds.
pub(crate) struct Contents {
    /// PKCS#8 DER of the private key.
    pub private_key: Zeroizing<Vec<u8>>,
    /// Every certificate, in file order.
    pub certificates: Vec<Certificate>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Pkcs12Invalid, message)
}

fn der_invalid(e: der::Error) -> Error {
    invalid(format!("the PKCS#12 structure cannot be read: {e}"))
}

/// Reads the key and certificates of a PKCS#12 file.
pub(crate) fn parse(bytes: &[u8], password: &str) -> Result<Contents> {
    let pfx = Pfx::from_der(bytes).map_err(der_invalid)?;
    if pfx.version != 3 {
        return Err(invalid(format!("PKCS#12 version {} is not 3", pfx.version)));
    }
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(invalid(
            "only password-integrity PKCS#12 files are supported",
        ));
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(der_invalid)?;
    match &pfx.mac_data {
        Some(mac) => check_mac(mac, auth_safe.as_bytes(), password)?,
        None => {
            return Err(invalid(
                "the PKCS#12 file has no MAC, so its password cannot be checked",
            ));
        }
    }
    let safes = Vec::<ContentInfo>::from_der(auth_safe.as_bytes()).map_err(der_invalid)?;
    let mut keys = Vec::new();
    let mut certificates = Vec::new();
    for safe in safes {
        let contents: Zeroizing<Vec<u8>> = if safe.content_type == ID_DATA {
            Zeroizing::new(
                safe.content
                    .decode_as::<OctetString>()
                    .map_err(der_invalid)?
                    .as_bytes()
                    .to_vec(),
            )
        } else if safe.content_type == ID_ENCRYPTED_DATA {
            let data = safe
                .content
                .decode_as::<EncryptedData>()
                .map_err(der_invalid)?;
            let ciphertext = data
                .content
                .encrypted_content
                .ok_or_else(|| invalid("encrypted PKCS#12 content is missing"))?;
            decrypt(&data.content.algorithm, ciphertext.as_bytes(), password)?
        } else {
            return Err(invalid(format!(
                "PKCS#12 content of type {} is not supported",
                safe.content_type
            )));
        };
        let bags = Vec::<SafeBag>::from_der(&contents).map_err(der_invalid)?;
        for bag in bags {
            if bag.bag_id == KEY_BAG {
                keys.push(Zeroizing::new(bag.bag_value.to_der().map_err(der_invalid)?));
            } else if bag.bag_id == SHROUDED_KEY_BAG {
                let info = bag
                    .bag_value
                    .decode_as::<EncryptedPrivateKeyInfo>()
                    .map_err(der_invalid)?;
                keys.push(decrypt(&info.algorithm, info.data.as_bytes(), password)?);
            } else if bag.bag_id == CERT_BAG {
                let cert_bag = bag.bag_value.decode_as::<CertBag>().map_err(der_invalid)?;
                if cert_bag.cert_id == X509_CERTIFICATE {
                    certificates.push(
                        Certificate::from_der(cert_bag.cert_value.as_bytes()).map_err(|e| {
                            Error::new(
                                ErrorCode::CertInvalid,
                                format!("a certificate in the PKCS#12 file cannot be read: {e}"),
                            )
                        })?,
                    );
                }
            }
        }
    }
    let private_key = match keys.len() {
        1 => keys.remove(0),
        0 => return Err(invalid("the PKCS#12 file holds no private key")),
        n => {
            return Err(invalid(format!(
                "the PKCS#12 file holds {n} private keys; one is needed"
            )));
        }
    };
    if certificates.is_empty() {
        return Err(invalid("the PKCS#12 file holds no certificate"));
    }
    Ok(Contents {
        private_key,
        certificates,
    })
}

fn bad_password() -> Error {
    Error::new(
        ErrorCode::Pkcs12BadPassword,
        "the PKCS#12 password is wrong",
    )
}

fn check_iterations(iterations: u64) -> Result<()> {
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(invalid(format!(
            "{iterations} key-derivation iterations is outside 1 to {MAX_ITERATIONS}"
        )));
    }
    Ok(())
}

/// Checks the HMAC over the authenticated safe (RFC 7292 §5, Appendix B).
fn check_mac(mac: &MacData, content: &[u8], password: &str) -> Result<()> {
    check_iterations(u64::from(mac.iterations))?;
    let password = bmp_password(password);
    let salt = mac.mac_salt.as_bytes();
    let expected = mac.mac.digest.as_bytes();
    let computed = if mac.mac.algorithm.oid == SHA1 {
        let key = pkcs12_kdf::<sha1::Sha1>(&password, salt, 3, mac.iterations, 20);
        let mut hmac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&key)
            .map_err(|_| invalid("bad MAC key"))?;
        hmac.update(content);
        hmac.finalize().into_bytes().to_vec()
    } else if mac.mac.algorithm.oid == SHA256 {
        let key = pkcs12_kdf::<sha2::Sha256>(&password, salt, 3, mac.iterations, 32);
        let mut hmac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key)
            .map_err(|_| invalid("bad MAC key"))?;
        hmac.update(content);
        hmac.finalize().into_bytes().to_vec()
    } else {
        return Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            format!(
                "PKCS#12 MAC digest {} is not supported",
                mac.mac.algorithm.oid
            ),
        ));
    };
    if bool::from(computed.ct_eq(expected)) {
        Ok(())
    } else {
        Err(bad_password())
    }
}

/// Decrypts PKCS#12 content or a shrouded key bag.
fn decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    password: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    let oid = algorithm.oid;
    if oid == PBES2 {
        let scheme = pkcs5::EncryptionScheme::from_der(&algorithm.to_der().map_err(der_invalid)?)
            .map_err(|e| {
            Error::new(
                ErrorCode::UnsupportedAlgorithm,
                format!("this PBES2 scheme is not supported: {e}"),
            )
        })?;
        if let pkcs5::EncryptionScheme::Pbes2(params) = &scheme
            && let pkcs5::pbes2::Kdf::Pbkdf2(kdf) = &params.kdf
        {
            check_iterations(u64::from(kdf.iteration_count))?;
        }
        return scheme
            .decrypt(password.as_bytes(), ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| bad_password());
    }
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| invalid("PBE parameters are missing"))?
        .decode_as::<PbeParams>()
        .map_err(der_invalid)?;
    check_iterations(u64::from(params.iterations))?;
    let bmp = bmp_password(password);
    let salt = params.salt.as_bytes();
    let iv = pkcs12_kdf::<sha1::Sha1>(&bmp, salt, 2, params.iterations, 8);
    let mut buffer = ciphertext.to_vec();
    let plain = if oid == PBE_SHA1_3DES {
        let key = pkcs12_kdf::<sha1::Sha1>(&bmp, salt, 1, params.iterations, 24);
        cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(|_| invalid("bad 3DES key"))?
            .decrypt_padded::<Pkcs7>(&mut buffer)
            .map_err(|_| bad_password())?
            .to_vec()
    } else if oid == PBE_SHA1_RC2_40 || oid == PBE_SHA1_RC2_128 {
        let key_len = if oid == PBE_SHA1_RC2_40 { 5 } else { 16 };
        let key = pkcs12_kdf::<sha1::Sha1>(&bmp, salt, 1, params.iterations, key_len);
        let cipher = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
        cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, &iv)
            .map_err(|_| invalid("bad RC2 IV"))?
            .decrypt_padded::<Pkcs7>(&mut buffer)
            .map_err(|_| bad_password())?
            .to_vec()
    } else {
        return Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            format!("PKCS#12 encryption {oid} is not supported"),
        ));
    };
    Ok(Zeroizing::new(plain))
}

/// The password as a BMPString with a terminating NUL (RFC 7292 B.1).
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// The PKCS#12 key derivation function (RFC 7292 Appendix B.2).
fn pkcs12_kdf<D: Digest + Default>(
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    length: usize,
) -> Zeroizing<Vec<u8>> {
    const V: usize = 64; // block size of SHA-1 and SHA-256
    let u = <D as Digest>::output_size();
    let fill = |input: &[u8]| -> Vec<u8> {
        if input.is_empty() {
            return Vec::new();
        }
        let len = V * input.len().div_ceil(V);
        input.iter().copied().cycle().take(len).collect()
    };
    let mut i = fill(salt);
    i.extend(fill(password));
    let d = [id; V];
    let mut out = Zeroizing::new(Vec::with_capacity(length + u));
    while out.len() < length {
        let mut a = D::new()
            .chain_update(d)
            .chain_update(&i)
            .finalize()
            .to_vec();
        for _ in 1..iterations {
            a = D::digest(&a).to_vec();
        }
        out.extend_from_slice(&a);
        if out.len() >= length {
            break;
        }
        let b: Vec<u8> = a.iter().copied().cycle().take(V).collect();
        for block in i.chunks_mut(V) {
            // block = (block + b + 1) mod 2^(8V), big-endian
            let mut carry = 1u16;
            for k in (0..V).rev() {
                let sum = u16::from(block[k]) + u16::from(b[k]) + carry;
                block[k] = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(length);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdf_matches_a_known_vector() {
        // OpenSSL-computed: PKCS12 KDF, SHA-1, password "smeg", salt
        // 0A58CF64530D823F, id 1, 1 iteration, 24 bytes (RFC 7292 test data
        // widely reproduced, e.g. in BouncyCastle's PKCS12Test).
        let password = bmp_password("smeg");
        let salt = hex::decode("0A58CF64530D823F").expect("hex");
        let key = pkcs12_kdf::<sha1::Sha1>(&password, &salt, 1, 1, 24);
        assert_eq!(
            hex::encode_upper(&*key),
            "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"
        );
        let iv = pkcs12_kdf::<sha1::Sha1>(&password, &salt, 2, 1, 8);
        assert_eq!(hex::encode_upper(&*iv), "79993DFE048D3B76");
    }

    #[test]
    fn garbage_is_invalid() {
        let err = parse(b"not pkcs12", "x").err().expect("error");
        assert_eq!(err.code(), ErrorCode::Pkcs12Invalid);
    }
}
