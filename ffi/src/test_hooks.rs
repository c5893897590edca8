//! Test-only entry points (feature `test-hooks`), for the C tests of the
//! panic boundary. Never enable the feature in a release.

use std::ffi::c_char;

use crate::args;
use crate::boundary::run;
use crate::bytes::paraph_bytes;
use crate::result::paraph_result;

/// Test-only: panics with `message` inside the panic boundary, after
/// clearing `*out` as every entry point does. Returns `PARAPH_E_PANIC`,
/// with the message in `paraph_last_error_message`.
///
/// # Safety
///
/// `message` must point to `message_len` readable bytes; `out` must be
/// valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_test_panic(
    message: *const c_char,
    message_len: usize,
    out: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_test_panic", || {
        // SAFETY: forwarded from this function's contract.
        let _out = unsafe { args::out(out, "out")? };
        // SAFETY: forwarded from this function's contract.
        let message = unsafe { args::text(message, message_len, "message")? };
        panic!("{message}");
    })
}
