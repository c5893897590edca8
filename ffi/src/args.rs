//! Reading arguments from C: buffers given as pointer + length, and
//! out-pointers. Each check gives `INVALID_ARGUMENT` (or `MALFORMED_JSON`
//! for JSON that is not UTF-8) with the argument's name.

use std::ffi::c_char;

use paraph_core::{Error, ErrorCode};

use crate::boundary::invalid_argument;

/// The bytes of a `(pointer, length)` argument. A NULL pointer is the empty
/// buffer when `len` is 0, and an error otherwise.
///
/// # Safety
///
/// Unless NULL, `ptr` must point to `len` readable bytes that stay valid and
/// unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a [u8], Error> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(invalid_argument(format!(
                "{name} is NULL but {name}_len is {len}"
            )))
        };
    }
    if len > isize::MAX as usize {
        return Err(invalid_argument(format!(
            "{name}_len {len} is larger than any buffer"
        )));
    }
    // SAFETY: `ptr` is non-NULL, and the caller guarantees it points to `len`
    // readable bytes valid for 'a; a u8 pointer is always aligned, and `len`
    // fits in isize (checked above).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A UTF-8 text argument given as `(pointer, length)`, not NUL-terminated.
///
/// # Safety
///
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(
    ptr: *const c_char,
    len: usize,
    name: &str,
) -> Result<&'a str, Error> {
    // SAFETY: forwarded from this function's contract.
    let raw = unsafe { bytes(ptr.cast(), len, name)? };
    std::str::from_utf8(raw).map_err(|e| {
        invalid_argument(format!(
            "{name} is not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// A JSON text argument: like [`text`], but bytes that are not UTF-8 are
/// malformed JSON (RFC 8259 §8.1), not a bad argument.
///
/// # Safety
///
/// As for [`bytes`].
pub(crate) unsafe fn json<'a>(
    ptr: *const c_char,
    len: usize,
    name: &str,
) -> Result<&'a str, Error> {
    // SAFETY: forwarded from this function's contract.
    let raw = unsafe { bytes(ptr.cast(), len, name)? };
    std::str::from_utf8(raw).map_err(|e| {
        Error::new(
            ErrorCode::MalformedJson,
            format!(
                "{name} is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// An out-pointer for a handle, set to NULL at once so that every output of
/// a failed call is NULL. NULL and misaligned out-pointers are refused.
///
/// # Safety
///
/// Unless NULL, `ptr` must be valid for writes of a pointer for `'a`.
pub(crate) unsafe fn out<'a, T>(ptr: *mut *mut T, name: &str) -> Result<&'a mut *mut T, Error> {
    if ptr.is_null() {
        return Err(invalid_argument(format!("{name} is NULL")));
    }
    if !ptr.is_aligned() {
        return Err(invalid_argument(format!(
            "{name} is not aligned for a pointer"
        )));
    }
    // SAFETY: non-NULL and aligned (checked above), and the caller guarantees
    // it is valid for writes for 'a; nothing else aliases it during the call.
    let slot = unsafe { &mut *ptr };
    *slot = std::ptr::null_mut();
    Ok(slot)
}

/// An array argument of `len` handles, given as `(pointer, length)`.
///
/// # Safety
///
/// Unless NULL, `ptr` must point to `len` readable, initialised pointers
/// that stay valid for `'a`.
pub(crate) unsafe fn handles<'a, T>(
    ptr: *const *const T,
    len: usize,
    name: &str,
) -> Result<&'a [*const T], Error> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(invalid_argument(format!(
                "{name} is NULL but {name}_len is {len}"
            )))
        };
    }
    if !ptr.is_aligned() {
        return Err(invalid_argument(format!(
            "{name} is not aligned for a pointer"
        )));
    }
    if len > isize::MAX as usize / size_of::<*const T>() {
        return Err(invalid_argument(format!(
            "{name}_len {len} is larger than any array"
        )));
    }
    // SAFETY: non-NULL, aligned, `len` elements fit in isize (all checked
    // above); the caller guarantees they are readable and valid for 'a.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_is_the_empty_buffer_only_with_length_zero() {
        // SAFETY: NULL pointers are never read.
        unsafe {
            assert_eq!(bytes(std::ptr::null(), 0, "payload").expect("empty"), b"");
            let err = bytes(std::ptr::null(), 3, "payload").expect_err("NULL with length");
            assert_eq!(err.code(), ErrorCode::InvalidArgument);
            assert_eq!(err.message(), "payload is NULL but payload_len is 3");
        }
    }

    #[test]
    fn text_must_be_utf8_and_json_too_with_its_own_code() {
        let raw = b"ok\xff";
        // SAFETY: `raw` lives for the whole block.
        unsafe {
            let err = text(raw.as_ptr().cast(), raw.len(), "msg_id").expect_err("not UTF-8");
            assert_eq!(err.code(), ErrorCode::InvalidArgument);
            assert!(err.message().contains("offset 2"), "{}", err.message());
            let err = json(raw.as_ptr().cast(), raw.len(), "command_json").expect_err("not UTF-8");
            assert_eq!(err.code(), ErrorCode::MalformedJson);
            assert_eq!(
                text(raw.as_ptr().cast(), 2, "msg_id").expect("prefix"),
                "ok"
            );
        }
    }

    #[test]
    fn out_pointers_are_cleared_first_and_null_is_refused() {
        let mut slot: *mut u8 = std::ptr::dangling_mut();
        // SAFETY: `slot` is a live local.
        unsafe {
            let out = out(&mut slot, "out_state").expect("out");
            assert!(out.is_null());
            let err = super::out::<u8>(std::ptr::null_mut(), "out_state").expect_err("NULL");
            assert_eq!(err.message(), "out_state is NULL");
        }
        assert!(slot.is_null());
    }
}
