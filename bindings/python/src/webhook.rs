//! `paraph.webhooks`: Standard Webhooks and hex HMAC signatures.
//!
//! `Webhook` is shaped like the class of the official `standardwebhooks`
//! package (`Webhook(secret).verify(payload, headers)`,
//! `.sign(msg_id, timestamp, payload)`), so receivers can switch by changing
//! the import.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use paraph::ErrorCode;
use paraph::webhook::{self, Verifier, WebhookHeaders, WebhookSecret};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::convert;
use crate::error::{boundary, core, new_err};

/// A secret from `whsec_<base64>` text (the prefix is optional) or raw key
/// bytes.
fn secret(obj: &Bound<'_, PyAny>) -> PyResult<WebhookSecret> {
    let py = obj.py();
    if let Ok(text) = obj.cast::<PyString>() {
        return WebhookSecret::parse(&text.extract::<String>()?).map_err(core(py));
    }
    if let Ok(raw) = obj.cast::<PyBytes>() {
        return WebhookSecret::from_bytes(raw.as_bytes()).map_err(core(py));
    }
    Err(new_err(
        py,
        ErrorCode::WebhookInvalidSecret,
        "a webhook secret is a whsec_... str or the raw key as bytes",
    ))
}

/// The verifier's clock: the binding reads it so that callers need not
/// (the core never does). `now` overrides it, for tests and replays.
fn now_or_clock(now: Option<&Bound<'_, PyAny>>) -> PyResult<DateTime<Utc>> {
    match now {
        Some(now) => {
            let seconds = convert::unix_seconds(now, "now")?;
            DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
                new_err(
                    now.py(),
                    ErrorCode::InvalidArgument,
                    format!("now {seconds} is out of range"),
                )
            })
        }
        None => {
            let elapsed = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO);
            Ok(DateTime::<Utc>::UNIX_EPOCH
                + chrono::Duration::from_std(elapsed).unwrap_or(chrono::Duration::zero()))
        }
    }
}

/// `(name, value)` pairs from a mapping of headers (a dict, or the headers
/// object of a web framework: anything with `items()`).
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let py = headers.py();
    if !headers.hasattr("items")? {
        return Err(new_err(
            py,
            ErrorCode::InvalidArgument,
            "headers must be a mapping of header names to values",
        ));
    }
    let mut pairs = Vec::new();
    for item in headers.call_method0("items")?.try_iter()? {
        let (name, value): (String, String) = item?.extract().map_err(|_| {
            new_err(
                py,
                ErrorCode::InvalidArgument,
                "headers must map str names to str values",
            )
        })?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn verify_pairs(
    py: Python<'_>,
    verifier: &Verifier,
    pairs: Vec<(String, String)>,
    payload: Vec<u8>,
    now: DateTime<Utc>,
) -> PyResult<()> {
    let verifier = verifier.clone();
    py.detach(move || {
        verifier.verify(
            pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            &payload,
            now,
        )
    })
    .map_err(core(py))
}

/// Signs and verifies Standard Webhooks deliveries with one secret, like
/// `standardwebhooks.Webhook`.
#[pyclass(frozen, module = "paraph.webhooks", name = "Webhook")]
#[derive(Debug)]
pub struct PyWebhook {
    verifier: Verifier,
    secret: WebhookSecret,
}

#[pymethods]
impl PyWebhook {
    #[new]
    #[pyo3(signature = (secret, *, tolerance = 300))]
    fn new(py: Python<'_>, secret: &Bound<'_, PyAny>, tolerance: u64) -> PyResult<Self> {
        boundary(py, || {
            let secret = self::secret(secret)?;
            Ok(Self {
                verifier: Verifier::new(secret.clone())
                    .with_tolerance(Duration::from_secs(tolerance)),
                secret,
            })
        })
    }

    /// The `webhook-signature` value (`v1,<base64>`) for a delivery.
    fn sign(
        &self,
        py: Python<'_>,
        msg_id: &str,
        timestamp: &Bound<'_, PyAny>,
        payload: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        boundary(py, || {
            let timestamp = convert::unix_seconds(timestamp, "timestamp")?;
            let payload = convert::bytes(payload, "payload")?;
            let secret = self.secret.clone();
            let msg_id = msg_id.to_owned();
            py.detach(move || secret.sign(&msg_id, timestamp, &payload))
                .map_err(core(py))
        })
    }

    /// Checks the headers against the payload and returns the payload
    /// parsed as JSON, as `standardwebhooks.Webhook.verify` does.
    #[pyo3(signature = (payload, headers, *, now = None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        payload: &Bound<'py, PyAny>,
        headers: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        boundary(py, || {
            let body = convert::bytes(payload, "payload")?;
            let pairs = header_pairs(headers)?;
            let now = now_or_clock(now)?;
            verify_pairs(py, &self.verifier, pairs, body.clone(), now)?;
            let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
                new_err(
                    py,
                    ErrorCode::MalformedJson,
                    format!("the payload is signed but is not JSON: {e}"),
                )
            })?;
            convert::to_python(py, &value)
        })
    }

    fn __repr__(&self) -> &'static str {
        "Webhook(<redacted>)"
    }
}

