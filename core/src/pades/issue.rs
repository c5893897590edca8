//! Per-signer certificates: a platform CA issues each signer a short-lived
//! leaf certificate, so that a PDF viewer shows who made each signature.
//!
//! - [`generate_key`] makes the signer's key pair from caller-supplied
//!   entropy ([`KeyAlgorithm`]: P-256 or RSA-2048);
//! - [`issue_certificate`] certifies a public key for a
//!   [`SignerIdentity`], signed by the CA through the [`Signer`] trait (a
//!   key in memory, an HSM, a cloud KMS);
//! - [`issue_signer`] does both and returns a [`KeySigner`] whose chain is
//!   the new leaf and the CA's chain.
//!
//! The core stays pure: the caller passes the entropy, the serial number
//! and the validity period; nothing here reads a clock or a random source.
//!
//! What the certificate holds, and why, is on [`issue_certificate`].

use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc4519::CN;
use const_oid::db::rfc5280::ID_KP_EMAIL_PROTECTION;
use const_oid::db::rfc5912::{ECDSA_WITH_SHA_256, SHA_256_WITH_RSA_ENCRYPTION};
use der::asn1::{Any, BitString, Ia5String, OctetString, Utf8StringRef};
use der::referenced::OwnedToRef;
use der::{Decode, Encode};
use serde::{Deserialize, Serialize};
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey,
    SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef,
};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::keys::{SignatureAlgorithm, Signer, verify_with_certificate};
use super::{Certificate, KeySigner};
use crate::error::{Error, ErrorCode, Result};

mod keygen;
pub use keygen::{GeneratedKey, KeyAlgorithm, MIN_KEY_ENTROPY_LEN, generate_key};

/// The longest serial number, in octets of its DER INTEGER (RFC 5280
/// §4.1.2.2: "Conforming CAs MUST NOT use serialNumber values longer than
/// 20 octets").
pub const MAX_SERIAL_LEN: usize = 20;

/// The longest common name, in characters (RFC 5280 Appendix A.1,
/// `ub-common-name`).
pub const MAX_COMMON_NAME_CHARS: usize = 64;

/// The longest email address, in bytes (RFC 5280 Appendix A.1,
/// `ub-emailaddress-length`).
pub const MAX_EMAIL_LEN: usize = 255;

/// id-kp-documentSigning (RFC 9336 §3.1): "the public key may be used to
/// verify signatures on documents".
pub const ID_KP_DOCUMENT_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.36");

/// Who a certificate is issued to. JSON (camelCase):
/// `{"name": "마리 뒤부아", "email": "marie@example.com", "phone": "+33612345678"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignerIdentity {
    /// The signer's name as viewers should show it: the certificate's
    /// common name, any script (UTF-8), at most
    /// [`MAX_COMMON_NAME_CHARS`] characters, no control characters (nor
    /// bidirectional overrides, which make a name display as another).
    pub name: String,
    /// The signer's email address (ASCII; an internationalised domain as
    /// its A-label), put in subjectAltName as an rfc822Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The signer's phone number. Not put in the certificate (see
    /// [`issue_certificate`]); carried so that one identity type serves
    /// the workflow and its evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl SignerIdentity {
    /// An identity with a name only.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            email: None,
            phone: None,
        }
    }

    /// The same identity with an email address.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// What the caller decides about a certificate: its serial number and its
/// validity period. JSON (camelCase):
/// `{"serial": "1f2e3d…", "notBefore": "2026-11-23T10:00:00Z", "notAfter": "2026-11-24T10:00:00Z"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssueOptions {
    /// The serial number: the content octets of its DER INTEGER,
    /// big-endian two's complement (what
    /// [`Certificate::serial_hex`] gives back). It must be positive (first
    /// octet below 0x80, or a 0x00 before one that is not), not zero, and
    /// at most [`MAX_SERIAL_LEN`] octets; redundant leading zero octets are
    /// dropped. RFC 5280 §4.1.2.2 asks that it be unique per CA, and the
    /// CA/Browser Forum that it hold at least 64 random bits: 16 random
    /// octets with the top bit cleared do both. JSON: hex.
    #[serde(with = "hex_bytes")]
    pub serial: Vec<u8>,
    /// Start of the validity period (whole seconds; a fraction is dropped).
    pub not_before: DateTime<Utc>,
    /// End of the validity period, inclusive (RFC 5280 §4.1.2.5), after
    /// `not_before`; both must lie inside the CA certificate's validity.
    pub not_after: DateTime<Utc>,
}

