//! Key pairs generated from caller-supplied entropy: the core draws no
//! randomness of its own, so the same entropy always gives the same key.

use std::fmt;

use chacha20::ChaCha20Rng;
use chacha20::rand_core::{Rng as _, SeedableRng as _};
use pkcs8::{EncodePrivateKey, EncodePublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};
#[cfg(doc)]
use crate::pades::KeySigner;

/// The least entropy [`generate_key`] accepts, in bytes: 256 bits, the
/// security strength of a 256-bit DRBG seed (NIST SP 800-90A §10.3).
pub const MIN_KEY_ENTROPY_LEN: usize = 32;

/// The algorithm of a generated signer key (both ETSI TS 119 312
/// approved). JSON: `"P-256"`, `"RSA-2048"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256 (secp256r1), signing ECDSA with SHA-256: small
    /// keys and signatures, fast to generate.
    #[serde(rename = "P-256")]
    P256,
    /// RSA with a 2048-bit modulus and public exponent 65537, signing
    /// PKCS#1 v1.5 with SHA-256: the widest viewer support, slow to
    /// generate (two random 1024-bit primes).
    #[serde(rename = "RSA-2048")]
    Rsa2048,
}

impl KeyAlgorithm {
    /// The label that separates the algorithms' random streams.
    fn label(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::Rsa2048 => "RSA-2048",
        }
    }
}

/// A key pair made by [`generate_key`]: the public key as a
/// SubjectPublicKeyInfo (to certify), and the private key, which only
/// leaves as a [`KeySigner`] ([`KeySigner::from_generated`]) once a
/// certificate exists for it. The private
/// key is wiped from memory when the value is dropped, and `Debug` shows
/// only the algorithm and the public key's fingerprint.
pub struct GeneratedKey {
    algorithm: KeyAlgorithm,
    /// PKCS#8 DER of the private key; `Zeroizing` wipes it on drop.
    pkcs8: Zeroizing<Vec<u8>>,
    /// SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7).
    public_key: Vec<u8>,
}

impl GeneratedKey {
    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The public key as SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7), what
    /// [`issue_certificate`](crate::pades::issue_certificate) certifies.
    pub fn public_key_der(&self) -> &[u8] {
        &self.public_key
    }

    /// The private key as PKCS#8 DER, for [`KeySigner`] only.
    pub(crate) fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("algorithm", &self.algorithm)
            .field(
                "public_key_sha256",
                &crate::digest::sha256_hex(&self.public_key),
            )
            .finish_non_exhaustive()
    }
}

/// Generates a key pair from `entropy`, deterministically: the same
/// algorithm and entropy always give the same key, so a caller that keeps
/// the entropy (sealed, like any secret) can make the key again, and tests
/// replay.
///
/// `entropy` must hold at least [`MIN_KEY_ENTROPY_LEN`] bytes from a
/// cryptographically secure source (the operating system's, an HSM's); its
/// secrecy is the key's. Shorter input is `INVALID_ARGUMENT`.
///
/// How: the entropy and the algorithm's label are hashed with SHA-256
/// (domain-separated, so one entropy value gives unrelated keys for the two
/// algorithms) into the 256-bit seed of a ChaCha20 stream (RFC 8439; the
/// `chacha20` crate's RNG), from which
/// - **P-256**: the private scalar is drawn by rejection sampling (FIPS
///   186-5 §A.2.2): 32 bytes are read as a big-endian integer `d` and kept
///   when `1 <= d < n`, else the next 32 bytes are tried (a draw is
///   rejected with probability below 2⁻³²), so `d` is uniform and never
///   reduced with bias;
/// - **RSA-2048**: the `rsa` crate's key generation (two 1024-bit
///   probable primes, e = 65537) reads its randomness from the stream.
///
/// The P-256 derivation is fixed by this description and by a golden test,
/// so it stays stable across releases. The RSA key depends on how the
/// `rsa` and `crypto-primes` crates search for primes: stable within a
/// locked dependency set, not promised across upgrades of those crates.
///
/// ```
/// use paraph::pades::{KeyAlgorithm, generate_key};
///
/// let entropy = [7u8; 32]; // in production: 32 bytes from the OS CSPRNG
/// let key = generate_key(KeyAlgorithm::P256, &entropy)?;
/// let again = generate_key(KeyAlgorithm::P256, &entropy)?;
/// assert_eq!(key.public_key_der(), again.public_key_der());
/// # Ok::<(), paraph::Error>(())
/// ```
pub fn generate_key(algorithm: KeyAlgorithm, entropy: &[u8]) -> Result<GeneratedKey> {
    if entropy.len() < MIN_KEY_ENTROPY_LEN {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "key generation needs at least {MIN_KEY_ENTROPY_LEN} bytes of entropy; {} were given",
                entropy.len()
            ),
        ));
    }
    let mut rng = ChaCha20Rng::from_seed(*seed(algorithm, entropy));
    let (pkcs8, public_key) = match algorithm {
        KeyAlgorithm::P256 => p256_key(&mut rng)?,
        KeyAlgorithm::Rsa2048 => rsa_key(&mut rng)?,
    };
    Ok(GeneratedKey {
        algorithm,
        pkcs8,
        public_key,
    })
}

