//! PAdES signatures (ETSI EN 319 142-1) as incremental updates, and their
//! verification.
//!
//! - [`sign`] signs with a [`Signer`] in one call; [`prepare`] and
//!   [`finish`] split it for external signers (HSM, cloud KMS): `prepare`
//!   returns the bytes (or digest) to sign and a serialisable
//!   [`PreparedSignature`]; `finish` takes the signature value.
//! - Baseline B-B: `/SubFilter /ETSI.CAdES.detached`, a `/ByteRange` over
//!   the whole file but `/Contents`, `/M` for the claimed time, and a CMS
//!   SignedData with content-type, message-digest and ESS
//!   signing-certificate-v2, no signing-time, and the certificate chain.
//! - Baseline B-T: an RFC 3161 signature time-stamp over the signature
//!   value, through [`PreparedSignature::timestamp_request`] and
//!   [`tsp::token_from_response`].
//! - [`verify`] reports, per signature, integrity, coverage, changes made
//!   after it, time-stamp and the chain against given trust anchors.

mod cert;
mod chain;
mod changes;
mod cms;
mod dictionary;
mod keys;
mod pkcs12;
mod sign;
mod tsp;
mod verify;

pub use cert::{Certificate, parse_certificates};
pub use keys::{Backend, KeySigner, SignatureAlgorithm, Signer};
pub use sign::{
    DEFAULT_TIMESTAMP_RESERVE, DocMdpPermission, PREPARED_SIGNATURE_VERSION, PadesLevel,
    PreparedSignature, SignOptions, SignatureField, finish, finish_update, prepare, sign,
    sign_update,
};
pub use tsp::{MAX_RESPONSE_LEN as MAX_TIMESTAMP_RESPONSE_LEN, TimestampAuthority};
pub use verify::{
    ChainStatus, Coverage, Modifications, Problem, ProblemCode, SignatureKind, SignatureReport,
    SignerReport, VerificationReport, VerifyOptions, verify,
};

#[cfg(test)]
mod tests;
