//! The panic boundary every entry point runs in, and the per-thread detail
//! of the last failure.
//!
//! A fallible entry point's body is a closure returning
//! `Result<(), paraph_core::Error>`; [`run`] calls it under `catch_unwind` and
//! turns the outcome into a [`paraph_result`], recording the message of a
//! failure (or of a caught panic) for [`paraph_last_error_message`]
//! (crate::paraph_last_error_message). Entry points that return something
//! else (a pointer, a length) use [`run_or`], which gives a fixed value on a
//! panic.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use paraph_core::{Error, ErrorCode};

use crate::result::paraph_result;

/// The last failure of a fallible call on one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LastError {
    /// What the call returned.
    pub(crate) result: paraph_result,
    /// Why, prefixed with the function's name; never contains NUL.
    pub(crate) message: String,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// Runs the body of a fallible entry point named `function`.
///
/// `Ok` gives `PARAPH_OK` and clears the thread's last error; an error
/// gives its code and records its message; a panic gives `PARAPH_E_PANIC`
/// and records the panic's message. Nothing unwinds past this function.
///
/// `AssertUnwindSafe` holds: after a panic nothing the body touched is used
/// again. Its arguments are the caller's, its outputs are written last (a
/// body assigns its out-pointers only once nothing can fail), and the only
/// shared state, the handle table, is consistent at every step and
/// survives poisoning.
pub(crate) fn run(
    function: &'static str,
    body: impl FnOnce() -> Result<(), Error>,
) -> paraph_result {
    let (result, last) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => (paraph_result::PARAPH_OK, None),
        Ok(Err(error)) => {
            let result = paraph_result::of(error.code());
            // A code this build's enum lacks is reported as INTERNAL; keep
            // the real one in the text.
            let message = if result.number() == error.code().number() {
                format!("{function}: {}", error.message())
            } else {
                format!(
                    "{function}: {} ({} {})",
                    error.message(),
                    error.code().number(),
                    error.code().name()
                )
            };
            (result, Some(message))
        }
        Err(payload) => (
            paraph_result::PARAPH_E_PANIC,
            Some(format!(
                "{function}: a panic was caught at the C boundary (a bug in paraph, please report it): {}",
                panic_message(payload.as_ref())
            )),
        ),
    };
    set_last_error(last.map(|message| LastError {
        result,
        message: without_nul(message),
    }));
    result
}

/// Runs the body of an entry point that returns a plain value, giving
/// `on_panic` (NULL, 0) if it panics. The last error is left alone unless
/// there is a panic, which it records.
pub(crate) fn run_or<T>(function: &'static str, on_panic: T, body: impl FnOnce() -> T) -> T {
    // AssertUnwindSafe: as in `run`, nothing the body touched is reused.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            set_last_error(Some(LastError {
                result: paraph_result::PARAPH_E_PANIC,
                message: without_nul(format!(
                    "{function}: a panic was caught at the C boundary: {}",
                    panic_message(payload.as_ref())
                )),
            }));
            on_panic
        }
    }
}

/// The calling thread's last error, if its last fallible call failed.
pub(crate) fn last_error() -> Option<LastError> {
    LAST_ERROR
        .try_with(|cell| cell.borrow().clone())
        .ok()
        .flatten()
}

fn set_last_error(error: Option<LastError>) {
    // During thread teardown the slot may already be gone: nobody can read
    // it any more, so there is nothing to record.
    let _ = LAST_ERROR.try_with(|cell| *cell.borrow_mut() = error);
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "(no message)"
    }
}

/// Messages quote caller input (ids, header values), which may hold NUL;
/// C would stop reading there, so NUL is spelled out.
fn without_nul(message: String) -> String {
    if message.contains('\0') {
        message.replace('\0', "\\0")
    } else {
        message
    }
}

/// An `INVALID_ARGUMENT` error.
pub(crate) fn invalid_argument(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_clears_the_last_error() {
        let failed = run("f", || Err(invalid_argument("x is NULL")));
        assert_eq!(failed, paraph_result::PARAPH_E_INVALID_ARGUMENT);
        assert_eq!(
            last_error().map(|e| e.message),
            Some("f: x is NULL".to_owned())
        );
        assert_eq!(run("g", || Ok(())), paraph_result::PARAPH_OK);
        assert_eq!(last_error(), None);
    }

    #[test]
    fn a_panic_becomes_the_panic_code_with_its_message() {
        let result = run("paraph_thing_do", || panic!("boom {}", 42));
        assert_eq!(result, paraph_result::PARAPH_E_PANIC);
        let last = last_error().expect("a last error");
        assert_eq!(last.result, paraph_result::PARAPH_E_PANIC);
        assert!(
            last.message
                .starts_with("paraph_thing_do: a panic was caught")
        );
        assert!(last.message.ends_with("boom 42"), "{}", last.message);
    }

    #[test]
    fn a_panic_in_a_plain_entry_point_gives_its_fallback() {
        let value: usize = run_or("paraph_len", 0, || panic!("static text"));
        assert_eq!(value, 0);
        let last = last_error().expect("a last error");
        assert_eq!(last.result, paraph_result::PARAPH_E_PANIC);
        assert!(last.message.ends_with("static text"));
    }

    #[test]
    fn the_last_error_is_per_thread() {
        let _ = run("here", || Err(invalid_argument("on the test thread")));
        let elsewhere = std::thread::spawn(last_error).join().expect("join");
        assert_eq!(elsewhere, None);
        assert!(last_error().is_some());
    }

    #[test]
    fn nul_in_a_message_is_spelled_out() {
        let _ = run("f", || {
            Err(Error::new(
                ErrorCode::RecipientNotFound,
                "no recipient a\0b",
            ))
        });
        assert_eq!(
            last_error().map(|e| e.message),
            Some("f: no recipient a\\0b".to_owned())
        );
    }
}