impl IssueOptions {
    /// Options with this serial and validity period.
    pub fn new(serial: Vec<u8>, not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> Self {
        Self {
            serial,
            not_before,
            not_after,
        }
    }
}

/// Serial numbers as hex strings in JSON.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(&text)
            .map_err(|e| serde::de::Error::custom(format!("the serial {text:?} is not hex: {e}")))
    }
}

/// Issues a leaf certificate for `subject`'s public key (SubjectPublicKeyInfo
/// DER: RSA of 2048 bits or more, or P-256), signed by the CA `ca`: the
/// first certificate of `ca`'s chain is the CA certificate, and must be
/// one (basicConstraints cA TRUE, keyUsage keyCertSign).
///
/// The leaf follows the RFC 5280 profile, with the key usages ETSI EN 319
/// 412-2 §4.3.2 asks of a certificate for electronic signatures:
///
/// | Field | Value |
/// |---|---|
/// | version | v3 |
/// | serialNumber | the caller's, positive, at most 20 octets (§4.1.2.2) |
/// | issuer | the CA certificate's subject, byte for byte (§4.1.2.4) |
/// | validity | the caller's, inside the CA's (§4.1.2.5) |
/// | subject | one RDN: commonName = the signer's name, UTF8String (§4.1.2.6, §4.1.2.4) |
/// | subjectAltName | rfc822Name = the signer's email, when given (§4.2.1.6) |
/// | keyUsage (critical) | digitalSignature, nonRepudiation (§4.2.1.3; EN 319 412-2 §4.3.2) |
/// | extKeyUsage | id-kp-documentSigning (RFC 9336) and id-kp-emailProtection (see below) |
/// | basicConstraints (critical) | cA FALSE (§4.2.1.9) |
/// | subjectKeyIdentifier | SHA-1 of the subjectPublicKey bits (§4.2.1.2, method 1) |
/// | authorityKeyIdentifier | the CA's subjectKeyIdentifier (§4.2.1.1) |
///
/// **Extended key usage.** RFC 9336 defines id-kp-documentSigning
/// (1.3.6.1.5.5.7.3.36) for exactly this use, and pyHanko accepts any EKU
/// by default. poppler's `pdfsig` checks signer certificates with NSS for
/// the "email signer" usage, which refuses a certificate whose EKU lacks
/// id-kp-emailProtection ("Unknown issue with Certificate or corrupted
/// data", observed with poppler 22.12 and NSS 3.87 on a leaf with
/// documentSigning alone). So the
/// leaf carries both, documentSigning first, as the repository's test PKI
/// does. (Not tested with Adobe Acrobat.) The
/// extension is not critical: relying parties must honour it anyway (RFC
/// 5280 §4.2.1.12), and a critical one would make viewers that do not know
/// RFC 9336 refuse the certificate.
///
/// The signer's phone number is not put in the certificate: X.509 has no
/// standard place for it, and the certificate is embedded in every PDF the
/// signer signs. It belongs in the evidence, which records how the signer
/// authenticated.
///
/// Errors: `INVALID_ARGUMENT` for a bad name, email, serial or validity
/// (the message says which and why), or for a public key that cannot be
/// read; `CERT_NOT_CA` for a CA certificate that cannot issue certificates;
/// `UNSUPPORTED_ALGORITHM` for a key that is neither RSA (2048 bits or
/// more) nor P-256; `KEY_CERT_MISMATCH` when the CA signer's signature does
/// not verify with its certificate; the signer's own error when it fails.
///
/// The certificate is a pure function of the arguments when the CA's
/// signature is deterministic (RSA PKCS#1 v1.5; ECDSA with RFC 6979
/// nonces, as the RustCrypto backend makes them; aws-lc-rs draws random
/// ECDSA nonces).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use paraph::pades::{
///     IssueOptions, KeyAlgorithm, KeySigner, SignerIdentity, generate_key, issue_certificate,
/// };
///
/// let ca = KeySigner::from_pem(
///     &std::fs::read("../fixtures/certs/ec/intermediate.key")?,
///     &std::fs::read("../fixtures/certs/ec/chain.pem")?,
/// )?;
/// let key = generate_key(KeyAlgorithm::P256, &[42; 32])?;
/// let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// let options = IssueOptions::new(vec![0x01, 0x23], at, at + chrono::Duration::days(1));
/// let identity = SignerIdentity::new("마리 뒤부아").with_email("marie@example.com");
/// let certificate = issue_certificate(&ca, &identity, key.public_key_der(), &options)?;
/// assert_eq!(certificate.common_name().as_deref(), Some("마리 뒤부아"));
/// assert_eq!(certificate.serial_hex(), "0123");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn issue_certificate(
    ca: &dyn Signer,
    subject: &SignerIdentity,
    public_key_spki_der: &[u8],
    options: &IssueOptions,
) -> Result<Certificate> {
    let request = Request::new(ca, subject, options)?;
    let public_key = read_public_key(public_key_spki_der)?;
    request.issue(public_key)
}

