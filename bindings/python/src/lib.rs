//! `paraph._native`: the compiled half of the `paraph` Python package.
//!
//! A thin layer over the `paraph` core crate: each function converts its
//! Python arguments into owned core values, calls one core function (with
//! the GIL released), and converts the result or the error back. The
//! Pythonic façade, the exception classes and the typed commands live in
//! `python/paraph/`; the type stubs of this module in
//! `python/paraph/_native.pyi` (checked against it by `mypy.stubtest`).
//!
//! No panic crosses into Python: every entry point runs inside
//! `error::boundary`, which turns a panic into `ParaphError` with code
//! `PANIC`.

// pyo3's macros expand to `unsafe` FFI glue; our own code has none.
#![deny(unsafe_op_in_unsafe_fn)]

mod convert;
mod document;
mod envelope;
mod error;
mod signing;
mod verify;
mod webhook;
mod workflow;

use paraph::{ErrorCode, ErrorCodeTable};
use pyo3::prelude::*;

/// One row of the error table: `(name, number, family, http_status, message)`.
type ErrorRow = (String, u32, String, u16, String);

/// Every error code of this build, in number order.
#[pyfunction]
fn error_codes(py: Python<'_>) -> PyResult<Vec<ErrorRow>> {
    error::boundary(py, || {
        Ok(ErrorCodeTable::current()
            .codes
            .into_iter()
            .map(|c| (c.name, c.code, c.family, c.http_status, c.message))
            .collect())
    })
}

/// Test-only: raises the exception the binding raises for the core error
/// `number` (every code goes through the same conversion as real errors).
#[pyfunction]
fn _raise_for_tests(py: Python<'_>, number: u32) -> PyResult<()> {
    error::boundary(py, || match ErrorCode::from_number(number) {
        Some(code) => Err(error::new_err(
            py,
            code,
            format!("test error {}", code.name()),
        )),
        None => Err(error::new_err(
            py,
            ErrorCode::InvalidArgument,
            format!("{number} is not an error code"),
        )),
    })
}

/// Test-only: panics inside the boundary, with the GIL released as real
/// work would be, to show that the panic arrives as `ParaphError(PANIC)`.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: String) -> PyResult<()> {
    error::boundary(py, || {
        py.detach(move || -> PyResult<()> { std::panic::panic_any(message) })
    })
}

#[pymodule]
mod _native {
    use pyo3::prelude::*;

    #[pymodule_export]
    use super::document::{PyDocument, PyField, PyPage, PyPreparedSignature, PyRect, PyWidget};
    #[pymodule_export]
    use super::envelope::{PyEnvelope, PyEvent, replay};
    #[pymodule_export]
    use super::signing::PySigner;
    #[pymodule_export]
    use super::verify::{audit_evidence, audit_render, audit_verify, verify};
    #[pymodule_export]
    use super::webhook::{
        PyWebhook, webhook_sign, webhook_sign_hex, webhook_verify, webhook_verify_hex,
    };
    #[pymodule_export]
    use super::workflow::{
        PyRecipientSigning, workflow_approve_recipient, workflow_finalize,
        workflow_issue_recipient_signer, workflow_prepare, workflow_sign_recipient,
        workflow_upload,
    };
    #[pymodule_export]
    use super::{_panic_for_tests, _raise_for_tests, error_codes};

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
