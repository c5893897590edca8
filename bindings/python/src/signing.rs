//! `paraph.Signer`: a key that signs PAdES signatures, in memory (PKCS#12,
//! PEM) or outside the process through a Python callable (an HSM, a cloud
//! KMS): the core's [`Signer`] trait, implemented once here for Python.

use std::sync::Arc;

use paraph::pades::{Certificate, KeySigner, SignatureAlgorithm, Signer};
use paraph::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::convert;
use crate::error::{boundary, core, keep_callback_error};

/// A signer whose values come from a Python callable: `callback(message)`
/// gets the DER of the CMS signed attributes and returns the signature
/// value (PKCS#1 v1.5 for RSA; DER or `r || s` for ECDSA P-256), which the
/// core then checks against the signing certificate.
struct ExternalSigner {
    chain: Vec<Certificate>,
    algorithm: SignatureAlgorithm,
    callback: Py<PyAny>,
}

impl Signer for ExternalSigner {
    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> paraph::Result<Vec<u8>> {
        // The core calls this with the GIL released; take it back for the
        // callback, on this same thread.
        Python::attach(|py| {
            let outcome = self
                .callback
                .bind(py)
                .call1((PyBytes::new(py, message),))
                .and_then(|value| convert::bytes(&value, "the external signer's return value"));
            outcome.map_err(|err| {
                let text = err.to_string();
                keep_callback_error(err);
                Error::new(
                    ErrorCode::SigningFailed,
                    format!("the external signer failed: {text}"),
                )
            })
        })
    }
}

/// What signs: a key held in this process, or a Python callable.
#[pyclass(frozen, module = "paraph", name = "Signer")]
pub struct PySigner {
    pub(crate) inner: Arc<dyn Signer>,
    external: bool,
}

impl std::fmt::Debug for PySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("common_name", &self.common_name())
            .field("external", &self.external)
            .finish_non_exhaustive()
    }
}

impl PySigner {
    /// Wraps a core key signer.
    pub(crate) fn from_key(key: KeySigner) -> Self {
        Self {
            inner: Arc::new(key),
            external: false,
        }
    }
}

#[pymethods]
impl PySigner {
    /// A signer from a PKCS#12 (`.p12`, `.pfx`) file's bytes and its password.
    #[staticmethod]
    fn from_pkcs12(py: Python<'_>, data: &Bound<'_, PyAny>, password: &str) -> PyResult<Self> {
        boundary(py, || {
            let data = convert::bytes(data, "data")?;
            let password = password.to_owned();
            let key = py
                .detach(move || KeySigner::from_pkcs12(&data, &password))
                .map_err(core(py))?;
            Ok(Self::from_key(key))
        })
    }

    /// A signer from a PEM (or DER) private key and its certificates (PEM:
    /// the signing certificate and the chain; the order is worked out).
    #[staticmethod]
    fn from_pem(
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        certificates: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        boundary(py, || {
            let key = convert::bytes(key, "key")?;
            let certificates = convert::bytes(certificates, "certificates")?;
            let signer = py
                .detach(move || KeySigner::from_pem(&key, &certificates))
                .map_err(core(py))?;
            Ok(Self::from_key(signer))
        })
    }

    /// A signer whose key is elsewhere: `callback(message: bytes) -> bytes`
    /// signs the message (SHA-256 then RSA PKCS#1 v1.5 or ECDSA P-256,
    /// after the signing certificate's key). `certificate_chain` is PEM or
    /// DER, or a list of them, the signing certificate first. An exception
    /// in the callback is raised as `SignatureError` (`SIGNING_FAILED`)
    /// with the exception as its `__cause__`.
    #[staticmethod]
    fn external(
        py: Python<'_>,
        certificate_chain: &Bound<'_, PyAny>,
        callback: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        boundary(py, || {
            if !callback.is_callable() {
                return Err(crate::error::new_err(
                    py,
                    ErrorCode::InvalidArgument,
                    "callback must be callable: callback(message: bytes) -> bytes",
                ));
            }
            let chain = convert::certificates(certificate_chain, "certificate_chain")?;
            let first = chain.first().ok_or_else(|| {
                crate::error::new_err(py, ErrorCode::CertInvalid, "no signing certificate given")
            })?;
            let algorithm = SignatureAlgorithm::for_certificate(first).map_err(core(py))?;
            Ok(Self {
                inner: Arc::new(ExternalSigner {
                    chain,
                    algorithm,
                    callback: callback.clone().unbind(),
                }),
                external: true,
            })
        })
    }

    /// The certificates, DER, the signing certificate first.
    #[getter]
    fn certificate_chain<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(
            py,
            self.inner
                .certificate_chain()
                .iter()
                .map(|c| PyBytes::new(py, c.der())),
        )
    }

    /// The signing certificate's subject (RFC 4514).
    #[getter]
    fn subject(&self) -> String {
        self.inner
            .certificate_chain()
            .first()
            .map(Certificate::subject)
            .unwrap_or_default()
    }

    /// The signing certificate's common name.
    #[getter]
    fn common_name(&self) -> Option<String> {
        self.inner
            .certificate_chain()
            .first()
            .and_then(Certificate::common_name)
    }

    /// `RSA_PKCS1V15_SHA256` or `ECDSA_P256_SHA256`.
    #[getter]
    fn algorithm(&self) -> &'static str {
        algorithm_name(self.inner.algorithm())
    }

    /// Whether the values come from a Python callable.
    #[getter]
    fn is_external(&self) -> bool {
        self.external
    }

    fn __repr__(&self) -> String {
        format!(
            "Signer(common_name={:?}, algorithm={:?}, external={})",
            self.common_name().unwrap_or_default(),
            self.algorithm(),
            if self.external { "True" } else { "False" }
        )
    }
}

/// The JSON name of an algorithm.
pub(crate) fn algorithm_name(algorithm: SignatureAlgorithm) -> &'static str {
    match algorithm {
        SignatureAlgorithm::RsaPkcs1v15Sha256 => "RSA_PKCS1V15_SHA256",
        SignatureAlgorithm::EcdsaP256Sha256 => "ECDSA_P256_SHA256",
    }
}