/// Generates a key for `identity` from `entropy` (see [`generate_key`]),
/// has the CA `ca` certify it (see [`issue_certificate`]), and returns the
/// signer: its chain is the new leaf then `ca`'s chain, and it signs on
/// the default [`Backend`](super::Backend) (aws-lc-rs with the `aws-lc`
/// feature) like every [`KeySigner`]. The arguments are checked before the
/// key is made, so bad input fails fast even for RSA.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use paraph::pades::{IssueOptions, KeyAlgorithm, KeySigner, SignerIdentity, Signer, issue_signer};
///
/// let ca = KeySigner::from_pem(
///     &std::fs::read("../fixtures/certs/ec/intermediate.key")?,
///     &std::fs::read("../fixtures/certs/ec/chain.pem")?,
/// )?;
/// let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
/// let options = IssueOptions::new(vec![0x42], at, at + chrono::Duration::hours(1));
/// let signer = issue_signer(
///     &ca,
///     &SignerIdentity::new("Marie Dubois"),
///     KeyAlgorithm::P256,
///     &[42; 32],
///     &options,
/// )?;
/// assert_eq!(signer.certificate_chain().len(), 3); // leaf, intermediate, root
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn issue_signer(
    ca: &dyn Signer,
    identity: &SignerIdentity,
    algorithm: KeyAlgorithm,
    entropy: &[u8],
    options: &IssueOptions,
) -> Result<KeySigner> {
    let request = Request::new(ca, identity, options)?;
    let key = generate_key(algorithm, entropy)?;
    let public_key = read_public_key(key.public_key_der())?;
    let leaf = request.issue(public_key)?;
    let mut chain = Vec::with_capacity(1 + ca.certificate_chain().len());
    chain.push(leaf);
    chain.extend(ca.certificate_chain().iter().cloned());
    KeySigner::from_generated(key, chain)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

fn encoding_bug(e: &dyn std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("encoding the certificate failed: {e}"),
    )
}

/// A checked issuance request: everything but the public key.
struct Request<'a> {
    ca: &'a dyn Signer,
    ca_certificate: &'a Certificate,
    algorithm: SignatureAlgorithm,
    subject: Name,
    email: Option<Ia5String>,
    serial: SerialNumber,
    validity: Validity,
}

impl<'a> Request<'a> {
    fn new(ca: &'a dyn Signer, identity: &SignerIdentity, options: &IssueOptions) -> Result<Self> {
        let ca_certificate = ca
            .certificate_chain()
            .first()
            .ok_or_else(|| invalid("the CA signer has no certificate"))?;
        check_can_issue(ca_certificate)?;
        let algorithm = ca.algorithm();
        if SignatureAlgorithm::for_certificate(ca_certificate)? != algorithm {
            return Err(Error::new(
                ErrorCode::KeyCertMismatch,
                format!(
                    "the CA signer signs {algorithm:?}, which the key of its certificate {} cannot verify",
                    ca_certificate.subject()
                ),
            ));
        }
        Ok(Self {
            ca,
            ca_certificate,
            algorithm,
            subject: subject_name(&identity.name)?,
            email: identity.email.as_deref().map(email_address).transpose()?,
            serial: serial_number(&options.serial)?,
            validity: validity(ca_certificate, options)?,
        })
    }

