//! `paraph.Envelope`, `paraph.Event` and `paraph.replay`: the core's
//! envelope state machine, with its serde JSON as Python dicts.
//!
//! Both classes are immutable (`frozen`) and hold their core value behind an
//! `Arc`: `apply` returns a new envelope and never changes the old one, so
//! one envelope can be read from many threads at once.

use std::sync::Arc;

use paraph::envelope::{self, Actor, Command, Context, CreateEnvelope, Envelope, Event};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::convert;
use crate::error::{boundary, core};

pub(crate) fn context(
    now: &Bound<'_, PyAny>,
    actor: &Bound<'_, PyAny>,
    ip: Option<String>,
    user_agent: Option<String>,
) -> PyResult<Context> {
    Ok(Context {
        now: convert::instant(now, "now")?,
        actor: convert::from_python::<Actor>(actor, "actor")?,
        ip,
        user_agent,
    })
}

pub(crate) fn transition(t: envelope::Transition) -> (PyEnvelope, Vec<PyEvent>) {
    (
        PyEnvelope {
            inner: Arc::new(t.envelope),
        },
        t.events
            .into_iter()
            .map(|e| PyEvent { inner: Arc::new(e) })
            .collect(),
    )
}

/// An envelope at one point of its history.
#[pyclass(frozen, eq, module = "paraph", name = "Envelope")]
#[derive(Debug, PartialEq)]
pub struct PyEnvelope {
    pub(crate) inner: Arc<Envelope>,
}

#[pymethods]
impl PyEnvelope {
    /// Creates a draft envelope: `(envelope, [envelope.created event])`.
    #[staticmethod]
    #[pyo3(signature = (params, *, now, actor, ip = None, user_agent = None))]
    fn create(
        py: Python<'_>,
        params: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        actor: &Bound<'_, PyAny>,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> PyResult<(PyEnvelope, Vec<PyEvent>)> {
        boundary(py, || {
            let params = convert::from_python::<CreateEnvelope>(params, "params")?;
            let ctx = context(now, actor, ip, user_agent)?;
            let created = py
                .detach(move || envelope::create(params, &ctx))
                .map_err(core(py))?;
            Ok(transition(created))
        })
    }

    /// Applies a command: `(new envelope, events)`. This envelope is left
    /// as it was.
    #[pyo3(signature = (command, *, now, actor, ip = None, user_agent = None))]
    fn apply(
        &self,
        py: Python<'_>,
        command: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        actor: &Bound<'_, PyAny>,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> PyResult<(PyEnvelope, Vec<PyEvent>)> {
        boundary(py, || {
            let command = convert::from_python::<Command>(command, "command")?;
            let ctx = context(now, actor, ip, user_agent)?;
            let current = Arc::clone(&self.inner);
            let next = py
                .detach(move || envelope::apply(&*current, command, &ctx))
                .map_err(core(py))?;
            Ok(transition(next))
        })
    }

    /// Reads an envelope from its JSON text (`schemaVersion` checked first).
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        boundary(py, || {
            let envelope = Envelope::from_json(json).map_err(core(py))?;
            Ok(Self {
                inner: Arc::new(envelope),
            })
        })
    }

    /// Reads an envelope from the dict `to_dict()` returns.
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        boundary(py, || {
            let value: serde_json::Value = convert::from_python(data, "data")?;
            let json = convert::to_json(py, &value)?;
            Self::from_json(py, &json)
        })
    }

    /// The envelope's JSON shape, as dicts and lists.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        boundary(py, || convert::to_python(py, &*self.inner))
    }

    /// The envelope as JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        boundary(py, || convert::to_json(py, &*self.inner))
    }

    /// The id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// `DRAFT`, `SENT`, `COMPLETED`, `DECLINED`, `VOIDED` or `EXPIRED`.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }

    /// The number of events in its history.
    #[getter]
    fn version(&self) -> u64 {
        self.inner.version
    }

    /// The subject.
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// Pickles as its JSON.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        boundary(py, || {
            let from_json = py.get_type::<Self>().getattr("from_json")?;
            let json = convert::to_json(py, &*self.inner)?;
            PyTuple::new(py, [from_json, PyTuple::new(py, [json])?.into_any()])
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Envelope(id={:?}, status={:?}, version={})",
            self.inner.id,
            self.inner.status.as_str(),
            self.inner.version
        )
    }
}

/// One fact of an envelope's history.
#[pyclass(frozen, eq, module = "paraph", name = "Event")]
#[derive(Debug, PartialEq)]
pub struct PyEvent {
    pub(crate) inner: Arc<Event>,
}

#[pymethods]
impl PyEvent {
    /// Reads an event from its JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        boundary(py, || {
            let event: Event = serde_json::from_str(json)
                .map_err(paraph::Error::from)
                .map_err(core(py))?;
            Ok(Self {
                inner: Arc::new(event),
            })
        })
    }

    /// Reads an event from the dict `to_dict()` returns.
    #[staticmethod]
    fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        boundary(py, || {
            Ok(Self {
                inner: Arc::new(convert::from_python(data, "event")?),
            })
        })
    }

    /// The event's JSON shape, as dicts and lists.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        boundary(py, || convert::to_python(py, &*self.inner))
    }

    /// The event as JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        boundary(py, || convert::to_json(py, &*self.inner))
    }

    /// The dotted type (`recipient.signed`).
    #[getter]
    #[pyo3(name = "type")]
    fn event_type(&self) -> &'static str {
        self.inner.event_type()
    }

    /// Position in the envelope's history, from 1.
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq
    }

    /// The envelope.
    #[getter]
    fn envelope_id(&self) -> &str {
        &self.inner.envelope_id
    }

    /// When it happened, RFC 3339 (as in its JSON).
    #[getter]
    fn occurred_at(&self) -> String {
        self.inner
            .occurred_at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }

    /// The webhook message id of this event (`evt_<envelope>_<seq>`).
    #[getter]
    fn message_id(&self) -> String {
        self.inner.message_id()
    }

    /// Whether it is published to webhooks.
    #[getter]
    fn is_published(&self) -> bool {
        self.webhook_event_type().is_some()
    }

    /// The webhook event type it is published as (`envelope.resubmitted`
    /// for a send in a later round), or `None`.
    #[getter]
    fn webhook_event_type(&self) -> Option<&'static str> {
        paraph::webhook::webhook_event_type(&self.inner.data)
    }

    /// Pickles as its JSON.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        boundary(py, || {
            let from_json = py.get_type::<Self>().getattr("from_json")?;
            let json = convert::to_json(py, &*self.inner)?;
            PyTuple::new(py, [from_json, PyTuple::new(py, [json])?.into_any()])
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Event(type={:?}, envelope_id={:?}, seq={})",
            self.inner.event_type(),
            self.inner.envelope_id,
            self.inner.seq
        )
    }
}

/// Rebuilds an envelope from its whole history (`Event`s or their dicts).
#[pyfunction]
pub fn replay(py: Python<'_>, events: &Bound<'_, PyAny>) -> PyResult<PyEnvelope> {
    boundary(py, || {
        let mut history: Vec<Arc<Event>> = Vec::new();
        for item in events.try_iter()? {
            let item = item?;
            match item.cast::<PyEvent>() {
                Ok(event) => history.push(Arc::clone(&event.get().inner)),
                Err(_) => history.push(Arc::new(convert::from_python(&item, "event")?)),
            }
        }
        let envelope = py
            .detach(move || envelope::replay(history.iter().map(|e| &**e)))
            .map_err(core(py))?;
        Ok(PyEnvelope {
            inner: Arc::new(envelope),
        })
    })
}
