//! `paraph` for Node.js: a thin napi-rs layer over the `paraph` core crate.
//!
//! Each function converts its JavaScript arguments into owned core values,
//! calls one core function, and converts the result or the error back.
//! Objects are the core's camelCase JSON; bytes come in as `Buffer` or
//! `Uint8Array` (or a string, as UTF-8); errors are `Error`s with `code`,
//! `number`, `family` and `httpStatus`. Work that can take longer than a
//! millisecond has an `…Async` form that runs on the libuv pool and returns
//! a `Promise`.
//!
//! No panic crosses into JavaScript: synchronous entry points run inside
//! `error::boundary`, and pool work inside `error::on_worker`; a panic
//! arrives as an `Error` with code `PANIC`.

// napi-derive registers the exports only outside `cfg(test)`, so a test build
// (clippy --all-targets) sees them as unused.
#![cfg_attr(test, allow(dead_code))]

mod audit;
mod callback;
mod convert;
mod document;
mod envelope;
mod error;
mod signer;
mod webhook;
mod workflow;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use paraph::{ErrorCode, ErrorCodeTable};

/// The version of paraph this addon was built from.
#[napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One stable error code of `fixtures/vectors/error_codes.json`.
#[napi(object)]
#[derive(Debug)]
pub struct ErrorCodeInfo {
    /// The SCREAMING_SNAKE name, as in `err.code` (`"ENVELOPE_NOT_DRAFT"`).
    pub name: String,
    /// The stable number, as in `err.number` (`2001`).
    pub number: u32,
    /// The family (`"envelope"`), from the number's range.
    pub family: String,
    /// The HTTP status every paraph surface answers with.
    pub http_status: u32,
    /// A generic, one-line description.
    pub message: String,
}

/// Every error code of this build, in number order.
#[napi]
pub fn error_codes() -> Vec<ErrorCodeInfo> {
    ErrorCodeTable::current()
        .codes
        .into_iter()
        .map(|c| ErrorCodeInfo {
            name: c.name,
            number: c.code,
            family: c.family,
            http_status: u32::from(c.http_status),
            message: c.message,
        })
        .collect()
}

/// Test-only: throws the error the addon throws for the core error
/// `number`, through the same conversion as real errors.
#[napi(js_name = "_throwForTests")]
pub fn throw_for_tests(env: &Env, number: u32) -> Result<()> {
    error::boundary(env, || match ErrorCode::from_number(number) {
        Some(code) => Err(error::new_err(
            env,
            code,
            format!("test error {}", code.name()),
        )),
        None => Err(error::new_err(
            env,
            ErrorCode::InvalidArgument,
            format!("{number} is not an error code"),
        )),
    })
}

/// Test-only: panics inside the boundary of a synchronous call.
#[napi(js_name = "_panicForTests")]
pub fn panic_for_tests(env: &Env, message: String) -> Result<()> {
    error::boundary(env, || std::panic::panic_any(message))
}

/// Test-only: panics on a libuv thread; the `Promise` rejects with `PANIC`.
#[napi(js_name = "_panicAsyncForTests", ts_return_type = "Promise<void>")]
pub fn panic_async_for_tests(message: String) -> AsyncTask<convert::CoreTask<()>> {
    AsyncTask::new(convert::CoreTask::new(move || -> paraph::Result<()> {
        std::panic::panic_any(message)
    }))
}