    fn issue(self, public_key: SubjectPublicKeyInfoOwned) -> Result<Certificate> {
        let ca_tbs = self.ca_certificate.x509().tbs_certificate();
        let profile = LeafProfile {
            issuer: ca_tbs.subject().clone(),
            subject: self.subject,
            email: self.email,
            authority_key_id: ca_key_identifier(self.ca_certificate)?,
        };
        let mut builder = CertificateBuilder::new(profile, self.serial, self.validity, public_key)
            .map_err(|e| encoding_bug(&e))?;
        let ca_key = CaKey {
            public_key: ca_tbs.subject_public_key_info().clone(),
            algorithm: self.algorithm,
        };
        let tbs = builder.finalize(&ca_key).map_err(|e| encoding_bug(&e))?;
        let value = self.ca.sign(&tbs)?;
        let value = self.algorithm.normalise_value(&value);
        if !verify_with_certificate(self.ca_certificate.x509(), self.algorithm, &tbs, &value)? {
            return Err(Error::new(
                ErrorCode::KeyCertMismatch,
                format!(
                    "the CA signer's signature does not verify with its certificate {}: its key is not the certificate's",
                    self.ca_certificate.subject()
                ),
            ));
        }
        let signature = BitString::from_bytes(&value).map_err(|e| encoding_bug(&e))?;
        let certificate = builder
            .assemble(signature, &ca_key)
            .map_err(|e| encoding_bug(&e))?;
        Certificate::from_x509(certificate)
    }
}

/// RFC 5280 §4.2.1.9 and §4.2.1.3: a certificate whose key verifies
/// certificate signatures has basicConstraints cA TRUE and keyUsage
/// keyCertSign.
fn check_can_issue(ca: &Certificate) -> Result<()> {
    let tbs = ca.x509().tbs_certificate();
    let cannot = |why: &str| {
        Error::new(
            ErrorCode::CertNotCa,
            format!(
                "certificate {} cannot issue certificates: {why}",
                ca.subject()
            ),
        )
    };
    let constraints = tbs
        .get_extension::<BasicConstraints>()
        .map_err(|e| cannot(&format!("its basicConstraints cannot be read ({e})")))?;
    if !constraints.is_some_and(|(_, bc)| bc.ca) {
        return Err(cannot(
            "it is not a CA certificate (basicConstraints cA is not TRUE, RFC 5280 §4.2.1.9)",
        ));
    }
    let usage = tbs
        .get_extension::<KeyUsage>()
        .map_err(|e| cannot(&format!("its keyUsage cannot be read ({e})")))?;
    match usage {
        Some((_, usage)) if usage.key_cert_sign() => Ok(()),
        Some(_) => Err(cannot("its keyUsage lacks keyCertSign (RFC 5280 §4.2.1.3)")),
        None => Err(cannot(
            "it has no keyUsage extension, which a CA certificate must have (RFC 5280 §4.2.1.3)",
        )),
    }
}

/// Unicode's explicit directional embeddings, overrides and isolates
/// (UAX #9 §2.1, §2.2): they make a name display as other characters than
/// it holds ("Trojan Source", CVE-2021-42574), and names, right-to-left
/// ones included, need none of them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The subject: one RDN, commonName as UTF8String (RFC 5280 §4.1.2.4:
/// UTF8String for names issued after 2003).
fn subject_name(name: &str) -> Result<Name> {
    if name.trim().is_empty() {
        return Err(invalid("the signer's name is empty"));
    }
    let chars = name.chars().count();
    if chars > MAX_COMMON_NAME_CHARS {
        return Err(invalid(format!(
            "the signer's name has {chars} characters; a certificate's common name holds at most {MAX_COMMON_NAME_CHARS} (RFC 5280 ub-common-name)"
        )));
    }
    if let Some(c) = name.chars().find(|&c| c.is_control() || is_bidi_control(c)) {
        return Err(invalid(format!(
            "the signer's name contains the control character U+{:04X}",
            u32::from(c)
        )));
    }
    let value = Utf8StringRef::new(name).map_err(|e| encoding_bug(&e))?;
    let atv = AttributeTypeAndValue {
        oid: CN,
        value: Any::encode_from(&value).map_err(|e| encoding_bug(&e))?,
    };
    let rdn = RelativeDistinguishedName::try_from(vec![atv]).map_err(|e| encoding_bug(&e))?;
    // `Name` has no public constructor from an `RdnSequence` outside its
    // hazmat feature; its DER is the sequence's.
    let der = RdnSequence::from(vec![rdn])
        .to_der()
        .map_err(|e| encoding_bug(&e))?;
    Name::from_der(&der).map_err(|e| encoding_bug(&e))
}

