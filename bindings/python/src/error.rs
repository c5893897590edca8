//! Core errors as Python exceptions, and the panic boundary.
//!
//! The exception classes are Python classes (`paraph/exceptions.py`), so
//! they carry `.code` and `.number`, pickle, and subclass like any Python
//! exception. This module asks that file for the instance
//! (`paraph.exceptions._from_native(name, number, message)`), so the
//! family-to-class mapping lives in one place.

use std::panic::{AssertUnwindSafe, catch_unwind};

use paraph::{Error, ErrorCode};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a core error: an instance of the
/// `paraph.ParaphError` subclass of its family.
pub fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    let code = err.code();
    let build = || -> PyResult<PyErr> {
        let factory = FROM_NATIVE.get_or_try_init(py, || {
            py.import("paraph.exceptions")?
                .getattr("_from_native")
                .map(Bound::unbind)
        })?;
        let instance = factory
            .bind(py)
            .call1((code.name(), code.number(), err.message()))?;
        Ok(PyErr::from_value(instance))
    };
    // The façade is part of the same wheel, so this only fails when
    // `_native` is loaded without its package; say so rather than lose
    // the code.
    build().unwrap_or_else(|import_error| {
        let fallback = PyRuntimeError::new_err(format!(
            "[{}] {} (paraph.exceptions could not be loaded: {import_error})",
            code.name(),
            err.message()
        ));
        fallback.set_cause(py, Some(import_error));
        fallback
    })
}

/// A core error with `code` and `message`, as a Python exception.
pub fn new_err(py: Python<'_>, code: ErrorCode, message: impl Into<String>) -> PyErr {
    to_py_err(py, &Error::new(code, message))
}

/// Converts core results at the edge: `core_call(...).map_err(core(py))?`.
///
/// When the error comes from a Python callback (an external signer that
/// raised), the callback's exception becomes the `__cause__` of the
/// `SignatureError` raised, so its traceback is not lost.
pub fn core(py: Python<'_>) -> impl Fn(Error) -> PyErr + '_ {
    move |err| {
        let raised = to_py_err(py, &err);
        if let Some(cause) = take_callback_error() {
            raised.set_cause(py, Some(cause));
        }
        raised
    }
}

thread_local! {
    /// The exception a Python callback raised on this thread, kept while
    /// the core unwinds with its `SIGNING_FAILED` error. The callback runs
    /// on the thread that released the GIL (`py.detach` does not change
    /// threads), so the error that `core` converts next is its own.
    static CALLBACK_ERROR: std::cell::RefCell<Option<PyErr>> = const { std::cell::RefCell::new(None) };
}

/// Keeps `err`, raised by a Python callback, for the next [`core`] conversion.
pub fn keep_callback_error(err: PyErr) {
    CALLBACK_ERROR.with(|slot| *slot.borrow_mut() = Some(err));
}

/// Takes the exception kept by [`keep_callback_error`], if any.
pub fn take_callback_error() -> Option<PyErr> {
    CALLBACK_ERROR.with(|slot| slot.borrow_mut().take())
}

/// Runs an entry point's body, turning a panic into `ParaphError` with code
/// `PANIC` instead of pyo3's `PanicException` (a `BaseException` that
/// `except Exception` would not catch).
///
/// Every `#[pyfunction]` and `#[pymethods]` body goes through this. The body
/// must not leave shared state half-changed when it panics: ours only build
/// new values from owned inputs, which is why `AssertUnwindSafe` is sound.
pub fn boundary<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic with a non-text payload".to_owned());
            Err(new_err(
                py,
                ErrorCode::Panic,
                format!("a panic was caught in paraph's native module: {detail}"),
            ))
        }
    }
}
