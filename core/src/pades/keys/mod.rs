//! Signers: the [`Signer`] trait, and [`KeySigner`], which signs with a
//! private key held in memory (PEM, DER or PKCS#12), with RustCrypto or,
//! behind the `aws-lc` feature, aws-lc-rs.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1};
use der::Decode;
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use sha2::Sha256;
use spki::SubjectPublicKeyInfoOwned;
use zeroize::Zeroizing;

use super::cert::{self, Certificate};
use crate::error::{Error, ErrorCode, Result};

mod verify;
pub(crate) use verify::{verify_raw, verify_with_certificate};

/// A signature algorithm paraph produces (ETSI TS 119 312 approved). JSON:
/// `"RSA_PKCS1V15_SHA256"`, `"ECDSA_P256_SHA256"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-256 (`sha256WithRSAEncryption`).
    RsaPkcs1v15Sha256,
    /// ECDSA on P-256 with SHA-256 (`ecdsa-with-SHA256`), DER-encoded.
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// The algorithm that signs with the key of `certificate`: RSA keys
    /// sign PKCS#1 v1.5 with SHA-256, P-256 keys ECDSA with SHA-256;
    /// other keys are `UNSUPPORTED_ALGORITHM`.
    pub fn for_certificate(certificate: &Certificate) -> Result<Self> {
        let spki = certificate
            .x509()
            .tbs_certificate()
            .subject_public_key_info();
        if spki.algorithm.oid == RSA_ENCRYPTION {
            return Ok(Self::RsaPkcs1v15Sha256);
        }
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if spki.algorithm.oid == ID_EC_PUBLIC_KEY && curve == Some(SECP_256_R_1) {
            return Ok(Self::EcdsaP256Sha256);
        }
        Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            format!(
                "the certificate's key ({}) is neither RSA nor P-256",
                spki.algorithm.oid
            ),
        ))
    }

    /// A signature value as CMS carries it: ECDSA values given as the
    /// 64-byte `r || s` some KMS return (IEEE P1363) become DER; anything
    /// else is kept as it is (and checked when the signature is finished).
    pub(crate) fn normalise_value(self, value: &[u8]) -> std::borrow::Cow<'_, [u8]> {
        if self == Self::EcdsaP256Sha256
            && value.len() == 64
            && let Ok(signature) = p256::ecdsa::Signature::from_slice(value)
        {
            return std::borrow::Cow::Owned(signature.to_der().as_bytes().to_vec());
        }
        std::borrow::Cow::Borrowed(value)
    }

    /// The algorithm's OID in a CMS SignerInfo.
    pub(crate) fn oid(self) -> ObjectIdentifier {
        match self {
            Self::RsaPkcs1v15Sha256 => const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            Self::EcdsaP256Sha256 => const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
        }
    }

    /// Upper bound of a signature value's length, in bytes, for a key of
    /// `key_bits` bits.
    pub(crate) fn max_signature_len(self, key_bits: usize) -> usize {
        match self {
            Self::RsaPkcs1v15Sha256 => key_bits.div_ceil(8),
            Self::EcdsaP256Sha256 => 72,
        }
    }
}

/// Produces signature values for PAdES signatures.
///
/// Implement it for keys held elsewhere (an HSM, a cloud KMS, a smart card),
/// or use the two-phase [`prepare`](super::prepare) /
/// [`finish`](super::finish) API when the signing happens in another
/// process or service.
pub trait Signer: Send + Sync {
    /// The signing certificate first, then the certificates that lead to a
    /// trust anchor (the root may be included).
    fn certificate_chain(&self) -> &[Certificate];

    /// The algorithm of the values [`sign`](Self::sign) returns.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// Signs `message` (the DER of the CMS signed attributes; for a CA
    /// [`issue_certificate`](super::issue_certificate) uses, a
    /// TBSCertificate): hashes it with SHA-256 and returns the signature
    /// value (PKCS#1 v1.5 bytes, or a DER ECDSA-Sig-Value).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>>;

    /// The most bytes a signature value can take, to reserve room for it.
    /// The default reads the key size from the signing certificate.
    fn max_signature_len(&self) -> usize {
        let bits = self
            .certificate_chain()
            .first()
            .map_or(4096, |c| cert::public_key_bits(c.x509()));
        self.algorithm().max_signature_len(bits)
    }
}

