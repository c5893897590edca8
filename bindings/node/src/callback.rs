//! JavaScript callbacks the core calls from a signing thread: an external
//! signer's `async (data, digest) => signature` (the KMS plugin point) and
//! a time-stamp authority's `async (request) => response`.
//!
//! The core's `Signer` and `TimestampAuthority` traits are synchronous and
//! are called from inside the signing's own thread (see
//! `convert::promise`). A [`JsCallback`] queues the call on the JS thread
//! through a (weak) thread-safe function, and the signing thread waits for
//! the callback's value, or for the Promise it returned to settle. The JS
//! thread is never blocked: it runs the callback while the signing thread
//! waits. A thrown error or a rejected Promise becomes a
//! core error with the code the caller chooses (`SIGNING_FAILED`,
//! `TIMESTAMP_INVALID`).

use std::future::Future;
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread, ThreadId};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use paraph::{Error as CoreError, ErrorCode};

/// What a callback may return: the bytes, or a Promise of them.
type Returned = Either<Uint8Array, Promise<Uint8Array>>;

/// The thread-safe function behind a callback: called with the bytes (and
/// a second `Buffer`, which a one-argument callback ignores), not
/// callee-handled (no leading `err` argument), and weak, so that a signer
/// kept in a variable does not keep the process alive.
type Args = FnArgs<(Buffer, Buffer)>;
type Tsfn = ThreadsafeFunction<Args, Returned, Args, Status, false, true>;

/// The JS thread's id, learnt when the first callback is made (always on
/// the JS thread): a call from that thread would wait for itself.
static JS_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// A JavaScript function from bytes to bytes (or a Promise of bytes).
pub struct JsCallback {
    tsfn: Tsfn,
}

impl std::fmt::Debug for JsCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsCallback")
    }
}

impl TypeName for JsCallback {
    fn type_name() -> &'static str {
        "Function"
    }

    fn value_type() -> ValueType {
        ValueType::Function
    }
}

impl ValidateNapiValue for JsCallback {}

impl FromNapiValue for JsCallback {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let _ = JS_THREAD.set(thread::current().id());
        // SAFETY: napi hands us a live value of this env; `Tsfn`'s own
        // conversion checks that it is a function.
        let tsfn = unsafe { Tsfn::from_napi_value(env, value)? };
        Ok(Self { tsfn })
    }
}

impl JsCallback {
    /// Calls the function with `(first, second)` from a signing thread and
    /// waits for its value; any failure becomes `code`.
    pub fn call(
        &self,
        first: Vec<u8>,
        second: Vec<u8>,
        code: ErrorCode,
    ) -> paraph::Result<Vec<u8>> {
        if JS_THREAD.get() == Some(&thread::current().id()) {
            return Err(CoreError::new(
                ErrorCode::Internal,
                "a JavaScript callback was called from the JavaScript thread, where it would wait for itself",
            ));
        }
        let (sender, receiver) = mpsc::channel::<Result<Outcome>>();
        let status = self.tsfn.call_with_return_value(
            FnArgs::from((Buffer::from(first), Buffer::from(second))),
            ThreadsafeFunctionCallMode::Blocking,
            move |returned: Result<Returned>, _env| {
                // On the JS thread: bytes are copied now, a Promise is
                // handed to the waiting thread. A closed receiver means the
                // caller is gone: nothing to do.
                let outcome = returned.map(|value| match value {
                    Either::A(bytes) => Outcome::Bytes(bytes.to_vec()),
                    Either::B(promise) => Outcome::Pending(promise),
                });
                let _ = sender.send(outcome);
                Ok(())
            },
        );
        if status != Status::Ok {
            return Err(CoreError::new(
                code,
                format!("the JavaScript callback could not be called ({status})"),
            ));
        }
        let failed = |reason: String| CoreError::new(code, reason);
        let outcome = receiver
            .recv()
            .map_err(|_| failed("the JavaScript callback was dropped before it answered".into()))?
            .map_err(|e| failed(format!("the JavaScript callback threw: {}", e.reason)))?;
        match outcome {
            Outcome::Bytes(bytes) => Ok(bytes),
            Outcome::Pending(promise) => {
                block_on(promise).map(|bytes| bytes.to_vec()).map_err(|e| {
                    failed(format!(
                        "the JavaScript callback's Promise rejected: {}",
                        e.reason
                    ))
                })
            }
        }
    }
}

/// What the JS thread sends back to the waiting thread.
enum Outcome {
    Bytes(Vec<u8>),
    Pending(Promise<Uint8Array>),
}

/// Wakes a parked thread.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Waits on this (signing) thread for a future settled by the JS thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}
