//! `paraph.verify` and `paraph.audit`: verifying signed PDFs, rendering
//! and sealing the audit trail, and verifying it. The reports leave as the
//! core's JSON shape; the façade (`paraph/reports.py`) turns them into
//! typed, frozen dataclasses. The verdict leaves as the exception the core
//! would raise for it, so every surface reports the same code.

use paraph::audit::{self, EvidenceBundle, Locale, RenderOptions};
use paraph::envelope::Event;
use paraph::pades::{self, VerifyOptions};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert;
use crate::envelope::PyEvent;
use crate::error::{boundary, core, to_py_err};
use crate::signing::PySigner;

/// A report's JSON shape and its verdict (`None`, or the exception).
type Checked<'py> = (Bound<'py, PyAny>, Option<Py<PyAny>>);

fn options(
    trust: Option<&Bound<'_, PyAny>>,
    time: Option<&Bound<'_, PyAny>>,
) -> PyResult<VerifyOptions> {
    let time = convert::instant_or_now(time, "time")?;
    let anchors = match trust {
        Some(t) if !t.is_none() => convert::certificates(t, "trust")?,
        _ => Vec::new(),
    };
    Ok(VerifyOptions::new(time).with_trust_anchors(anchors))
}

/// The report's JSON shape with the core's own judgements added
/// (`intact` per signature, `allIntact`, `allTrusted`), so that the façade
/// never re-derives them.
fn report_value(report: &pades::VerificationReport) -> serde_json::Value {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    if let Some(signatures) = value.get_mut("signatures").and_then(|s| s.as_array_mut()) {
        for (json, signature) in signatures.iter_mut().zip(&report.signatures) {
            if let Some(object) = json.as_object_mut() {
                object.insert("intact".into(), signature.intact().into());
            }
        }
    }
    if let Some(object) = value.as_object_mut() {
        object.insert("allIntact".into(), report.all_intact().into());
        object.insert("allTrusted".into(), report.all_trusted().into());
    }
    value
}

fn verdict(py: Python<'_>, result: paraph::Result<()>) -> Option<Py<PyAny>> {
    result
        .err()
        .map(|e| to_py_err(py, &e).into_value(py).into_any())
}

/// Verifies every signature of `data`: `(report, verdict)`.
#[pyfunction]
#[pyo3(signature = (data, *, trust = None, time = None))]
pub fn verify<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    trust: Option<&Bound<'py, PyAny>>,
    time: Option<&Bound<'py, PyAny>>,
) -> PyResult<Checked<'py>> {
    boundary(py, || {
        let pdf = convert::bytes(data, "data")?;
        let options = options(trust, time)?;
        let report = py
            .detach(move || pades::verify(&pdf, &options))
            .map_err(core(py))?;
        Ok((
            convert::to_python(py, &report_value(&report))?,
            verdict(py, report.verdict()),
        ))
    })
}

/// `Event`s or their dicts, as core events.
pub(crate) fn events(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Event>> {
    let mut history = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        match item.cast::<PyEvent>() {
            Ok(event) => history.push(event.get().inner.as_ref().clone()),
            Err(_) => history.push(convert::from_python(&item, "event")?),
        }
    }
    Ok(history)
}

fn locale(py: Python<'_>, name: &str) -> PyResult<Locale> {
    convert::from_json_value(py, serde_json::Value::String(name.to_owned()), "locale")
}

/// The evidence bundle of an envelope's whole history, as JSON text.
#[pyfunction]
#[pyo3(signature = (events, *, generated_at))]
pub fn audit_evidence(
    py: Python<'_>,
    events: &Bound<'_, PyAny>,
    generated_at: &Bound<'_, PyAny>,
) -> PyResult<String> {
    boundary(py, || {
        let history = self::events(events)?;
        let at = convert::instant(generated_at, "generated_at")?;
        let bundle = py
            .detach(move || EvidenceBundle::from_events(&history, at))
            .map_err(core(py))?;
        Ok(String::from_utf8_lossy(&bundle.to_json()).into_owned())
    })
}

/// Renders the audit trail of `evidence` (the bundle's JSON) in `locale`,
/// sealed by `seal` at `signing_time` when a signer is given.
#[pyfunction]
#[pyo3(signature = (evidence, *, locale = "en", seal = None, signing_time = None))]
pub fn audit_render<'py>(
    py: Python<'py>,
    evidence: &Bound<'py, PyAny>,
    locale: &str,
    seal: Option<&Bound<'py, PySigner>>,
    signing_time: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    boundary(py, || {
        let json = convert::bytes(evidence, "evidence")?;
        let options = RenderOptions {
            locale: self::locale(py, locale)?,
        };
        let seal = seal.map(|s| std::sync::Arc::clone(&s.get().inner));
        let time = convert::instant_or_now(signing_time, "signing_time")?;
        let pdf = py
            .detach(move || {
                let bundle = EvidenceBundle::from_json(&json)?;
                let rendered = audit::render_audit_trail(&bundle, &options)?;
                match seal {
                    Some(signer) => audit::seal_audit_trail(&rendered, &*signer, None, time),
                    None => Ok(rendered),
                }
            })
            .map_err(core(py))?;
        Ok(PyBytes::new(py, &pdf))
    })
}

/// Verifies an audit-trail PDF (or, with `evidence_only`, a bare evidence
/// JSON file) and, when given, the final `document`: `(report, verdict)`.
#[pyfunction]
#[pyo3(signature = (data, document = None, *, trust = None, time = None, evidence_only = false))]
pub fn audit_verify<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    document: Option<&Bound<'py, PyAny>>,
    trust: Option<&Bound<'py, PyAny>>,
    time: Option<&Bound<'py, PyAny>>,
    evidence_only: bool,
) -> PyResult<Checked<'py>> {
    boundary(py, || {
        let data = convert::bytes(data, "data")?;
        let document = document
            .filter(|d| !d.is_none())
            .map(|d| convert::bytes(d, "document"))
            .transpose()?;
        let options = options(trust, time)?;
        let report = py
            .detach(move || {
                if evidence_only {
                    audit::verify_evidence(&data, document.as_deref())
                } else {
                    audit::verify_audit_trail(&data, document.as_deref(), &options)
                }
            })
            .map_err(core(py))?;
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.insert("isValid".into(), report.is_valid().into());
            if let Some(seal) = &report.seal {
                object.insert("seal".into(), report_value(seal));
            }
        }
        Ok((
            convert::to_python(py, &value)?,
            verdict(py, report.verdict()),
        ))
    })
}