/// Domain separation of the seed: which scheme, which version, which
/// algorithm.
const SEED_DOMAIN: &[u8] = b"paraph/pades/generate_key/v1/";

/// `SHA-256(SEED_DOMAIN || label || 0x00 || entropy)`.
fn seed(algorithm: KeyAlgorithm, entropy: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut hasher = Sha256::new();
    hasher.update(SEED_DOMAIN);
    hasher.update(algorithm.label().as_bytes());
    hasher.update([0]);
    hasher.update(entropy);
    Zeroizing::new(hasher.finalize().into())
}

fn internal(what: &str, e: &dyn fmt::Display) -> Error {
    Error::new(ErrorCode::Internal, format!("{what}: {e}"))
}

/// Draws that may be rejected before giving up. Each is rejected with
/// probability below 2⁻³² (n is just under 2²⁵⁶), so reaching the bound
/// means the random stream is broken, not bad luck.
const MAX_SCALAR_DRAWS: usize = 64;

type KeyPair = (Zeroizing<Vec<u8>>, Vec<u8>);

fn p256_key(rng: &mut ChaCha20Rng) -> Result<KeyPair> {
    let mut candidate = Zeroizing::new([0u8; 32]);
    for _ in 0..MAX_SCALAR_DRAWS {
        rng.fill_bytes(candidate.as_mut_slice());
        let Ok(bytes) = <&p256::FieldBytes>::try_from(candidate.as_slice()) else {
            break;
        };
        // `from_bytes` refuses 0 and values >= n: the rejection step.
        if let Ok(secret) = p256::SecretKey::from_bytes(bytes) {
            let pkcs8 = secret
                .to_pkcs8_der()
                .map_err(|e| internal("encoding the P-256 key failed", &e))?;
            let public = secret
                .public_key()
                .to_public_key_der()
                .map_err(|e| internal("encoding the P-256 public key failed", &e))?;
            return Ok((Zeroizing::new(pkcs8.as_bytes().to_vec()), public.into_vec()));
        }
    }
    Err(Error::new(
        ErrorCode::Internal,
        format!(
            "no P-256 scalar in range after {MAX_SCALAR_DRAWS} draws: the random stream is broken"
        ),
    ))
}

/// The RSA modulus size of [`KeyAlgorithm::Rsa2048`].
const RSA_BITS: usize = 2048;

fn rsa_key(rng: &mut ChaCha20Rng) -> Result<KeyPair> {
    // `RsaPrivateKey` wipes its primes and exponents on drop.
    let key = rsa::RsaPrivateKey::new(rng, RSA_BITS)
        .map_err(|e| internal("RSA key generation failed", &e))?;
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| internal("encoding the RSA key failed", &e))?;
    let public = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| internal("encoding the RSA public key failed", &e))?;
    Ok((Zeroizing::new(pkcs8.as_bytes().to_vec()), public.into_vec()))
}
