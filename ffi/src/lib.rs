//! # paraph-ffi: the C ABI of paraph
//!
//! A thin adapter over the core (the `paraph` package, imported here as
//! [`paraph_core`] because this library is itself named `paraph`) for C and
//! C++: every function parses its arguments, calls one core function and
//! converts the result.
//! The header `include/paraph.h` is generated from this crate by cbindgen
//! (`cbindgen.toml`) and committed; `scripts/test-ffi` fails when it is stale.
//!
//! The shape follows rustls-ffi:
//! - names are `paraph_<noun>_<verb>`;
//! - every fallible function returns a [`paraph_result`]: `PARAPH_OK` (0) or
//!   one of the core's stable error codes, with the same numbers as
//!   `fixtures/vectors/error_codes.json`; a per-thread detail message is
//!   kept for the last failure ([`paraph_last_error_message`]);
//! - outputs come last, as out-pointers; buffers are pointer + length;
//! - objects are opaque handles ([`paraph_bytes`], [`paraph_webhook_secret`])
//!   released by a `_free` function that accepts NULL;
//! - every entry point runs inside a panic boundary: a panic becomes
//!   `PARAPH_E_PANIC`, never an abort or unwinding into C.
//!
//! Handles are checked: a NULL, freed, foreign or wrong-type handle is
//! refused with `PARAPH_E_INVALID_ARGUMENT` (see `handle.rs` for how).
//!
//! See `ffi/README.md` for building, linking, ownership and thread safety.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]
// The exported names are C names (`paraph_bytes`, `PARAPH_OK`).
#![allow(non_camel_case_types)]

// The panic boundary is the ABI's promise that no panic crosses into C. With
// `panic = "abort"` there would be nothing to catch.
#[cfg(panic = "abort")]
compile_error!("paraph-ffi must be built with panic = \"unwind\": its panic boundary relies on it");

mod args;
mod audit;
mod boundary;
mod bytes;
mod document;
mod envelope;
mod error;
mod handle;
mod json;
mod result;
mod sign;
mod signer;
#[cfg(feature = "test-hooks")]
mod test_hooks;
mod version;
mod webhook;
mod workflow;

pub use audit::{
    paraph_audit, paraph_audit_check, paraph_audit_free, paraph_audit_from_events,
    paraph_audit_from_json, paraph_audit_render, paraph_audit_seal, paraph_audit_to_json,
    paraph_audit_verify, paraph_audit_verify_verdict,
};
pub use bytes::{paraph_bytes, paraph_bytes_data, paraph_bytes_free, paraph_bytes_len};
pub use document::{
    paraph_document, paraph_document_add_fields, paraph_document_data, paraph_document_fields,
    paraph_document_free, paraph_document_len, paraph_document_open, paraph_document_pages,
    paraph_document_verify, paraph_document_verify_verdict,
};
pub use envelope::{paraph_envelope_apply, paraph_envelope_replay};
pub use error::{
    paraph_last_error_code, paraph_last_error_message, paraph_result_http_status,
    paraph_result_message, paraph_result_name,
};
pub use handle::paraph_handle_count;
pub use result::paraph_result;
pub use sign::{
    paraph_document_finish_signature, paraph_document_prepare_signature, paraph_document_sign,
    paraph_document_sign_with_options,
};
pub use signer::{
    PARAPH_MAX_TIMESTAMP_RESPONSE_LEN, paraph_sign_callback, paraph_signer,
    paraph_signer_certificates, paraph_signer_free, paraph_signer_from_callback,
    paraph_signer_from_pem, paraph_signer_from_pkcs12, paraph_signer_sign,
    paraph_timestamp_callback, paraph_tsa, paraph_tsa_free, paraph_tsa_from_callback,
};
#[cfg(feature = "test-hooks")]
pub use test_hooks::paraph_test_panic;
pub use version::{
    PARAPH_VERSION_MAJOR, PARAPH_VERSION_MINOR, PARAPH_VERSION_NUMBER, PARAPH_VERSION_PATCH,
    paraph_version,
};
pub use webhook::{
    PARAPH_WEBHOOK_DEFAULT_TOLERANCE_SECONDS, paraph_webhook_secret, paraph_webhook_secret_expose,
    paraph_webhook_secret_free, paraph_webhook_secret_from_bytes, paraph_webhook_secret_parse,
    paraph_webhook_sign, paraph_webhook_sign_hex, paraph_webhook_verify, paraph_webhook_verify_hex,
};
pub use workflow::{
    paraph_workflow_approve_recipient, paraph_workflow_document, paraph_workflow_finalize,
    paraph_workflow_issue_signer, paraph_workflow_prepare, paraph_workflow_sign_recipient,
    paraph_workflow_upload,
};