/// An rfc822Name (RFC 5280 §4.2.1.6: `local-part@domain`, IA5String, so
/// ASCII; internationalised mailboxes, RFC 8398, are not supported).
fn email_address(email: &str) -> Result<Ia5String> {
    if email.len() > MAX_EMAIL_LEN {
        return Err(invalid(format!(
            "the email address has {} bytes; at most {MAX_EMAIL_LEN} fit (RFC 5280 ub-emailaddress-length)",
            email.len()
        )));
    }
    if !email.is_ascii() {
        return Err(invalid(format!(
            "the email address {email:?} is not ASCII: give an internationalised domain as its A-label (xn--…); non-ASCII local parts are not supported"
        )));
    }
    let well_formed = email.rsplit_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
    if !well_formed {
        return Err(invalid(format!(
            "{email:?} is not an email address (local-part@domain)"
        )));
    }
    Ia5String::new(email).map_err(|e| encoding_bug(&e))
}

/// RFC 5280 §4.1.2.2: positive, at most 20 octets.
fn serial_number(serial: &[u8]) -> Result<SerialNumber> {
    let Some(&first) = serial.first() else {
        return Err(invalid("the serial number is empty"));
    };
    if first >= 0x80 {
        return Err(invalid(format!(
            "the serial number {} is negative (its first octet has the top bit set); RFC 5280 §4.1.2.2 asks for a positive one: clear that bit or put 0x00 before it",
            hex::encode(serial)
        )));
    }
    // The magnitude, for `SerialNumber::new`, which re-adds a 0x00 octet
    // when the top bit is set.
    let magnitude = match serial.iter().position(|&b| b != 0) {
        Some(start) => &serial[start..],
        None => {
            return Err(invalid(
                "the serial number is zero; RFC 5280 §4.1.2.2 asks for a positive one",
            ));
        }
    };
    let encoded_len = magnitude.len() + usize::from(magnitude[0] >= 0x80);
    if encoded_len > MAX_SERIAL_LEN {
        return Err(invalid(format!(
            "the serial number takes {encoded_len} octets; RFC 5280 §4.1.2.2 allows at most {MAX_SERIAL_LEN}"
        )));
    }
    SerialNumber::new(magnitude).map_err(|e| invalid(format!("the serial number is invalid: {e}")))
}

/// RFC 5280 §4.1.2.5 times (UTCTime through 2049, GeneralizedTime after),
/// inside the CA certificate's validity.
fn validity(ca: &Certificate, options: &IssueOptions) -> Result<Validity> {
    let not_before = whole_seconds(options.not_before);
    let not_after = whole_seconds(options.not_after);
    if not_after <= not_before {
        return Err(invalid(format!(
            "the validity ends ({}) before or when it starts ({})",
            not_after.to_rfc3339(),
            not_before.to_rfc3339()
        )));
    }
    let (ca_not_before, ca_not_after) = ca.validity();
    if not_before < ca_not_before || not_after > ca_not_after {
        return Err(invalid(format!(
            "the validity {} .. {} lies outside the CA certificate's ({} .. {}, {})",
            not_before.to_rfc3339(),
            not_after.to_rfc3339(),
            ca_not_before.to_rfc3339(),
            ca_not_after.to_rfc3339(),
            ca.subject()
        )));
    }
    Ok(Validity::new(x509_time(not_before)?, x509_time(not_after)?))
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

fn x509_time(at: DateTime<Utc>) -> Result<Time> {
    let unsupported = || {
        invalid(format!(
            "{} cannot be a certificate time here (1970 to 9999 only)",
            at.to_rfc3339()
        ))
    };
    let secs = u64::try_from(at.timestamp()).map_err(|_| unsupported())?;
    let time = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|_| unsupported())?;
    Ok(Time::from(time))
}