/// Which library does the private-key arithmetic. Both always exist, so
/// that enabling a feature never changes the type: asking for aws-lc-rs in
/// a build without the `aws-lc` feature is `UNSUPPORTED_ALGORITHM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Backend {
    /// RustCrypto (`rsa`, `p256`): pure Rust. Note that the `rsa` crate has
    /// an open timing advisory (RUSTSEC-2023-0071); it blinds every
    /// signature with OS randomness, which mitigates but does not remove it.
    RustCrypto,
    /// aws-lc-rs: faster, constant-time, FIPS-capable. Needs the `aws-lc`
    /// feature.
    AwsLc,
}

impl Backend {
    /// Whether this build can sign with it.
    pub fn is_available(self) -> bool {
        match self {
            Self::RustCrypto => true,
            Self::AwsLc => cfg!(feature = "aws-lc"),
        }
    }
}

impl Default for Backend {
    /// aws-lc-rs when the `aws-lc` feature is on, RustCrypto otherwise.
    fn default() -> Self {
        #[cfg(feature = "aws-lc")]
        {
            Backend::AwsLc
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            Backend::RustCrypto
        }
    }
}

enum KeyImpl {
    Rsa(rsa::pkcs1v15::SigningKey<Sha256>),
    P256(p256::ecdsa::SigningKey),
    #[cfg(feature = "aws-lc")]
    AwsRsa(aws_lc_rs::signature::RsaKeyPair),
    #[cfg(feature = "aws-lc")]
    AwsP256(aws_lc_rs::signature::EcdsaKeyPair),
}

/// A private key in memory and its certificate chain.
///
/// ```no_run
/// use paraph::pades::{KeySigner, Signer};
///
/// let signer = KeySigner::from_pkcs12(&std::fs::read("signer.p12")?, "test")?;
/// println!("{}", signer.certificate_chain()[0].subject());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct KeySigner {
    key: KeyImpl,
    /// Kept to move the key to another backend.
    pkcs8: Zeroizing<Vec<u8>>,
    key_bits: usize,
    algorithm: SignatureAlgorithm,
    chain: Vec<Certificate>,
    backend: Backend,
}

impl std::fmt::Debug for KeySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySigner")
            .field("algorithm", &self.algorithm)
            .field("backend", &self.backend)
            .field(
                "subject",
                &self
                    .chain
                    .first()
                    .map(Certificate::subject)
                    .unwrap_or_default(),
            )
            .finish_non_exhaustive()
    }
}

fn key_invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::KeyInvalid, message)
}

/// Reads a private key (PEM: PKCS#8, PKCS#1 `RSA PRIVATE KEY` or SEC1
/// `EC PRIVATE KEY`; or DER PKCS#8) into PKCS#8 DER.
pub(crate) fn private_key_to_pkcs8(bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|t| t.contains("-----BEGIN"));
    let Some(text) = text else {
        return Ok(Zeroizing::new(bytes.to_vec()));
    };
    // A PEM file may hold several blocks (a key with its certificates);
    // the key is the block whose label names one. A file of certificates
    // only is said to be that, not reported as broken PEM.
    let blocks = pem_blocks(text);
    let Some(block) = blocks
        .iter()
        .find(|(label, _)| label.contains("PRIVATE KEY"))
    else {
        let labels: Vec<&str> = blocks.iter().map(|(label, _)| *label).collect();
        return Err(key_invalid(if labels.contains(&"CERTIFICATE") {
            "this PEM file holds a certificate, not a private key: give the key file as the key \
             and the certificate as the certificate"
                .to_owned()
        } else if labels.is_empty() {
            "the key is not valid PEM: no -----BEGIN …----- block".to_owned()
        } else {
            format!("this PEM file holds no private key, only {labels:?}")
        }));
    };
    let (label, der) = pem_rfc7468::decode_vec(block.1.as_bytes())
        .map_err(|e| key_invalid(format!("the key is not valid PEM: {e}")))?;
    let der = Zeroizing::new(der);
    match label {
        "PRIVATE KEY" => Ok(der),
        "RSA PRIVATE KEY" => {
            use pkcs1::DecodeRsaPrivateKey;
            let key = rsa::RsaPrivateKey::from_pkcs1_der(&der)
                .map_err(|e| key_invalid(format!("the RSA key cannot be read: {e}")))?;
            let pkcs8 = key
                .to_pkcs8_der()
                .map_err(|e| key_invalid(format!("the RSA key cannot be re-encoded: {e}")))?;
            Ok(Zeroizing::new(pkcs8.as_bytes().to_vec()))
        }
        "EC PRIVATE KEY" => {
            let key = p256::SecretKey::from_sec1_der(&der).map_err(|e| {
                key_invalid(format!(
                    "the EC key is not a P-256 key or cannot be read: {e}"
                ))
            })?;
            let pkcs8 = key
                .to_pkcs8_der()
                .map_err(|e| key_invalid(format!("the EC key cannot be re-encoded: {e}")))?;
            Ok(Zeroizing::new(pkcs8.as_bytes().to_vec()))
        }
        "ENCRYPTED PRIVATE KEY" => Err(key_invalid(
            "the key is encrypted; give a PKCS#12 file with its password, or decrypt the key",
        )),
        other => Err(key_invalid(format!(
            "a PEM {other:?} block is not a private key"
        ))),
    }
}

