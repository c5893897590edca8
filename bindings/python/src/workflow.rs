//! `paraph.workflow`: the core's signing workflow (upload, prepare, sign
//! or approve each recipient, finalize) and per-signer certificates.
//! Inputs and options arrive as the core's JSON shapes (the façade,
//! `paraph/workflow.py`, builds them from keyword arguments); documents as
//! a mapping of document id to PDF bytes.

use std::sync::Arc;

use paraph::envelope::Command;
use paraph::workflow::{
    self, FinalizeOptions, PrepareOptions, RecipientCertificateOptions, RecipientInput,
    RecipientSigning, SignRecipientOptions, SignatureValue, SignedRecipient, SigningProgress,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::convert;
use crate::envelope::{PyEnvelope, PyEvent, context, transition};
use crate::error::{boundary, core};
use crate::signing::PySigner;

/// `(documents, commands, envelope, events)` of a recipient's signing.
type Signed<'py> = (
    Bound<'py, PyDict>,
    Bound<'py, PyAny>,
    PyEnvelope,
    Vec<PyEvent>,
);

fn signed<'py>(py: Python<'py>, done: SignedRecipient) -> PyResult<Signed<'py>> {
    let documents = convert::documents_to_python(py, &done.documents)?;
    let commands = convert::to_python(py, &done.commands)?;
    let (envelope, events) = transition(done.transition);
    Ok((documents, commands, envelope, events))
}

/// Reads a PDF for an envelope: `(addDocument command, pdf)`.
#[pyfunction]
pub fn workflow_upload<'py>(
    py: Python<'py>,
    id: &str,
    name: &str,
    pdf: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyBytes>)> {
    boundary(py, || {
        let pdf = convert::bytes(pdf, "pdf")?;
        let (id, name) = (id.to_owned(), name.to_owned());
        let (document, bytes) = py
            .detach(move || workflow::upload(&id, &name, pdf, &Default::default()))
            .map_err(core(py))?;
        Ok((
            convert::to_python(py, &Command::AddDocument(document))?,
            PyBytes::new(py, &bytes.pdf),
        ))
    })
}

/// Every recipient's fields into the documents: `(documents, send command)`.
#[pyfunction]
#[pyo3(signature = (envelope, documents, options, platform = None))]
pub fn workflow_prepare<'py>(
    py: Python<'py>,
    envelope: &Bound<'py, PyEnvelope>,
    documents: &Bound<'py, PyAny>,
    options: &Bound<'py, PyAny>,
    platform: Option<&Bound<'py, PySigner>>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyAny>)> {
    boundary(py, || {
        let state = Arc::clone(&envelope.get().inner);
        let documents = convert::documents(documents)?;
        let options: PrepareOptions = convert::from_python(options, "options")?;
        let platform = platform.map(|p| Arc::clone(&p.get().inner));
        let prepared = py
            .detach(move || workflow::prepare(&state, &documents, platform.as_deref(), &options))
            .map_err(core(py))?;
        Ok((
            convert::documents_to_python(py, &prepared.documents)?,
            convert::to_python(py, &prepared.command)?,
        ))
    })
}

/// Signs for a recipient with `signer`.
#[pyfunction]
#[pyo3(signature = (envelope, documents, input, signer, options, *, now, actor, ip = None, user_agent = None))]
#[allow(clippy::too_many_arguments)]
pub fn workflow_sign_recipient<'py>(
    py: Python<'py>,
    envelope: &Bound<'py, PyEnvelope>,
    documents: &Bound<'py, PyAny>,
    input: &Bound<'py, PyAny>,
    signer: &Bound<'py, PySigner>,
    options: &Bound<'py, PyAny>,
    now: &Bound<'py, PyAny>,
    actor: &Bound<'py, PyAny>,
    ip: Option<String>,
    user_agent: Option<String>,
) -> PyResult<Signed<'py>> {
    boundary(py, || {
        let state = Arc::clone(&envelope.get().inner);
        let documents = convert::documents(documents)?;
        let input: RecipientInput = convert::from_python(input, "input")?;
        let options: SignRecipientOptions = convert::from_python(options, "options")?;
        let signer = Arc::clone(&signer.get().inner);
        let ctx = context(now, actor, ip, user_agent)?;
        let done = py
            .detach(move || {
                workflow::sign_recipient(&state, &documents, &input, &*signer, None, &options, &ctx)
            })
            .map_err(core(py))?;
        signed(py, done)
    })
}