/// Reads the subject's public key: RSA of 2048 bits or more, or P-256.
fn read_public_key(der: &[u8]) -> Result<SubjectPublicKeyInfoOwned> {
    use pkcs8::DecodePublicKey;
    let spki = SubjectPublicKeyInfoOwned::from_der(der)
        .map_err(|e| invalid(format!("the public key is not a SubjectPublicKeyInfo: {e}")))?;
    let oid = spki.algorithm.oid;
    if oid == const_oid::db::rfc5912::RSA_ENCRYPTION {
        let key = rsa::RsaPublicKey::from_public_key_der(der)
            .map_err(|e| invalid(format!("the RSA public key cannot be read: {e}")))?;
        let bits = rsa::traits::PublicKeyParts::n(&key).bits();
        if bits < 2048 {
            return Err(Error::new(
                ErrorCode::UnsupportedAlgorithm,
                format!("RSA keys need at least 2048 bits; this one has {bits}"),
            ));
        }
    } else if oid == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY {
        p256::PublicKey::from_public_key_der(der).map_err(|e| {
            Error::new(
                ErrorCode::UnsupportedAlgorithm,
                format!("the elliptic-curve key is not a valid P-256 key: {e}"),
            )
        })?;
    } else {
        return Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            format!("keys of algorithm {oid} are not supported (RSA and P-256 are)"),
        ));
    }
    Ok(spki)
}

/// The key identifier of the CA: its subjectKeyIdentifier when it has one
/// (RFC 5280 §4.2.1.1 asks that the two match), else the SHA-1 of its
/// key (§4.2.1.2, method 1).
fn ca_key_identifier(ca: &Certificate) -> Result<OctetString> {
    let tbs = ca.x509().tbs_certificate();
    if let Ok(Some((_, ski))) = tbs.get_extension::<SubjectKeyIdentifier>() {
        return Ok(ski.0);
    }
    let ski = SubjectKeyIdentifier::try_from(tbs.subject_public_key_info().owned_to_ref())
        .map_err(|e| encoding_bug(&e))?;
    Ok(ski.0)
}

/// The extensions of a signer's leaf certificate (see
/// [`issue_certificate`]), for x509-cert's builder.
struct LeafProfile {
    issuer: Name,
    subject: Name,
    email: Option<Ia5String>,
    authority_key_id: OctetString,
}

impl BuilderProfile for LeafProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let subject = tbs.subject();
        let mut extensions: Vec<Extension> = Vec::with_capacity(6);
        // Critical (x509-cert marks basicConstraints critical always).
        let basic = BasicConstraints {
            ca: false,
            path_len_constraint: None,
        };
        extensions.push(basic.to_extension(subject, &extensions)?);
        // Critical.
        let usage = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation);
        extensions.push(usage.to_extension(subject, &extensions)?);
        // Not critical.
        let purposes = ExtendedKeyUsage(vec![ID_KP_DOCUMENT_SIGNING, ID_KP_EMAIL_PROTECTION]);
        extensions.push(purposes.to_extension(subject, &extensions)?);
        if let Some(email) = &self.email {
            // Not critical: the subject is not empty (RFC 5280 §4.2.1.6).
            let names = SubjectAltName(vec![GeneralName::Rfc822Name(email.clone())]);
            extensions.push(names.to_extension(subject, &extensions)?);
        }
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        extensions.push(ski.to_extension(subject, &extensions)?);
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(self.authority_key_id.clone()),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        extensions.push(aki.to_extension(subject, &extensions)?);
        Ok(extensions)
    }
}

/// The CA as x509-cert's builder sees it: its public key (the builder
/// reads it, the profile ignores it) and its signature algorithm. The
/// signature value itself comes from the [`Signer`], between
/// `finalize` and `assemble`, so any signer (HSM, KMS) can issue.
struct CaKey {
    public_key: SubjectPublicKeyInfoOwned,
    algorithm: SignatureAlgorithm,
}

#[derive(Clone)]
struct CaPublicKey(SubjectPublicKeyInfoOwned);

impl EncodePublicKey for CaPublicKey {
    fn to_public_key_der(&self) -> spki::Result<der::Document> {
        Ok(der::Document::encode_msg(&self.0)?)
    }
}

impl signature::Keypair for CaKey {
    type VerifyingKey = CaPublicKey;

    fn verifying_key(&self) -> CaPublicKey {
        CaPublicKey(self.public_key.clone())
    }
}

impl DynSignatureAlgorithmIdentifier for CaKey {
    /// RFC 4055 §5: sha256WithRSAEncryption with NULL parameters; RFC 5758
    /// §3.2: ecdsa-with-SHA256 with none (as CMS SignerInfos have them).
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(match self.algorithm {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => AlgorithmIdentifierOwned {
                oid: SHA_256_WITH_RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
            SignatureAlgorithm::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA_256,
                parameters: None,
            },
        })
    }
}

#[cfg(test)]
mod tests;
