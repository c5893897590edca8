//! Converting between C arguments and the core's types: JSON (exactly the
//! core's serde shapes), times given as Unix seconds, certificates given as
//! PEM or DER.

use chrono::{DateTime, Utc};
use paraph_core::pades::{self, Certificate};
use paraph_core::{Error, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::args;
use crate::boundary::invalid_argument;

/// Parses `json` as the core type `T`; any failure is `MALFORMED_JSON`
/// naming the argument.
pub(crate) fn parse<T: DeserializeOwned>(name: &str, json: &str) -> Result<T, Error> {
    serde_json::from_str(json)
        .map_err(|e| Error::new(ErrorCode::MalformedJson, format!("{name}: {e}")))
}

/// The JSON of a core value, as the core's serde types define it.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("serializing the result failed: {e}"),
        )
    })
}

/// A required JSON argument: NULL is `INVALID_ARGUMENT`.
///
/// # Safety
///
/// As for [`args::bytes`].
pub(crate) unsafe fn required<'a>(
    ptr: *const std::ffi::c_char,
    len: usize,
    name: &str,
) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(invalid_argument(format!("{name} is NULL")));
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { args::json(ptr, len, name) }
}

/// An optional JSON argument parsed as `T`: NULL (with length 0) gives
/// `T::default()`, the core's defaults for an options object.
///
/// # Safety
///
/// As for [`args::bytes`].
pub(crate) unsafe fn options<T: DeserializeOwned + Default>(
    ptr: *const std::ffi::c_char,
    len: usize,
    name: &str,
) -> Result<T, Error> {
    if ptr.is_null() {
        // SAFETY: a NULL pointer is never read; this checks the length is 0.
        unsafe { args::bytes(ptr.cast(), len, name)? };
        return Ok(T::default());
    }
    // SAFETY: forwarded from this function's contract.
    let json = unsafe { args::json(ptr, len, name)? };
    parse(name, json)
}

/// A time given as Unix seconds (UTC).
pub(crate) fn unix_time(seconds: i64, name: &str) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| invalid_argument(format!("{name} {seconds} is not a representable time")))
}

/// Certificates given as PEM (one or more) or one DER certificate; an
/// empty buffer is no certificate.
///
/// # Safety
///
/// As for [`args::bytes`].
pub(crate) unsafe fn certificates(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<Vec<Certificate>, Error> {
    // SAFETY: forwarded from this function's contract.
    let raw = unsafe { args::bytes(ptr, len, name)? };
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    pades::parse_certificates(raw)
        .map_err(|e| Error::new(e.code(), format!("{name}: {}", e.message())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_out_of_range_are_invalid_arguments() {
        assert_eq!(
            unix_time(1_795_424_400, "now")
                .expect("a time")
                .to_rfc3339(),
            "2026-11-23T09:00:00+00:00"
        );
        let err = unix_time(i64::MAX, "now").expect_err("out of range");
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn null_options_are_the_defaults_but_not_with_a_length() {
        // SAFETY: NULL is never read.
        let defaults: paraph_core::workflow::PrepareOptions =
            unsafe { options(std::ptr::null(), 0, "options_json") }.expect("defaults");
        assert!(defaults.certify.is_empty());
        // SAFETY: NULL is never read.
        let err = unsafe {
            options::<paraph_core::workflow::PrepareOptions>(std::ptr::null(), 2, "options_json")
        }
        .expect_err("NULL with a length");
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }
}
