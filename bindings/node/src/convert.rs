//! JavaScript values in and out, and the one `AsyncTask` of the addon.

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use paraph::ErrorCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{self, new_err};

/// Bytes given as a string (its UTF-8), a `Buffer` or a `Uint8Array`.
pub type BytesInput = Either<String, Uint8Array>;

/// A time given as a `Date` or an RFC 3339 string.
pub type InstantInput = Either<DateTime<Utc>, String>;

/// Unix seconds given as a number or a `Date`.
pub type TimestampInput = Either<i64, DateTime<Utc>>;

/// The bytes of a string, `Buffer` or `Uint8Array`, copied so that they can
/// leave the JS thread.
pub fn bytes(input: BytesInput) -> Vec<u8> {
    match input {
        Either::A(text) => text.into_bytes(),
        Either::B(array) => array.to_vec(),
    }
}

/// A point in time from a `Date` or an RFC 3339 string.
pub fn instant(env: &Env, input: InstantInput, what: &str) -> Result<DateTime<Utc>> {
    match input {
        Either::A(time) => Ok(time),
        Either::B(text) => DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                new_err(
                    env,
                    ErrorCode::InvalidArgument,
                    format!("{what} {text:?} is not an RFC 3339 time: {e}"),
                )
            }),
    }
}

/// The time now, from the system clock: what a binding may read and the
/// core never does (a default for signing and verifying times).
pub fn clock_now() -> DateTime<Utc> {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(std::time::Duration::ZERO);
    DateTime::<Utc>::UNIX_EPOCH
        + chrono::Duration::from_std(elapsed).unwrap_or(chrono::Duration::zero())
}

/// A time from a `Date` or an RFC 3339 string, or the clock when absent.
pub fn instant_or_now(env: &Env, input: Option<InstantInput>, what: &str) -> Result<DateTime<Utc>> {
    input.map_or_else(|| Ok(clock_now()), |t| instant(env, t, what))
}

/// A core value from its JSON, or its default when absent.
pub fn from_value_or_default<T: DeserializeOwned + Default>(
    env: &Env,
    value: Option<serde_json::Value>,
    what: &str,
) -> Result<T> {
    value.map_or_else(|| Ok(T::default()), |v| from_value(env, v, what))
}

/// A core value as its JSON, built off the JS thread (a task's output):
/// becomes a plain JS object on the JS thread.
#[derive(Debug)]
pub struct Json(pub serde_json::Value);

impl Json {
    /// The JSON of a core value.
    pub fn of<T: Serialize>(value: &T) -> paraph::Result<Json> {
        serde_json::to_value(value).map(Json).map_err(|e| {
            paraph::Error::new(
                ErrorCode::Internal,
                format!("a core value could not be converted to JSON: {e}"),
            )
        })
    }
}

impl TypeName for Json {
    fn type_name() -> &'static str {
        "Object"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        // SAFETY: called by napi on the JS thread with its env.
        unsafe { serde_json::Value::to_napi_value(env, value.0) }
    }
}

/// JSON text given as a string, or as an object (stringified).
pub fn json_text(env: &Env, input: Either<String, Object<'_>>) -> Result<String> {
    match input {
        Either::A(text) => Ok(text),
        Either::B(object) => {
            let value: serde_json::Value = env.from_js_value(object)?;
            Ok(value.to_string())
        }
    }
}

/// Unix seconds from a number or a `Date`.
pub fn unix_seconds(input: TimestampInput) -> i64 {
    match input {
        Either::A(seconds) => seconds,
        Either::B(time) => time.timestamp(),
    }
}

/// A core value from its JSON shape (a plain object with camelCase keys).
pub fn from_value<T: DeserializeOwned>(
    env: &Env,
    value: serde_json::Value,
    what: &str,
) -> Result<T> {
    serde_json::from_value(value).map_err(|e| {
        new_err(
            env,
            ErrorCode::MalformedJson,
            format!("{what} does not have the expected shape: {e}"),
        )
    })
}

/// A core value as a plain JS object: its serde JSON shape.
pub fn to_value<T: Serialize>(env: &Env, value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| {
        new_err(
            env,
            ErrorCode::Internal,
            format!("a core value could not be converted to JSON: {e}"),
        )
    })
}

type Work<T> = Box<dyn FnOnce() -> paraph::Result<T> + Send>;

/// Core work run on the libuv thread pool; the `Promise` resolves with its
/// value or rejects with the core error as a JS `Error` carrying `code`.
///
/// `Task::compute` can only fail with napi's own `Status`, so the core
/// result travels in `Output` and becomes the JS error in `resolve`, on the
/// JS thread, where the error object can be built.
pub struct CoreTask<T> {
    work: Option<Work<T>>,
}

impl<T> std::fmt::Debug for CoreTask<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreTask")
            .field("pending", &self.work.is_some())
            .finish()
    }
}

impl<T> CoreTask<T> {
    pub fn new(work: impl FnOnce() -> paraph::Result<T> + Send + 'static) -> Self {
        Self {
            work: Some(Box::new(work)),
        }
    }
}

impl<T> Task for CoreTask<T>
where
    T: ToNapiValue + TypeName + Send + 'static,
{
    type Output = paraph::Result<T>;
    type JsValue = T;

    fn compute(&mut self) -> Result<Self::Output> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::new(Status::GenericFailure, "a paraph task ran twice"))?;
        Ok(error::on_worker(work))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map_err(|err| error::to_js_error(&env, &err))
    }
}

/// A `Promise` of core work: the work runs on the libuv pool, or, when it
/// may call back into JavaScript (an external signer, a time-stamp
/// authority), on a thread of its own. A signing that waits for a JS
/// callback holds its thread until the callback settles; on the pool, a
/// few such signings could take every pool thread while their callbacks
/// wait for the pool themselves (`fs`, `dns.lookup`, async `crypto`), and
/// nothing would move again.
pub type PromiseOf<'env, T> = Either<AsyncTask<CoreTask<T>>, Object<'env>>;

/// Runs `work` for a `Promise` (see [`PromiseOf`]).
pub fn promise<'env, T>(
    env: &'env Env,
    calls_js: bool,
    work: impl FnOnce() -> paraph::Result<T> + Send + 'static,
) -> Result<PromiseOf<'env, T>>
where
    T: ToNapiValue + TypeName + Send + 'static,
{
    if !calls_js {
        return Ok(Either::A(AsyncTask::new(CoreTask::new(work))));
    }
    let (deferred, promise) = env.create_deferred()?;
    std::thread::Builder::new()
        .name("paraph-callback-signing".into())
        .spawn(move || {
            let output = error::on_worker(work);
            deferred.resolve(move |env: Env| output.map_err(|err| error::to_js_error(&env, &err)));
        })
        .map_err(|e| {
            error::new_err(
                env,
                ErrorCode::Internal,
                format!("no thread could be started for the signing: {e}"),
            )
        })?;
    Ok(Either::B(promise))
}
