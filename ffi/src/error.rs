//! Describing results: static text per code, and the per-thread detail of
//! the last failure.

use std::collections::BTreeMap;
use std::ffi::{CStr, CString, c_char};
use std::sync::LazyLock;

use paraph_core::ErrorCode;

use crate::boundary::{last_error, run_or};
use crate::result::paraph_result;

/// NUL-terminated name and description of one code.
struct CodeText {
    name: CString,
    message: CString,
}

/// Built once from the core's table, so the text is always the core's (a
/// `BTreeMap`: see `handle.rs` on valgrind and `HashMap`).
static CODE_TEXT: LazyLock<BTreeMap<u32, CodeText>> = LazyLock::new(|| {
    ErrorCode::ALL
        .iter()
        .filter_map(|&code| {
            // The core's names and descriptions are ASCII literals (a test
            // checks every one converts).
            let name = CString::new(code.name()).ok()?;
            let message = CString::new(code.description()).ok()?;
            Some((code.number(), CodeText { name, message }))
        })
        .collect()
});

const OK_NAME: &CStr = c"OK";
const OK_MESSAGE: &CStr = c"success";
const UNKNOWN_NAME: &CStr = c"UNKNOWN";
const UNKNOWN_MESSAGE: &CStr = c"unknown paraph result code";

/// A one-line description of a result code (`"the envelope has not been
/// sent"`, `"success"` for `PARAPH_OK`): a static NUL-terminated string,
/// never NULL, never to be freed. An unknown number gives `"unknown paraph
/// result code"`.
///
/// The code is taken as a plain number so that any value is safe to pass.
/// For the detail of a failure (which id, which header), use
/// `paraph_last_error_message`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_result_message(code: u32) -> *const c_char {
    run_or("paraph_result_message", UNKNOWN_MESSAGE.as_ptr(), || {
        match code {
            0 => OK_MESSAGE,
            _ => CODE_TEXT
                .get(&code)
                .map_or(UNKNOWN_MESSAGE, |text| text.message.as_c_str()),
        }
        .as_ptr()
    })
}

/// The stable name of a result code, as in `fixtures/vectors/error_codes.json`
/// and the other bindings (`"ENVELOPE_NOT_SENT"`; `"OK"` for `PARAPH_OK`;
/// `"UNKNOWN"` for an unknown number): a static NUL-terminated string, never
/// NULL, never to be freed.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_result_name(code: u32) -> *const c_char {
    run_or("paraph_result_name", UNKNOWN_NAME.as_ptr(), || {
        match code {
            0 => OK_NAME,
            _ => CODE_TEXT
                .get(&code)
                .map_or(UNKNOWN_NAME, |text| text.name.as_c_str()),
        }
        .as_ptr()
    })
}

/// The HTTP status a server answers with for a result code, the same for
/// every paraph surface (`409` for `PARAPH_E_ENVELOPE_NOT_DRAFT`); 200 for
/// `PARAPH_OK` and 0 for an unknown number.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_result_http_status(code: u32) -> u16 {
    run_or("paraph_result_http_status", 0, || match code {
        0 => 200,
        _ => ErrorCode::from_number(code).map_or(0, ErrorCode::http_status),
    })
}

/// The result of the last fallible call made on the calling thread:
/// `PARAPH_OK` if it succeeded (or none was made), its error code otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_last_error_code() -> paraph_result {
    run_or(
        "paraph_last_error_code",
        paraph_result::PARAPH_E_PANIC,
        || last_error().map_or(paraph_result::PARAPH_OK, |error| error.result),
    )
}

/// Copies the message of the last failure on the calling thread into `buf`:
/// why the last fallible call (any function returning `paraph_result`,
/// except this one) failed, naming the function and the argument, id or
/// limit involved. After a call that succeeded the message is empty.
///
/// Writes at most `buf_len - 1` bytes of UTF-8, never cutting a character,
/// then a NUL, so `buf` always holds a C string when `buf_len > 0`. When
/// `out_len` is not NULL, it receives the whole message's length in bytes
/// without the NUL: if it is `>= buf_len` the text was truncated, and a
/// buffer of `*out_len + 1` bytes holds all of it. `buf` may be NULL when
/// `buf_len` is 0, to ask for the length only.
///
/// Returns `PARAPH_E_INVALID_ARGUMENT` when `buf` is NULL and `buf_len` is
/// not 0. This function never changes the recorded error.
///
/// # Safety
///
/// Unless NULL, `buf` must be valid for writes of `buf_len` bytes, and
/// `out_len` for a write of one `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_last_error_message(
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> paraph_result {
    run_or(
        "paraph_last_error_message",
        paraph_result::PARAPH_E_PANIC,
        || {
            if (buf.is_null() && buf_len != 0) || (!out_len.is_null() && !out_len.is_aligned()) {
                return paraph_result::PARAPH_E_INVALID_ARGUMENT;
            }
            let message = last_error().map(|error| error.message).unwrap_or_default();
            if buf_len > 0 {
                let fits = floor_char_boundary(&message, buf_len - 1);
                // SAFETY: `buf` is non-NULL here (checked above) and the caller
                // guarantees `buf_len` writable bytes; `fits + 1 <= buf_len`.
                // The message is our own String, which cannot overlap `buf`.
                unsafe {
                    std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), fits);
                    buf.add(fits).write(0);
                }
            }
            if !out_len.is_null() {
                // SAFETY: non-NULL and aligned (checked above); the caller
                // guarantees it is valid for writes.
                unsafe { out_len.write(message.len()) };
            }
            paraph_result::PARAPH_OK
        },
    )
}

