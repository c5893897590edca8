//! PAdES signatures (ETSI EN 319 142-1) as incremental updates, and their
//! verification.
//!
//! - [`sign`] signs with a [`Signer`] in one call; [`prepare`] and
//!   [`finish`] split it for external signers (HSM, cloud KMS): `prepare`
//!   returns the bytes (or digest) to sign and a serialisable
//!   [`PreparedSignature`]; `finish` checks that state against the document
//!   and takes the signature value.
//! - Baseline B-B: `/SubFilter /ETSI.CAdES.detached`, a `/ByteRange` over
//!   the whole file but `/Contents`, `/M` for the claimed time, and a CMS
//!   SignedData with content-type, message-digest and ESS
//!   signing-certificate-v2, no signing-time, and the certificate chain.
//! - Baseline B-T: an RFC 3161 signature time-stamp over the signature
//!   value, from the caller's [`TimestampAuthority`] ([`PadesLevel`]).
//! - [`issue_signer`] gives each signer a key ([`generate_key`], from the
//!   caller's entropy) and a short-lived leaf certificate issued by a
//!   platform CA [`Signer`] ([`issue_certificate`]), so that viewers show
//!   who signed.
//! - B-LT: [`validation_needs`] lists what revocation data the document's
//!   chains still need and where to fetch it; [`add_validation_data`]
//!   embeds what the caller fetched in the Document Security Store.
//! - B-LTA: [`add_document_timestamp`] adds a document time-stamp over
//!   the file and its validation data, and renews it later.
//! - [`verify`] reports, per signature, integrity, coverage, changes made
//!   after it, time-stamp and the chain against the trust anchors of its
//!   [`VerifyOptions`], with a [`VerificationReport::verdict`] every surface
//!   reports alike.
//!
//! The concerns each have a file: `sign.rs` (the update and the two
//! phases), `dictionary.rs` (signature dictionaries and byte ranges, ISO
//! 32000-2 §12.8.1), `cms/` (building and checking SignedData, RFC 5652),
//! `keys/` (signers and raw signature values), `issue.rs` (per-signer
//! keys and certificates, RFC 5280), `tsp.rs` (RFC 3161),
//! `chain.rs` (certificate paths, RFC 5280), `changes.rs` (what changed
//! after a signature, ISO 32000-2 §12.8.2), `verify.rs` (the reports).

mod archive;
mod cert;
mod chain;
mod changes;
mod cms;
mod dictionary;
mod issue;
mod keys;
mod ltv;
mod ocsp;
mod pkcs12;
mod sign;
#[doc(hidden)]
pub mod testing;
mod tsp;
mod verify;

pub use archive::add_document_timestamp;
pub use cert::{Certificate, parse_certificates};
pub use issue::{
    GeneratedKey, ID_KP_DOCUMENT_SIGNING, IssueOptions, KeyAlgorithm, MAX_COMMON_NAME_CHARS,
    MAX_EMAIL_LEN, MAX_SERIAL_LEN, MIN_KEY_ENTROPY_LEN, SignerIdentity, generate_key,
    issue_certificate, issue_signer,
};
pub use keys::{Backend, KeySigner, SignatureAlgorithm, Signer};
pub use ltv::{
    CertificateNeed, LtvOptions, ValidationData, add_validation_data, embedded_validation_data,
    validation_needs,
};
pub use sign::{
    DEFAULT_TIMESTAMP_RESERVE, DocMdpPermission, PREPARED_SIGNATURE_VERSION, PadesLevel,
    PreparedSignature, SignOptions, SignatureField, finish, finish_update, prepare, sign,
    sign_update,
};
pub use tsp::{MAX_RESPONSE_LEN as MAX_TIMESTAMP_RESPONSE_LEN, TimestampAuthority};
pub use verify::{
    BaselineLevel, ChainStatus, Coverage, Modifications, Problem, ProblemCode, RevocationReport,
    RevocationSource, RevocationStatus, SignatureKind, SignatureReport, SignerReport, TimeProof,
    VerificationReport, VerifyOptions, verify,
};

#[cfg(test)]
mod tests;