/// Records an approver's approval, their values written into the documents.
#[pyfunction]
#[pyo3(signature = (envelope, documents, input, options, *, now, actor, ip = None, user_agent = None))]
#[allow(clippy::too_many_arguments)]
pub fn workflow_approve_recipient<'py>(
    py: Python<'py>,
    envelope: &Bound<'py, PyEnvelope>,
    documents: &Bound<'py, PyAny>,
    input: &Bound<'py, PyAny>,
    options: &Bound<'py, PyAny>,
    now: &Bound<'py, PyAny>,
    actor: &Bound<'py, PyAny>,
    ip: Option<String>,
    user_agent: Option<String>,
) -> PyResult<Signed<'py>> {
    boundary(py, || {
        let state = Arc::clone(&envelope.get().inner);
        let documents = convert::documents(documents)?;
        let input: RecipientInput = convert::from_python(input, "input")?;
        let options: SignRecipientOptions = convert::from_python(options, "options")?;
        let ctx = context(now, actor, ip, user_agent)?;
        let done = py
            .detach(move || workflow::approve_recipient(&state, &documents, &input, &options, &ctx))
            .map_err(core(py))?;
        signed(py, done)
    })
}

/// `(documents, complete command, envelope, events, evidence, audit trail)`.
type Finalized<'py> = (
    Bound<'py, PyDict>,
    Bound<'py, PyAny>,
    PyEnvelope,
    Vec<PyEvent>,
    Bound<'py, PyAny>,
    Bound<'py, PyBytes>,
);

/// Seals, records the completion and renders the sealed audit trail.
#[pyfunction]
#[pyo3(signature = (envelope, history, documents, platform, options, *, now, actor, ip = None, user_agent = None))]
#[allow(clippy::too_many_arguments)]
pub fn workflow_finalize<'py>(
    py: Python<'py>,
    envelope: &Bound<'py, PyEnvelope>,
    history: &Bound<'py, PyAny>,
    documents: &Bound<'py, PyAny>,
    platform: &Bound<'py, PySigner>,
    options: &Bound<'py, PyAny>,
    now: &Bound<'py, PyAny>,
    actor: &Bound<'py, PyAny>,
    ip: Option<String>,
    user_agent: Option<String>,
) -> PyResult<Finalized<'py>> {
    boundary(py, || {
        let state = Arc::clone(&envelope.get().inner);
        let history = crate::verify::events(history)?;
        let documents = convert::documents(documents)?;
        let platform = Arc::clone(&platform.get().inner);
        let options: FinalizeOptions = convert::from_python(options, "options")?;
        let ctx = context(now, actor, ip, user_agent)?;
        let done = py
            .detach(move || {
                workflow::finalize(
                    &state, &history, &documents, &*platform, None, &options, &ctx,
                )
            })
            .map_err(core(py))?;
        let documents = convert::documents_to_python(py, &done.documents)?;
        let command = convert::to_python(py, &done.command)?;
        let evidence = convert::to_python(py, &done.evidence)?;
        let trail = PyBytes::new(py, &done.audit_trail);
        let (envelope, events) = transition(done.transition);
        Ok((documents, command, envelope, events, evidence, trail))
    })
}

/// A key and a certificate of their own for the signer `recipient_id`,
/// issued by the platform CA `ca`.
#[pyfunction]
#[pyo3(signature = (envelope, recipient_id, ca, entropy, options, *, now))]
pub fn workflow_issue_recipient_signer(
    py: Python<'_>,
    envelope: &Bound<'_, PyEnvelope>,
    recipient_id: &str,
    ca: &Bound<'_, PySigner>,
    entropy: &Bound<'_, PyAny>,
    options: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
) -> PyResult<PySigner> {
    boundary(py, || {
        let state = Arc::clone(&envelope.get().inner);
        let ca = Arc::clone(&ca.get().inner);
        let entropy = convert::bytes(entropy, "entropy")?;
        let options: RecipientCertificateOptions = convert::from_python(options, "options")?;
        let now = convert::instant(now, "now")?;
        let recipient_id = recipient_id.to_owned();
        let key = py
            .detach(move || {
                workflow::issue_recipient_signer(
                    &state,
                    &recipient_id,
                    &*ca,
                    &entropy,
                    &options,
                    now,
                )
            })
            .map_err(core(py))?;
        Ok(PySigner::from_key(key))
    })
}

