//! `paraph.Document`: a PDF loaded under the core's limits, its pages and
//! fields, and PAdES signing in one call (`sign`) or two phases
//! (`prepare` / `finish`); `paraph.PreparedSignature`.
//!
//! A `Document` is immutable: adding a field returns a new one, and
//! signing returns the signed bytes. It holds the core's `PdfDocument`
//! (shared, `Send + Sync`), so one document can be signed from many
//! threads at once.

use paraph::ErrorCode;
use paraph::geometry::Rect;
use paraph::pades::{self, DocMdpPermission, PreparedSignature, SignOptions, SignatureField};
use paraph::pdf::{
    FontSet, FormField, FormFieldKind, FormFieldSpec, FormFieldType, Limits, PdfDocument,
    SignatureAppearance,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::convert;
use crate::error::{boundary, core, new_err};
use crate::signing::PySigner;

/// A rectangle on a displayed page, in points from its top-left corner.
#[pyclass(frozen, eq, get_all, from_py_object, module = "paraph", name = "Rect")]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PyRect {
    /// Distance from the left edge.
    x: f64,
    /// Distance from the top edge.
    y: f64,
    /// Width.
    width: f64,
    /// Height.
    height: f64,
}

#[pymethods]
impl PyRect {
    #[new]
    fn new(x: f64, y: f64, width: f64, height: f64) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Rect(x={}, y={}, width={}, height={})",
            self.x, self.y, self.width, self.height
        )
    }
}

impl From<Rect> for PyRect {
    fn from(r: Rect) -> Self {
        Self::new(r.x, r.y, r.width, r.height)
    }
}

/// A `Rect` (or any object with `x`, `y`, `width` and `height`, such as
/// `paraph.commands.Rect`), or an `(x, y, width, height)` tuple.
fn rect(obj: &Bound<'_, PyAny>) -> PyResult<Rect> {
    if let Ok(r) = obj.extract::<PyRect>() {
        return Ok(Rect::new(r.x, r.y, r.width, r.height));
    }
    if obj.hasattr("width")? && obj.hasattr("height")? {
        return Ok(Rect::new(
            obj.getattr("x")?.extract()?,
            obj.getattr("y")?.extract()?,
            obj.getattr("width")?.extract()?,
            obj.getattr("height")?.extract()?,
        ));
    }
    let (x, y, width, height): (f64, f64, f64, f64) = obj.extract()?;
    Ok(Rect::new(x, y, width, height))
}

/// A page as displayed.
#[pyclass(frozen, eq, get_all, module = "paraph", name = "Page")]
#[derive(Debug, Clone, PartialEq)]
pub struct PyPage {
    /// From 1.
    number: u32,
    /// Width as displayed (rotation applied), in points.
    width: f64,
    /// Height as displayed, in points.
    height: f64,
    /// `/Rotate`: 0, 90, 180 or 270.
    rotation: u16,
}

#[pymethods]
impl PyPage {
    fn __repr__(&self) -> String {
        format!(
            "Page(number={}, width={}, height={}, rotation={})",
            self.number, self.width, self.height, self.rotation
        )
    }
}

/// Where a form field shows.
#[pyclass(frozen, eq, get_all, module = "paraph", name = "Widget")]
#[derive(Debug, Clone, PartialEq)]
pub struct PyWidget {
    /// The page (from 1), when the widget is on one.
    page: Option<u32>,
    /// Where on it.
    rect: Option<PyRect>,
}

/// A form field of the document.
#[pyclass(frozen, eq, get_all, module = "paraph", name = "Field")]
#[derive(Debug, Clone, PartialEq)]
pub struct PyField {
    /// Fully qualified name (`parent.child`).
    name: String,
    /// `SIGNATURE`, `TEXT`, `BUTTON`, `CHOICE` or `UNKNOWN`.
    #[pyo3(name = "type")]
    field_type: String,
    /// Its value as text (not for signatures).
    value: Option<String>,
    /// For signature fields: whether it is signed.
    signed: bool,
    /// The read-only flag.
    read_only: bool,
    /// A text field of several lines.
    multiline: bool,
    /// Where it shows.
    widgets: Vec<PyWidget>,
}

#[pymethods]
impl PyField {
    fn __repr__(&self) -> String {
        format!(
            "Field(name={:?}, type={:?}, signed={})",
            self.name,
            self.field_type,
            if self.signed { "True" } else { "False" }
        )
    }
}

