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
mod boundary;
mod bytes;
mod envelope;
mod error;
mod handle;
mod result;
#[cfg(feature = "test-hooks")]
mod test_hooks;
mod version;
mod webhook;

pub use bytes::{paraph_bytes, paraph_bytes_data, paraph_bytes_free, paraph_bytes_len};
pub use envelope::{paraph_envelope_apply, paraph_envelope_replay};
pub use error::{
    paraph_last_error_code, paraph_last_error_message, paraph_result_http_status,
    paraph_result_message, paraph_result_name,
};
pub use handle::paraph_handle_count;
pub use result::paraph_result;
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