/// The three Standard Webhooks headers for a delivery, signed with every
/// secret (several while a secret is rotated).
#[pyfunction]
pub fn webhook_sign<'py>(
    py: Python<'py>,
    secrets: Vec<Bound<'py, PyAny>>,
    msg_id: &str,
    timestamp: &Bound<'py, PyAny>,
    payload: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    boundary(py, || {
        let secrets = secrets.iter().map(secret).collect::<PyResult<Vec<_>>>()?;
        let timestamp = convert::unix_seconds(timestamp, "timestamp")?;
        let payload = convert::bytes(payload, "payload")?;
        let msg_id = msg_id.to_owned();
        let headers = py
            .detach(move || WebhookHeaders::sign(&secrets, &msg_id, timestamp, &payload))
            .map_err(core(py))?;
        let dict = PyDict::new(py);
        for (name, value) in headers.to_pairs() {
            dict.set_item(name, value)?;
        }
        Ok(dict)
    })
}

/// Checks a Standard Webhooks delivery; raises `WebhookVerificationError`.
#[pyfunction]
#[pyo3(signature = (secret, payload, headers, *, now = None, tolerance = 300))]
pub fn webhook_verify(
    py: Python<'_>,
    secret: &Bound<'_, PyAny>,
    payload: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    tolerance: u64,
) -> PyResult<()> {
    boundary(py, || {
        let verifier =
            Verifier::new(self::secret(secret)?).with_tolerance(Duration::from_secs(tolerance));
        let payload = convert::bytes(payload, "payload")?;
        let pairs = header_pairs(headers)?;
        let now = now_or_clock(now)?;
        verify_pairs(py, &verifier, pairs, payload, now)
    })
}

/// The lower-case hex HMAC-SHA256 of the payload (the secret's bytes as
/// given: a `str` is used as its UTF-8, not decoded).
#[pyfunction]
pub fn webhook_sign_hex(
    py: Python<'_>,
    secret: &Bound<'_, PyAny>,
    payload: &Bound<'_, PyAny>,
) -> PyResult<String> {
    boundary(py, || {
        let secret = convert::bytes(secret, "secret")?;
        let payload = convert::bytes(payload, "payload")?;
        py.detach(move || webhook::sign_hex(&secret, &payload))
            .map_err(core(py))
    })
}

/// Checks a hex HMAC-SHA256 signature (either case, optional `sha256=`).
#[pyfunction]
pub fn webhook_verify_hex(
    py: Python<'_>,
    secret: &Bound<'_, PyAny>,
    payload: &Bound<'_, PyAny>,
    signature: &str,
) -> PyResult<()> {
    boundary(py, || {
        let secret = convert::bytes(secret, "secret")?;
        let payload = convert::bytes(payload, "payload")?;
        let signature = signature.to_owned();
        py.detach(move || webhook::verify_hex(&secret, &payload, &signature))
            .map_err(core(py))
    })
}