fn field_type_name(t: FormFieldType) -> &'static str {
    match t {
        FormFieldType::Signature => "SIGNATURE",
        FormFieldType::Text => "TEXT",
        FormFieldType::Button => "BUTTON",
        FormFieldType::Choice => "CHOICE",
        FormFieldType::Unknown => "UNKNOWN",
    }
}

impl From<FormField> for PyField {
    fn from(f: FormField) -> Self {
        Self {
            name: f.name,
            field_type: field_type_name(f.field_type).to_owned(),
            value: f.value,
            signed: f.signed,
            read_only: f.read_only,
            multiline: f.multiline,
            widgets: f
                .widgets
                .into_iter()
                .map(|w| PyWidget {
                    page: w.page,
                    rect: w.rect.map(PyRect::from),
                })
                .collect(),
        }
    }
}

/// A signature waiting for its value (two-phase signing): sign `message`
/// (or its SHA-256, `digest`, for a signer that takes digests) elsewhere,
/// then pass the value to `Document.finish`. Serialisable with `to_json`,
/// so the value can come from another process.
#[pyclass(frozen, module = "paraph", name = "PreparedSignature")]
#[derive(Debug)]
pub struct PyPreparedSignature {
    inner: PreparedSignature,
}

#[pymethods]
impl PyPreparedSignature {
    /// The message to sign: the DER of the CMS signed attributes.
    #[getter]
    fn message<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.message())
    }

    /// SHA-256 of `message`: what a signer that takes a digest signs.
    #[getter]
    fn digest<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.message_digest())
    }

    /// The algorithm the value must be made with.
    #[getter]
    fn algorithm(&self) -> &'static str {
        crate::signing::algorithm_name(self.inner.algorithm)
    }

    /// The signature field's name.
    #[getter]
    fn field_name(&self) -> &str {
        &self.inner.field_name
    }

    /// The pending signature as JSON (schema-versioned).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads a pending signature from `to_json()`'s text.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: &str) -> PyResult<Self> {
        boundary(py, || {
            Ok(Self {
                inner: PreparedSignature::from_json(json).map_err(core(py))?,
            })
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "PreparedSignature(field_name={:?}, algorithm={:?})",
            self.inner.field_name,
            self.algorithm()
        )
    }
}

/// A PDF, loaded and checked under the core's limits.
#[pyclass(frozen, module = "paraph", name = "Document")]
#[derive(Debug)]
pub struct PyDocument {
    inner: PdfDocument,
}

/// Reads `source`: a path (`str` or `os.PathLike`), or the PDF's bytes.
fn source_bytes(source: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let py = source.py();
    let path: Option<String> = if source.cast::<PyString>().is_ok() {
        Some(source.extract()?)
    } else if source.hasattr("__fspath__")? {
        Some(source.call_method0("__fspath__")?.extract()?)
    } else {
        None
    };
    match path {
        Some(path) => py
            .detach(|| std::fs::read(&path))
            .map_err(|e| new_err(py, ErrorCode::Io, format!("cannot read {path:?}: {e}"))),
        None => convert::bytes(source, "source"),
    }
}

fn certify_permission(py: Python<'_>, name: Option<&str>) -> PyResult<Option<DocMdpPermission>> {
    Ok(match name {
        None => None,
        Some("NO_CHANGES") => Some(DocMdpPermission::NoChanges),
        Some("FORM_FILLING") => Some(DocMdpPermission::FormFilling),
        Some("ANNOTATIONS") => Some(DocMdpPermission::Annotations),
        Some(other) => {
            return Err(new_err(
                py,
                ErrorCode::InvalidArgument,
                format!("certify must be NO_CHANGES, FORM_FILLING or ANNOTATIONS, not {other:?}"),
            ));
        }
    })
}

/// The keyword arguments `sign` and `prepare` share.
struct SignArgs<'a, 'py> {
    field: Option<String>,
    page: Option<u32>,
    rect: Option<&'a Bound<'py, PyAny>>,
    name: Option<String>,
    image: Option<&'a Bound<'py, PyAny>>,
    reason: Option<String>,
    location: Option<String>,
    contact_info: Option<String>,
    signing_time: Option<&'a Bound<'py, PyAny>>,
    certify: Option<String>,
}