/// The PEM blocks of `text`: each label with its whole block, markers
/// included.
fn pem_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let after = &rest[begin + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest[begin..].find(&end_marker) else {
            blocks.push((label, &rest[begin..]));
            break;
        };
        let stop = begin + end + end_marker.len();
        blocks.push((label, &rest[begin..stop]));
        rest = &rest[stop..];
    }
    blocks
}

impl KeySigner {
    /// A signer from a private key and certificates (PEM or DER), with the
    /// default [`Backend`]. `certificates` may hold the signing certificate
    /// and its chain in any order; the one matching the key signs.
    pub fn from_pem(key: &[u8], certificates: &[u8]) -> Result<Self> {
        let pkcs8 = private_key_to_pkcs8(key)?;
        Self::from_pkcs8_der(&pkcs8, cert::parse_certificates(certificates)?)
    }

    /// A signer from a PKCS#12 file and its password.
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Self> {
        let contents = super::pkcs12::parse(der, password)?;
        Self::from_pkcs8_der(&contents.private_key, contents.certificates)
    }

    /// A signer from a PKCS#8 DER private key and certificates.
    pub fn from_pkcs8_der(pkcs8: &[u8], certificates: Vec<Certificate>) -> Result<Self> {
        Self::rust_crypto(pkcs8, certificates)?.with_backend(Backend::default())
    }

    /// A signer from a key made by [`generate_key`](super::generate_key)
    /// and its certificate chain (the key's certificate, which
    /// [`issue_certificate`](super::issue_certificate) makes, then the
    /// CA's chain), with the default [`Backend`]. A chain without the
    /// key's certificate is `KEY_CERT_MISMATCH`.
    pub fn from_generated(key: super::GeneratedKey, chain: Vec<Certificate>) -> Result<Self> {
        Self::from_pkcs8_der(key.pkcs8_der(), chain)
    }

    /// The key on the RustCrypto backend.
    fn rust_crypto(pkcs8: &[u8], certificates: Vec<Certificate>) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(pkcs8)
            .map_err(|e| key_invalid(format!("the key is not PKCS#8: {e}")))?;
        let oid = info.algorithm.oid;
        let (key, public, key_bits, algorithm) = if oid == RSA_ENCRYPTION {
            let key = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8)
                .map_err(|e| key_invalid(format!("the RSA key cannot be read: {e}")))?;
            let bits = rsa::traits::PublicKeyParts::n(&key).bits() as usize;
            if bits < 2048 {
                return Err(Error::new(
                    ErrorCode::UnsupportedAlgorithm,
                    format!("RSA keys need at least 2048 bits; this one has {bits}"),
                ));
            }
            let public = key
                .to_public_key()
                .to_public_key_der()
                .map_err(|e| key_invalid(e.to_string()))?;
            (
                KeyImpl::Rsa(rsa::pkcs1v15::SigningKey::<Sha256>::new(key)),
                public,
                bits,
                SignatureAlgorithm::RsaPkcs1v15Sha256,
            )
        } else if oid == ID_EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            if curve != Some(SECP_256_R_1) {
                return Err(Error::new(
                    ErrorCode::UnsupportedAlgorithm,
                    "only P-256 elliptic-curve keys are supported",
                ));
            }
            let key = p256::ecdsa::SigningKey::from_pkcs8_der(pkcs8)
                .map_err(|e| key_invalid(format!("the P-256 key cannot be read: {e}")))?;
            let public = key
                .verifying_key()
                .to_public_key_der()
                .map_err(|e| key_invalid(e.to_string()))?;
            (
                KeyImpl::P256(key),
                public,
                256,
                SignatureAlgorithm::EcdsaP256Sha256,
            )
        } else {
            return Err(Error::new(
                ErrorCode::UnsupportedAlgorithm,
                format!("keys of algorithm {oid} are not supported (RSA and P-256 are)"),
            ));
        };
        let public = SubjectPublicKeyInfoOwned::from_der(public.as_bytes())
            .map_err(|e| key_invalid(e.to_string()))?;
        let chain = order_chain(certificates, &public)?;
        Ok(Self {
            key,
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
            key_bits,
            algorithm,
            chain,
            backend: Backend::RustCrypto,
        })
    }

    /// The same key on another backend.
    pub fn with_backend(self, backend: Backend) -> Result<Self> {
        if backend == self.backend {
            return Ok(self);
        }
        match backend {
            Backend::RustCrypto => Self::rust_crypto(&self.pkcs8, self.chain),
            Backend::AwsLc => self.on_aws_lc(),
        }
    }

    #[cfg(not(feature = "aws-lc"))]
    fn on_aws_lc(self) -> Result<Self> {
        Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            "this build of paraph has no aws-lc-rs backend (the aws-lc feature is off)",
        ))
    }

    #[cfg(feature = "aws-lc")]
    fn on_aws_lc(mut self) -> Result<Self> {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, RsaKeyPair};
        let pkcs8 = self.pkcs8.as_slice();
        self.key = match self.algorithm {
            SignatureAlgorithm::RsaPkcs1v15Sha256 => KeyImpl::AwsRsa(
                RsaKeyPair::from_pkcs8(pkcs8)
                    .map_err(|e| key_invalid(format!("aws-lc-rs refused the RSA key: {e}")))?,
            ),
            SignatureAlgorithm::EcdsaP256Sha256 => KeyImpl::AwsP256(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8)
                    .map_err(|e| key_invalid(format!("aws-lc-rs refused the EC key: {e}")))?,
            ),
        };
        self.backend = Backend::AwsLc;
        Ok(self)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The key size in bits.
    pub fn key_bits(&self) -> usize {
        self.key_bits
    }
}