/// A recipient's signing in two phases, for a key outside the process: the
/// values to produce (`to_sign`), then `provide` them, as many rounds as
/// the signatures depend on each other.
#[pyclass(frozen, module = "paraph.workflow", name = "RecipientSigning")]
#[derive(Debug)]
pub struct PyRecipientSigning {
    inner: RecipientSigning,
}

#[pymethods]
impl PyRecipientSigning {
    /// Begins the signing with the signing certificate's chain (PEM or DER,
    /// or a list; the signing certificate first).
    #[staticmethod]
    #[pyo3(signature = (envelope, documents, input, certificate_chain, options, *, now, actor, ip = None, user_agent = None))]
    #[allow(clippy::too_many_arguments)]
    fn begin(
        py: Python<'_>,
        envelope: &Bound<'_, PyEnvelope>,
        documents: &Bound<'_, PyAny>,
        input: &Bound<'_, PyAny>,
        certificate_chain: &Bound<'_, PyAny>,
        options: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        actor: &Bound<'_, PyAny>,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> PyResult<Self> {
        boundary(py, || {
            let state = Arc::clone(&envelope.get().inner);
            let documents = convert::documents(documents)?;
            let input: RecipientInput = convert::from_python(input, "input")?;
            let chain = convert::certificates(certificate_chain, "certificate_chain")?;
            let options: SignRecipientOptions = convert::from_python(options, "options")?;
            let ctx = context(now, actor, ip, user_agent)?;
            let inner = py
                .detach(move || {
                    RecipientSigning::begin(&state, &documents, &input, &chain, &options, &ctx)
                })
                .map_err(core(py))?;
            Ok(Self { inner })
        })
    }

    /// The values to make now: `(document_id, field_id, message, digest)`,
    /// `digest` being the SHA-256 of `message`.
    fn to_sign<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self.inner.to_sign();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push((
                item.document_id,
                item.field_id,
                PyBytes::new(py, &item.message),
                PyBytes::new(py, &paraph::digest::sha256(&item.message)),
            ));
        }
        PyList::new(py, out)
    }

    /// Takes the values (document id to value) for `to_sign()`: returns the
    /// next `RecipientSigning` when more are needed, else the signing done,
    /// `(documents, commands, envelope, events)`. `envelope` and
    /// `documents` are those given to `begin`.
    #[pyo3(signature = (envelope, documents, values, *, now, actor, ip = None, user_agent = None))]
    #[allow(clippy::too_many_arguments)]
    fn provide<'py>(
        &self,
        py: Python<'py>,
        envelope: &Bound<'py, PyEnvelope>,
        documents: &Bound<'py, PyAny>,
        values: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        actor: &Bound<'py, PyAny>,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        boundary(py, || {
            let state = Arc::clone(&envelope.get().inner);
            let documents = convert::documents(documents)?;
            let values: Vec<SignatureValue> = convert::documents(values)?
                .into_iter()
                .map(|v| SignatureValue {
                    document_id: v.document_id,
                    value: v.pdf,
                })
                .collect();
            let ctx = context(now, actor, ip, user_agent)?;
            let signing = self.inner.clone();
            let progress = py
                .detach(move || signing.provide(&state, &documents, &values, None, &ctx))
                .map_err(core(py))?;
            match progress {
                SigningProgress::Pending(next) => {
                    Ok(Bound::new(py, Self { inner: next })?.into_any())
                }
                SigningProgress::Signed(done) => {
                    Ok(signed(py, done)?.into_pyobject(py)?.into_any())
                }
            }
        })
    }

    /// The recipient.
    #[getter]
    fn recipient_id(&self) -> &str {
        &self.inner.recipient_id
    }

    /// The envelope.
    #[getter]
    fn envelope_id(&self) -> &str {
        &self.inner.envelope_id
    }

    /// The signing in progress as JSON, to keep between round trips.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads a signing in progress from `to_json()`'s text.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        boundary(py, || {
            Ok(Self {
                inner: RecipientSigning::from_json(json).map_err(core(py))?,
            })
        })
    }
}