/// The largest index `<= max` that is a character boundary of `text`.
fn floor_char_boundary(text: &str, max: usize) -> usize {
    if max >= text.len() {
        return text.len();
    }
    (0..=max)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::{invalid_argument, run};

    fn text(ptr: *const c_char) -> &'static str {
        // SAFETY: these functions return static NUL-terminated strings.
        unsafe { CStr::from_ptr(ptr) }.to_str().expect("UTF-8")
    }

    #[test]
    fn every_core_code_has_static_text() {
        assert_eq!(CODE_TEXT.len(), ErrorCode::ALL.len());
        for &code in ErrorCode::ALL {
            assert_eq!(text(paraph_result_name(code.number())), code.name());
            assert_eq!(
                text(paraph_result_message(code.number())),
                code.description()
            );
            assert_eq!(paraph_result_http_status(code.number()), code.http_status());
        }
    }

    #[test]
    fn ok_and_unknown_numbers_have_fixed_text() {
        assert_eq!(text(paraph_result_name(0)), "OK");
        assert_eq!(text(paraph_result_message(0)), "success");
        assert_eq!(paraph_result_http_status(0), 200);
        for unknown in [1, 999, 1999, u32::MAX] {
            assert_eq!(text(paraph_result_name(unknown)), "UNKNOWN");
            assert_eq!(
                text(paraph_result_message(unknown)),
                "unknown paraph result code"
            );
            assert_eq!(paraph_result_http_status(unknown), 0);
        }
    }

    fn fail_with(message: &str) {
        let message = message.to_owned();
        let _ = run("f", move || Err(invalid_argument(message)));
    }

    fn copy(buf_len: usize) -> (paraph_result, Vec<u8>, usize) {
        let mut buf = vec![0x55u8; buf_len];
        let mut len = usize::MAX;
        // SAFETY: `buf` has `buf_len` bytes and `len` is a live local.
        let result =
            unsafe { paraph_last_error_message(buf.as_mut_ptr().cast(), buf_len, &mut len) };
        (result, buf, len)
    }

    #[test]
    fn the_message_is_copied_with_a_nul_and_its_full_length() {
        fail_with("x is NULL");
        let (result, buf, len) = copy(64);
        assert_eq!(result, paraph_result::PARAPH_OK);
        assert_eq!(len, "f: x is NULL".len());
        assert_eq!(&buf[..=len], b"f: x is NULL\0");
        assert_eq!(
            paraph_last_error_code(),
            paraph_result::PARAPH_E_INVALID_ARGUMENT
        );
    }

    #[test]
    fn a_short_buffer_truncates_on_a_character_boundary() {
        fail_with("é");
        // "f: é" is 5 bytes; room for 4 would cut the é in half.
        let (_, buf, len) = copy(5);
        assert_eq!(len, 5);
        assert_eq!(&buf[..4], b"f: \0");
        let (_, buf, _) = copy(1);
        assert_eq!(buf, b"\0");
    }

    #[test]
    fn length_only_queries_and_bad_buffers() {
        fail_with("abc");
        let mut len = 0;
        // SAFETY: NULL with length 0 is never written; `len` is a live local.
        let result = unsafe { paraph_last_error_message(std::ptr::null_mut(), 0, &mut len) };
        assert_eq!(result, paraph_result::PARAPH_OK);
        assert_eq!(len, "f: abc".len());
        // SAFETY: NULL is never written.
        let result =
            unsafe { paraph_last_error_message(std::ptr::null_mut(), 8, std::ptr::null_mut()) };
        assert_eq!(result, paraph_result::PARAPH_E_INVALID_ARGUMENT);
        // Neither call replaced the recorded error.
        assert_eq!(
            paraph_last_error_code(),
            paraph_result::PARAPH_E_INVALID_ARGUMENT
        );
        assert_eq!(copy(64).2, "f: abc".len());
    }

    #[test]
    fn after_a_success_the_message_is_empty() {
        fail_with("abc");
        let _ = run("g", || Ok(()));
        let (result, buf, len) = copy(8);
        assert_eq!((result, len, buf[0]), (paraph_result::PARAPH_OK, 0, 0));
        assert_eq!(paraph_last_error_code(), paraph_result::PARAPH_OK);
    }
}