impl SignArgs<'_, '_> {
    /// The core's options. `field` alone names an existing field; with
    /// `page` and `rect` it names a new visible one; `page` and `rect`
    /// alone make a new visible field; nothing at all an invisible one.
    fn options(self, py: Python<'_>, common_name: Option<String>) -> PyResult<SignOptions> {
        let time = convert::instant_or_now(self.signing_time, "signing_time")?;
        let mut options = SignOptions::new(time);
        options.field = match (self.field, self.page, self.rect) {
            (name, Some(page), Some(r)) => SignatureField::New {
                name,
                page,
                rect: rect(r)?,
            },
            (Some(name), None, None) => SignatureField::Existing { name },
            (None, None, None) => SignatureField::Invisible { name: None },
            _ => {
                return Err(new_err(
                    py,
                    ErrorCode::InvalidArgument,
                    "a new visible signature field needs both page and rect",
                ));
            }
        };
        if !matches!(options.field, SignatureField::Invisible { .. }) {
            options.appearance = Some(SignatureAppearance {
                name: self.name.clone().or(common_name).unwrap_or_default(),
                image: self
                    .image
                    .filter(|i| !i.is_none())
                    .map(|i| convert::bytes(i, "image"))
                    .transpose()?,
                date: format!("Signed {}", time.format("%Y-%m-%d %H:%M UTC")),
                details: self.reason.clone().unwrap_or_default(),
            });
        } else if self.image.is_some_and(|i| !i.is_none()) {
            return Err(new_err(
                py,
                ErrorCode::InvalidArgument,
                "an image needs a visible signature field (field, or page and rect)",
            ));
        }
        options.signer_name = self.name;
        options.reason = self.reason;
        options.location = self.location;
        options.contact_info = self.contact_info;
        options.certify = certify_permission(py, self.certify.as_deref())?;
        Ok(options)
    }
}

#[pymethods]
impl PyDocument {
    /// Loads a PDF from a path or from its bytes. Encrypted, damaged and
    /// oversized files are refused with a `PdfError`.
    #[staticmethod]
    fn open(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Self> {
        boundary(py, || {
            let bytes = source_bytes(source)?;
            let inner = py
                .detach(move || PdfDocument::from_vec(bytes, &Limits::default()))
                .map_err(core(py))?;
            Ok(Self { inner })
        })
    }

    /// The PDF's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.bytes())
    }

    /// The PDF version (`"1.7"`).
    #[getter]
    fn version(&self) -> String {
        self.inner.version()
    }

    /// The number of pages.
    #[getter]
    fn page_count(&self) -> usize {
        self.inner.page_count()
    }

    /// The pages, in order.
    #[getter]
    fn pages(&self) -> Vec<PyPage> {
        self.inner
            .pages()
            .iter()
            .map(|p| {
                let (width, height) = p.geometry.displayed_size();
                PyPage {
                    number: p.number,
                    width,
                    height,
                    rotation: p.geometry.rotation.degrees(),
                }
            })
            .collect()
    }

    /// The form fields, depth first.
    #[getter]
    fn fields(&self, py: Python<'_>) -> PyResult<Vec<PyField>> {
        boundary(py, || {
            let fields = self.inner.fields().map_err(core(py))?;
            Ok(fields.into_iter().map(PyField::from).collect())
        })
    }

    /// The text of page `number` (from 1), in reading order.
    fn page_text(&self, py: Python<'_>, number: u32) -> PyResult<String> {
        boundary(py, || self.inner.page_text(number).map_err(core(py)))
    }

    /// A new document with an empty signature field `name` on `page` (from
    /// 1) at `rect` (a `Rect` or `(x, y, width, height)`, points from the
    /// page's top-left corner), added as an incremental update.
    #[pyo3(signature = (name, *, page, rect, required = false))]
    fn add_signature_field(
        &self,
        py: Python<'_>,
        name: String,
        page: u32,
        rect: &Bound<'_, PyAny>,
        required: bool,
    ) -> PyResult<Self> {
        boundary(py, || {
            let spec = FormFieldSpec {
                name,
                kind: FormFieldKind::Signature,
                page,
                rect: self::rect(rect)?,
                value: None,
                required,
                read_only: false,
                multiline: false,
            };
            let doc = self.inner.clone();
            let inner = py
                .detach(move || {
                    let out = paraph::pdf::add_fields(doc.bytes(), &[spec], &FontSet::default())?;
                    PdfDocument::from_vec(out, doc.limits())
                })
                .map_err(core(py))?;
            Ok(Self { inner })
        })
    }

