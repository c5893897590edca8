//! Python values in and out: times, byte strings and the core's serde JSON.
//!
//! Every conversion copies the Python value into an owned Rust value, so the
//! core can then run with the GIL released (`py.detach`).

use chrono::{DateTime, Utc};
use paraph::ErrorCode;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyMapping, PyString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::new_err;

/// A point in time from a timezone-aware `datetime.datetime` or an RFC 3339
/// string. Naive datetimes are refused: the core never guesses a zone.
pub fn instant(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<DateTime<Utc>> {
    let py = obj.py();
    let text: String = if let Ok(text) = obj.cast::<PyString>() {
        text.extract::<String>()?
    } else if obj.hasattr("utcoffset")? && obj.hasattr("isoformat")? {
        if obj.call_method0("utcoffset")?.is_none() {
            return Err(new_err(
                py,
                ErrorCode::InvalidArgument,
                format!("{what} is a naive datetime: give it a tzinfo (datetime.timezone.utc)"),
            ));
        }
        obj.call_method0("isoformat")?.extract()?
    } else {
        return Err(new_err(
            py,
            ErrorCode::InvalidArgument,
            format!(
                "{what} must be a timezone-aware datetime or an RFC 3339 string, not {}",
                type_name(obj)
            ),
        ));
    };
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            new_err(
                py,
                ErrorCode::InvalidArgument,
                format!("{what} {text:?} is not an RFC 3339 time: {e}"),
            )
        })
}

/// Unix seconds from an `int` or a timezone-aware `datetime`.
pub fn unix_seconds(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if let Ok(seconds) = obj.extract::<i64>() {
        return Ok(seconds);
    }
    instant(obj, what).map(|t| t.timestamp())
}

/// The bytes of `bytes`, `bytearray` or `memoryview`, or the UTF-8 of a `str`.
pub fn bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(text.extract::<String>()?.into_bytes());
    }
    if let Ok(array) = obj.cast::<PyByteArray>() {
        return Ok(array.to_vec());
    }
    if obj.hasattr("tobytes")? {
        // memoryview and other buffer objects.
        let copied = obj.call_method0("tobytes")?;
        if let Ok(b) = copied.cast::<PyBytes>() {
            return Ok(b.as_bytes().to_vec());
        }
    }
    Err(new_err(
        obj.py(),
        ErrorCode::InvalidArgument,
        format!(
            "{what} must be bytes, bytearray, memoryview or str, not {}",
            type_name(obj)
        ),
    ))
}

/// A core value from its JSON shape given as a Python mapping (camelCase
/// keys, as `to_dict()` returns), or from an object with a `to_dict()`
/// method (the typed commands of `paraph.commands`).
pub fn from_python<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    let py = obj.py();
    let mapping = if obj.cast::<PyMapping>().is_err() && obj.hasattr("to_dict")? {
        obj.call_method0("to_dict")?
    } else {
        obj.clone()
    };
    if mapping.cast::<PyMapping>().is_err() {
        return Err(new_err(
            py,
            ErrorCode::InvalidArgument,
            format!(
                "{what} must be a mapping or have a to_dict() method, not {}",
                type_name(obj)
            ),
        ));
    }
    let value: serde_json::Value = pythonize::depythonize(&mapping).map_err(|e| {
        new_err(
            py,
            ErrorCode::MalformedJson,
            format!(
                "{what} is not JSON-shaped ({e}); times are RFC 3339 strings, bytes are base64"
            ),
        )
    })?;
    from_json_value(py, value, what)
}

/// A core value from a JSON value, with the core's JSON error code.
pub fn from_json_value<T: DeserializeOwned>(
    py: Python<'_>,
    value: serde_json::Value,
    what: &str,
) -> PyResult<T> {
    serde_json::from_value(value).map_err(|e| {
        new_err(
            py,
            ErrorCode::MalformedJson,
            format!("{what} does not have the expected shape: {e}"),
        )
    })
}

/// A core value as plain Python objects (dicts, lists, str, int, float,
/// bool, None): its serde JSON shape.
pub fn to_python<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| {
        new_err(
            py,
            ErrorCode::Internal,
            format!("a core value could not be converted to Python: {e}"),
        )
    })
}

/// A core value as JSON text.
pub fn to_json<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| {
        new_err(
            py,
            ErrorCode::Internal,
            format!("a core value could not be written as JSON: {e}"),
        )
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".to_owned())
}

/// `when`, or the system clock when it is `None`: the surfaces, unlike the
/// core, may read a clock, and a signing time of "now" is what a Python
/// caller means by leaving it out.
pub fn instant_or_now(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<DateTime<Utc>> {
    match obj {
        Some(obj) if !obj.is_none() => instant(obj, what),
        // Whole seconds: what a PDF's `/M` and the evidence keep anyway.
        _ => Ok(chrono::SubsecRound::trunc_subsecs(
            DateTime::<Utc>::from(std::time::SystemTime::now()),
            0,
        )),
    }
}

/// Certificates from PEM text (one or many), one DER certificate, or a
/// list of either (in order).
pub fn certificates(
    obj: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<Vec<paraph::pades::Certificate>> {
    let py = obj.py();
    let is_single = obj.cast::<PyBytes>().is_ok()
        || obj.cast::<PyString>().is_ok()
        || obj.cast::<PyByteArray>().is_ok()
        || obj.hasattr("tobytes")?;
    if is_single {
        return paraph::pades::parse_certificates(&bytes(obj, what)?)
            .map_err(crate::error::core(py));
    }
    let mut all = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        all.extend(
            paraph::pades::parse_certificates(&bytes(&item, what)?)
                .map_err(crate::error::core(py))?,
        );
    }
    Ok(all)
}

/// The documents of an envelope, from a mapping of document id to PDF bytes.
pub fn documents(obj: &Bound<'_, PyAny>) -> PyResult<Vec<paraph::workflow::DocumentBytes>> {
    let py = obj.py();
    let Ok(mapping) = obj.cast::<PyMapping>() else {
        return Err(new_err(
            py,
            ErrorCode::InvalidArgument,
            format!(
                "documents must be a mapping of document id to PDF bytes, not {}",
                type_name(obj)
            ),
        ));
    };
    let mut out = Vec::new();
    for item in mapping.items()?.try_iter()? {
        let (id, pdf): (String, Bound<'_, PyAny>) = item?.extract()?;
        let pdf = bytes(&pdf, "a document's PDF")?;
        out.push(paraph::workflow::DocumentBytes {
            document_id: id,
            pdf,
        });
    }
    Ok(out)
}

/// Documents as a dict of document id to PDF bytes, in the core's order.
pub fn documents_to_python<'py>(
    py: Python<'py>,
    documents: &[paraph::workflow::DocumentBytes],
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let dict = pyo3::types::PyDict::new(py);
    for document in documents {
        dict.set_item(&document.document_id, PyBytes::new(py, &document.pdf))?;
    }
    Ok(dict)
}