/// Puts the certificate of `public` first, then the others in issuer order
/// as far as they chain, then any left over. No certificate matching the key
/// is `KEY_CERT_MISMATCH`.
fn order_chain(
    certs: Vec<Certificate>,
    public: &SubjectPublicKeyInfoOwned,
) -> Result<Vec<Certificate>> {
    let matches = |c: &Certificate| {
        let spki = c.x509().tbs_certificate().subject_public_key_info();
        spki.algorithm.oid == public.algorithm.oid
            && spki.subject_public_key == public.subject_public_key
    };
    let Some(position) = certs.iter().position(matches) else {
        return Err(Error::new(
            ErrorCode::KeyCertMismatch,
            match certs.first() {
                Some(first) => format!(
                    "the private key does not belong to certificate {} (nor to any other given)",
                    first.subject()
                ),
                None => "no certificate was given with the key".to_owned(),
            },
        ));
    };
    let mut rest = certs;
    let mut chain = vec![rest.remove(position)];
    loop {
        let issuer = chain
            .last()
            .map(|c| c.x509().tbs_certificate().issuer().clone())
            .unwrap_or_default();
        let last_is_root = chain.last().is_some_and(|c| {
            c.x509().tbs_certificate().issuer() == c.x509().tbs_certificate().subject()
        });
        match rest
            .iter()
            .position(|c| !last_is_root && *c.x509().tbs_certificate().subject() == issuer)
        {
            Some(i) => chain.push(rest.remove(i)),
            None => break,
        }
    }
    chain.extend(rest);
    Ok(chain)
}

impl Signer for KeySigner {
    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn max_signature_len(&self) -> usize {
        self.algorithm.max_signature_len(self.key_bits)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let failed = |e: &dyn std::fmt::Display| {
            Error::new(ErrorCode::SigningFailed, format!("signing failed: {e}"))
        };
        match &self.key {
            KeyImpl::Rsa(key) => {
                let signature: rsa::pkcs1v15::Signature =
                    signature::Signer::try_sign(key, message).map_err(|e| failed(&e))?;
                Ok(signature::SignatureEncoding::to_vec(&signature))
            }
            KeyImpl::P256(key) => {
                let signature: p256::ecdsa::DerSignature =
                    signature::Signer::try_sign(key, message).map_err(|e| failed(&e))?;
                Ok(signature.as_bytes().to_vec())
            }
            #[cfg(feature = "aws-lc")]
            KeyImpl::AwsRsa(key) => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let mut out = vec![0; key.public_modulus_len()];
                key.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &rng,
                    message,
                    &mut out,
                )
                .map_err(|e| failed(&e))?;
                Ok(out)
            }
            #[cfg(feature = "aws-lc")]
            KeyImpl::AwsP256(key) => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let signature = key.sign(&rng, message).map_err(|e| failed(&e))?;
                Ok(signature.as_ref().to_vec())
            }
        }
    }
}
