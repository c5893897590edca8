//! Core errors as JavaScript `Error`s, and the panic boundary.
//!
//! A thrown (or rejected) error is a plain `Error` whose `message` is the
//! core's message and which carries `code` (`"ENVELOPE_NOT_DRAFT"`),
//! `number` (`2001`), `family` (`"envelope"`) and `httpStatus` (`409`), as in
//! `fixtures/vectors/error_codes.json`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use napi::bindgen_prelude::*;
use paraph::{Error as CoreError, ErrorCode};

/// The JS error object for a core error.
fn error_object<'env>(env: &'env Env, err: &CoreError) -> Result<Object<'env>> {
    let code = err.code();
    let mut object = env.create_error(napi::Error::new(
        Status::GenericFailure,
        err.message().to_owned(),
    ))?;
    object.set_named_property("code", code.name())?;
    object.set_named_property("number", code.number())?;
    object.set_named_property("family", code.family().name())?;
    object.set_named_property("httpStatus", u32::from(code.http_status()))?;
    Ok(object)
}

/// A `napi::Error` that throws (or rejects with) the JS error of `err`.
pub fn to_js_error(env: &Env, err: &CoreError) -> napi::Error {
    match error_object(env, err) {
        Ok(object) => napi::Error::from(object.to_unknown()),
        // Creating the object failed (the VM is out of memory or shutting
        // down): throw what napi can, keeping the code in the message.
        Err(failure) => napi::Error::new(
            failure.status,
            format!("[{}] {}", err.code().name(), err.message()),
        ),
    }
}

/// Converts core results at the edge: `core_call(...).map_err(core(env))?`.
pub fn core(env: &Env) -> impl Fn(CoreError) -> napi::Error + '_ {
    move |err| to_js_error(env, &err)
}

/// A core error with `code` and `message`, as a JS error.
pub fn new_err(env: &Env, code: ErrorCode, message: impl Into<String>) -> napi::Error {
    to_js_error(env, &CoreError::new(code, message))
}

/// The panic of `payload` as a core `PANIC` error.
pub fn panic_error(payload: Box<dyn std::any::Any + Send>) -> CoreError {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".to_owned());
    CoreError::new(
        ErrorCode::Panic,
        format!("a panic was caught in paraph's native addon: {detail}"),
    )
}

/// Runs a synchronous entry point's body, turning a panic into a thrown
/// `Error` with code `PANIC` (napi would otherwise abort the process).
///
/// The bodies only build new values from owned inputs, so nothing is left
/// half-changed by a panic, which is why `AssertUnwindSafe` is sound.
pub fn boundary<T>(env: &Env, body: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => Err(to_js_error(env, &panic_error(payload))),
    }
}

/// Runs work on a libuv thread, catching a panic as a `PANIC` core error.
pub fn on_worker<T>(work: impl FnOnce() -> paraph::Result<T>) -> paraph::Result<T> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| Err(panic_error(payload)))
}