    /// Signs with `signer` (PAdES B-B, an incremental update) and returns
    /// the signed PDF. `field` names an existing signature field; with
    /// `page` and `rect` a new visible one (its name chosen when `field`
    /// is None); with neither the signature is invisible. A visible
    /// signature shows `name` (the certificate's common name by default),
    /// `image` (PNG) and the time. `signing_time` is the system clock
    /// unless given. `certify` (`NO_CHANGES`, `FORM_FILLING`,
    /// `ANNOTATIONS`) makes it a certification signature.
    #[pyo3(signature = (
        signer, *, field = None, page = None, rect = None, name = None, image = None,
        reason = None, location = None, contact_info = None, signing_time = None, certify = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        signer: &Bound<'py, PySigner>,
        field: Option<String>,
        page: Option<u32>,
        rect: Option<&Bound<'py, PyAny>>,
        name: Option<String>,
        image: Option<&Bound<'py, PyAny>>,
        reason: Option<String>,
        location: Option<String>,
        contact_info: Option<String>,
        signing_time: Option<&Bound<'py, PyAny>>,
        certify: Option<String>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        boundary(py, || {
            let signer = std::sync::Arc::clone(&signer.get().inner);
            let common_name = signer
                .certificate_chain()
                .first()
                .and_then(|c| c.common_name());
            let options = SignArgs {
                field,
                page,
                rect,
                name,
                image,
                reason,
                location,
                contact_info,
                signing_time,
                certify,
            }
            .options(py, common_name)?;
            let doc = self.inner.clone();
            let signed = py
                .detach(move || pades::sign(doc.bytes(), &*signer, None, &options))
                .map_err(core(py))?;
            Ok(PyBytes::new(py, &signed))
        })
    }

    /// The first phase of two-phase signing, for a key outside the process:
    /// writes the signature's update with a placeholder and returns what
    /// must be signed. `certificate_chain` (PEM or DER, or a list, the
    /// signing certificate first) tells the algorithm and the room to keep.
    /// The other arguments are those of `sign`.
    #[pyo3(signature = (
        certificate_chain, *, field = None, page = None, rect = None, name = None, image = None,
        reason = None, location = None, contact_info = None, signing_time = None, certify = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn prepare<'py>(
        &self,
        py: Python<'py>,
        certificate_chain: &Bound<'py, PyAny>,
        field: Option<String>,
        page: Option<u32>,
        rect: Option<&Bound<'py, PyAny>>,
        name: Option<String>,
        image: Option<&Bound<'py, PyAny>>,
        reason: Option<String>,
        location: Option<String>,
        contact_info: Option<String>,
        signing_time: Option<&Bound<'py, PyAny>>,
        certify: Option<String>,
    ) -> PyResult<PyPreparedSignature> {
        boundary(py, || {
            let chain = convert::certificates(certificate_chain, "certificate_chain")?;
            let common_name = chain.first().and_then(|c| c.common_name());
            let options = SignArgs {
                field,
                page,
                rect,
                name,
                image,
                reason,
                location,
                contact_info,
                signing_time,
                certify,
            }
            .options(py, common_name)?;
            let doc = self.inner.clone();
            let inner = py
                .detach(move || pades::prepare(doc.bytes(), &chain, &options))
                .map_err(core(py))?;
            Ok(PyPreparedSignature { inner })
        })
    }

    /// The second phase: puts `signature_value` (made over
    /// `prepared.message`) in place and returns the signed PDF. Nothing of
    /// `prepared` is trusted: it is checked against this document and the
    /// value against the signing certificate (`PENDING_SIGNATURE_INVALID`,
    /// `KEY_CERT_MISMATCH`).
    fn finish<'py>(
        &self,
        py: Python<'py>,
        prepared: &Bound<'py, PyPreparedSignature>,
        signature_value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        boundary(py, || {
            let value = convert::bytes(signature_value, "signature_value")?;
            let prepared = prepared.get().inner.clone();
            let doc = self.inner.clone();
            let signed = py
                .detach(move || pades::finish(doc.bytes(), &prepared, &value, None))
                .map_err(core(py))?;
            Ok(PyBytes::new(py, &signed))
        })
    }

    fn __len__(&self) -> usize {
        self.inner.bytes().len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Document(pages={}, bytes={}, version={:?})",
            self.inner.page_count(),
            self.inner.bytes().len(),
            self.inner.version()
        )
    }
}
