//! SHA-256, the one digest of the engine: document and evidence digests,
//! certificate fingerprints, signed content. Surfaces use it to name the
//! documents they hand to the envelope.

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha256(bytes))
}
